//! `GET /documents/{id}/diff`: how each section changed between two versions, word by word.

use serde_json::json;

use crate::helpers::{each, spawn_app};
use crate::versions::REVISED;

#[tokio::test]
async fn the_diff_shows_each_section_and_its_words() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.revise(&w, REVISED).await;
    let diff = app.diff(&w, 1, 2).await;
    let changes = each(&diff["sections"], |s| s["change"].clone());
    assert_eq!(
        changes,
        vec![json!("unchanged"), json!("changed"), json!("added")]
    );
    // Equal and inserted words rebuild the new text; equal and deleted ones the old.
    let parts = diff["sections"][1]["diff"]
        .as_array()
        .expect("diff")
        .clone();
    let rebuild = |skip: &str| -> String {
        parts
            .iter()
            .filter(|p| p["op"] != skip)
            .filter_map(|p| p["text"].as_str())
            .collect()
    };
    assert_eq!(
        (rebuild("delete"), rebuild("insert")),
        (
            "Đối tượng áp dụng\nCán bộ, công chức, viên chức và cơ quan, tổ chức có liên quan."
                .to_owned(),
            "Đối tượng áp dụng\nCán bộ, công chức và cơ quan, tổ chức có liên quan.".to_owned()
        )
    );
}

#[tokio::test]
async fn the_diff_shows_removed_and_moved_sections() {
    let app = spawn_app().await;
    let w = app.world().await;
    let text = "Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Đối tượng áp dụng\nCán bộ, công chức và cơ quan, tổ chức có liên quan.\n";
    app.revise(&w, text).await;
    let diff = app.diff(&w, 1, 2).await;
    let brief = each(&diff["sections"], |s| {
        json!([s["change"], s["path_from"], s["path_to"]])
    });
    assert_eq!(
        brief,
        vec![
            json!(["added", null, "Chương I"]),
            json!(["moved", "Điều 2", "Chương I › Điều 1"]),
            json!(["removed", "Điều 1", null]),
        ]
    );
}
