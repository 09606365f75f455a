//! OpenAPI links: which answer's values the next operation of a consultation takes, so that a
//! client generator (and schemathesis's stateful phase, `.ci/run`) can follow the workflow a
//! draft goes through — create, add sections, publish, comment, claim, moderate, respond,
//! close, export — instead of guessing ids.

use serde_json::{json, Map, Value};

/// The id a document's answer carries.
const DOCUMENT_FROM_BODY: &str = "$response.body#/id";
/// The document id the request was about (operations on `/documents/{id}/…`).
const DOCUMENT_FROM_PATH: &str = "$request.path.id";
/// The comment a submission answered with.
const COMMENT_FROM_BODY: &str = "$response.body#/id";
/// The first comment of a claimed batch.
const FIRST_CLAIMED: &str = "$response.body#/items/0/id";

/// (operation, status, the value of the next operation's `id`, operations that take it).
const LINKS: &[(&str, &str, &str, &[&str])] = &[
    (
        "create_document",
        "201",
        DOCUMENT_FROM_BODY,
        &[
            "get_document",
            "add_section",
            "import_document",
            "create_round",
            "publish",
        ],
    ),
    (
        "add_section",
        "201",
        DOCUMENT_FROM_PATH,
        &["publish", "get_document"],
    ),
    (
        "publish",
        "200",
        DOCUMENT_FROM_PATH,
        &["create_comment", "list_document_comments", "close"],
    ),
    (
        "create_comment",
        "201",
        COMMENT_FROM_BODY,
        &[
            "get_comment",
            "edit_comment",
            "withdraw_comment",
            "moderate",
        ],
    ),
    ("claim", "200", FIRST_CLAIMED, &["moderate"]),
    (
        "moderate",
        "200",
        "$request.path.id",
        &["respond", "get_comment"],
    ),
    (
        "close",
        "200",
        DOCUMENT_FROM_PATH,
        &["feedback", "summary", "stats", "report", "list_responses"],
    ),
];

/// Add `LINKS` to the answers of the document's operations (by operation id). A link to or
/// from an operation the document lacks is left out.
pub fn add(doc: &mut Value) {
    let ids = operation_ids(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let id = id.to_owned();
            for (_, status, value, targets) in LINKS.iter().filter(|l| l.0 == id) {
                let links: Map<String, Value> = targets
                    .iter()
                    .filter(|t| ids.iter().any(|i| i == *t))
                    .map(|t| {
                        (
                            (*t).to_owned(),
                            json!({ "operationId": t, "parameters": { "id": value } }),
                        )
                    })
                    .collect();
                if let Some(answer) = op
                    .pointer_mut(&format!("/responses/{status}"))
                    .and_then(Value::as_object_mut)
                {
                    answer.insert("links".into(), Value::Object(links));
                }
            }
        }
    }
}

fn operation_ids(doc: &Value) -> Vec<String> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}
