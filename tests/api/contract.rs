//! The OpenAPI document and the served routes are the same list: every documented operation
//! is served, and every handler in the source is documented.

use std::collections::BTreeSet;
use std::path::Path;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

async fn document(app: &TestApp) -> Value {
    app.call(Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .json()
        .await
        .expect("the document is JSON")
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut unserved = Vec::new();
    for (method, path) in operations(&doc) {
        let concrete = path.replace("{id}", "1");
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let res = app.call(method.clone(), &concrete).send().await;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        let fallback = body["code"] == "method_not_allowed" || body["detail"] == "route not found";
        if fallback {
            unserved.push(format!("{method} {path} → {status}"));
        }
    }
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

/// `(METHOD, path)` of every `#[get("…")]`-style handler under `dir`.
fn handlers_in(dir: &Path, out: &mut Vec<(String, String, String)>) {
    for entry in std::fs::read_dir(dir).expect("src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            handlers_in(&path, out);
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        for line in text.lines().map(str::trim) {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) {
                    let route = rest.split('"').next().unwrap_or_default().to_owned();
                    out.push((method.to_uppercase(), route, path.display().to_string()));
                }
            }
        }
    }
}

#[tokio::test]
async fn every_handler_in_the_source_is_documented() {
    let app = spawn_app().await;
    let documented = operations(&document(&app).await);
    let mut handlers = Vec::new();
    handlers_in(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut handlers,
    );
    assert!(
        handlers.len() > 30,
        "the scan found too few handlers: {handlers:?}"
    );
    let missing: Vec<_> = handlers
        .into_iter()
        // The HTML pages and their assets are not part of the JSON API.
        .filter(|(_, _, file)| !file.contains("pages") && !file.contains("/http/page/"))
        .filter(|(method, route, file)| {
            let full = if file.ends_with("http/health.rs") {
                route.clone()
            } else {
                format!("/api/v1{route}")
            };
            !documented.contains(&(method.clone(), full))
        })
        .collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
}

#[tokio::test]
async fn every_error_answer_is_declared_as_problem_json() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            for (status, response) in op["responses"].as_object().expect("responses") {
                let is_error = status.starts_with('4') || status.starts_with('5');
                let problem = response["content"]
                    .get("application/problem+json")
                    .is_some();
                if is_error != problem {
                    wrong.push(format!("{method} {path} {status}"));
                }
            }
            if path != "/healthz" && op["responses"].get("503").is_none() {
                wrong.push(format!("{method} {path}: no 503"));
            }
            if op.get("security").is_some() && op["responses"].get("401").is_none() {
                wrong.push(format!("{method} {path}: no 401"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[tokio::test]
async fn every_error_code_is_described_in_the_document() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schema = &doc["components"]["schemas"]["ErrorCode"];
    let description = schema["description"].as_str().expect("a description");
    for code in schema["enum"].as_array().expect("an enum of codes") {
        let code = code.as_str().expect("code");
        assert!(
            description.contains(&format!("`{code}`")),
            "{code} is not described"
        );
    }
}

/// The operation whose `operationId` is `id`, in `doc`.
fn operation<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("path item").values())
        .find(|op| op["operationId"] == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

#[tokio::test]
async fn links_lead_from_a_new_draft_to_a_moderated_comment() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    // create → publish → comment → moderate, each step naming where its id comes from.
    for (from, status, to, id) in [
        ("create_document", "201", "publish", "$response.body#/id"),
        ("publish", "200", "create_comment", "$request.path.id"),
        ("create_comment", "201", "moderate", "$response.body#/id"),
        ("claim", "200", "moderate", "$response.body#/items/0/id"),
    ] {
        let link = &operation(&doc, from)["responses"][status]["links"][to];
        assert_eq!(link["operationId"], to, "{from} {status} → {to}: {link}");
        assert_eq!(link["parameters"]["id"], id, "{from} → {to}");
    }
}
