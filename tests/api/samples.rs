//! The Vietnamese sample drafts in tests/fixtures, posted through the API.

use serde_json::json;

use crate::helpers::{TestApp, TestUser};

/// Post the sample draft from tests/fixtures (Markdown headings → sections) and return
/// (document id, [(section id, label, heading, body)]).
pub async fn post_sample_draft(
    app: &TestApp,
    secretariat: &TestUser,
) -> (i64, Vec<(i64, String, String, String)>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/du-thao-bao-cao-chinh-tri.md"
    );
    let text = std::fs::read_to_string(path).expect("sample draft in tests/fixtures");
    let mut lines = text.lines();
    let title = lines.next().unwrap().trim_start_matches("# ").to_owned();
    let doc = app
        .document(secretariat, json!({ "title": title, "code": "BC-ĐH/2026" }))
        .await;
    // Stack of (level, section id).
    let mut stack: Vec<(usize, i64)> = Vec::new();
    let mut created = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let mut body = String::new();
    for line in lines.chain(std::iter::once("## END")) {
        if let Some(stripped) = line.strip_prefix('#') {
            let level = 1 + stripped.chars().take_while(|c| *c == '#').count();
            let heading_line = stripped.trim_start_matches('#').trim().to_owned();
            if let Some((plevel, pline)) = pending.take() {
                let (label, heading) = match pline.split_once(". ") {
                    Some((l, h)) => (l.to_owned(), h.to_owned()),
                    None => (pline.clone(), String::new()),
                };
                while stack.last().is_some_and(|(l, _)| *l >= plevel) {
                    stack.pop();
                }
                let parent = stack.last().map(|(_, id)| *id);
                let b = std::mem::take(&mut body).trim().to_owned();
                let mut req = json!({ "parent_id": parent, "label": label, "body": b });
                if !heading.is_empty() {
                    req["heading"] = json!(heading);
                }
                let id = app.section(secretariat, doc, req).await;
                stack.push((plevel, id));
                created.push((id, label, heading, b));
            }
            pending = Some((level, heading_line));
        } else if pending.is_some() {
            body.push_str(line);
            body.push('\n');
        }
    }
    (doc, created)
}
