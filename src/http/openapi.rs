//! Finishing the OpenAPI 3.1 document that `routes` builds from the route list: it must tell
//! the whole truth about errors, so every answer an operation can give besides its own is
//! added by rule, and every error is declared as `application/problem+json`.

use serde_json::{json, Map, Value};

use crate::error::ErrorCode;
use crate::http::problem::PROBLEM_JSON;
use crate::identity::Role;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The generic answers, by status: what they mean.
fn generic(status: &str) -> &'static str {
    match status {
        "400" => "The body could not be read (malformed JSON, wrong Content-Type)",
        "401" => "No valid bearer token",
        "403" => "Signed in without one of the roles this operation needs",
        "404" => "No such resource, or one you may not see",
        "413" => "The body is too large",
        "422" => "Invalid body or parameters; `errors` names each field",
        "503" => "The database is unreachable or overloaded; see Retry-After",
        _ => "Error",
    }
}

/// Finish the document built from the route list: state the roles each restricted operation
/// needs (`roles`, by operation id), add every generic answer each operation can give, declare
/// all errors as problem+json, and describe each error code.
pub fn finish(api: utoipa::openapi::OpenApi, roles: &[(&str, &[Role])]) -> Value {
    let mut doc = serde_json::to_value(api).unwrap_or(Value::Null);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if let Some((_, needed)) = roles.iter().find(|(name, _)| *name == id) {
                    let names: Vec<&str> = needed.iter().map(|r| r.as_str()).collect();
                    op.insert("security".into(), json!([{ "bearer": names }]));
                }
            }
        }
    }
    let problem = json!({ PROBLEM_JSON: { "schema": { "$ref": "#/components/schemas/Problem" } } });
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                    complete(path, op, &problem);
                }
            }
        }
    }
    let codes: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| format!("- `{c}`: {}", c.meaning()))
        .collect();
    if let Some(schema) = doc
        .pointer_mut("/components/schemas/ErrorCode")
        .and_then(Value::as_object_mut)
    {
        schema.insert(
            "description".into(),
            Value::String(format!("Stable error codes:\n{}", codes.join("\n"))),
        );
    }
    crate::http::openapi_links::add(&mut doc);
    doc
}

fn complete(path: &str, op: &mut Map<String, Value>, problem: &Value) {
    let mut statuses: Vec<&str> = Vec::new();
    if path != "/healthz" {
        statuses.push("503");
    }
    let security: Vec<Value> = op
        .get("security")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !security.is_empty() {
        statuses.push("401");
        let roles = security
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|req| req.values())
            .any(|scopes| scopes.as_array().is_some_and(|s| !s.is_empty()));
        if roles {
            statuses.push("403");
        }
    }
    if let Some(body) = op.get("requestBody") {
        statuses.extend(["413", "422"]);
        if body.pointer("/content/application~1json").is_some() {
            statuses.push("400");
        }
    }
    let params: Vec<Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if params.iter().any(|p| {
        matches!(
            p.get("in").and_then(Value::as_str),
            Some("query" | "header")
        )
    }) {
        statuses.push("422");
    }
    if path.contains('{') {
        statuses.push("404");
    }
    let responses = op
        .entry("responses")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut();
    let Some(responses) = responses else { return };
    for status in statuses {
        responses
            .entry(status)
            .or_insert_with(|| json!({ "description": generic(status) }));
    }
    for (status, response) in responses.iter_mut() {
        if !(status.starts_with('2') || status.starts_with('3')) {
            if let Some(r) = response.as_object_mut() {
                r.insert("content".into(), problem.clone());
            }
        }
    }
}
