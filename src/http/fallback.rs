//! What answers a request no route took: 405 with `Allow` when the path exists with other
//! methods, 404 otherwise — both problem+json. Paths and methods come from the document,
//! which comes from the route list.

use actix_web::{web, HttpRequest};
use serde_json::Value;

use crate::error::AppError;

/// Path templates (segments, `None` for a parameter) and the methods each accepts.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Option<String>>, Vec<String>)>,
}

impl RouteTable {
    pub fn from_document(doc: &Value) -> Self {
        let mut routes = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let segments = path
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                    .collect();
                let methods = item
                    .as_object()
                    .map(|m| {
                        m.keys()
                            .filter(|k| *k != "parameters")
                            .map(|k| k.to_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                routes.push((segments, methods));
            }
        }
        Self { routes }
    }

    /// The methods `path` accepts, if it is a path at all.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut found: Vec<String> = Vec::new();
        for (segments, methods) in &self.routes {
            let same = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(s, p)| match s {
                    Some(s) => s == p,
                    None => !p.is_empty(),
                });
            if same {
                found.extend(methods.iter().cloned());
            }
        }
        found.sort();
        found.dedup();
        (!found.is_empty()).then_some(found)
    }
}

pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, AppError> {
    match table.allowed(req.path()) {
        Some(allow) => Err(AppError::MethodNotAllowed {
            method: req.method().to_string(),
            allow,
        }),
        None => Err(AppError::NotFound("route")),
    }
}
