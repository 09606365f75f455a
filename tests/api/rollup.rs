//! Feedback sent upward: a bundle exported from one draft lands in the same draft one level up.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::cli::cli;
use crate::helpers::{json_of, problem, spawn_app, TestApp};
use crate::world::World;

const FROM: &str = "Sở Nội vụ tỉnh Hà Tĩnh";

/// The world's draft with an approved comment on Điều 2, its bundle, and the same draft one
/// level up (another document with the same title and sections).
async fn setting(app: &TestApp) -> (World, Value, i64, Vec<i64>) {
    let w = app.world().await;
    let c = app
        .comment(
            &w.employee,
            w.doc,
            json!({ "body": "Đề nghị bổ sung đối tượng là người lao động.", "section_id": w.sections[1] }),
        )
        .await;
    let d = app
        .decide(
            &w.moderator,
            c["id"].as_i64().expect("id"),
            json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(d["status"], "approved", "{d}");
    let bundle = json_of(
        app.get(
            &format!("/api/v1/documents/{}/rollup", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let (upper, sections) = app.published_document(&w.secretariat).await;
    (w, bundle, upper, sections)
}

async fn import(app: &TestApp, w: &World, doc: i64, bundle: &Value) -> reqwest::Response {
    app.call(
        reqwest::Method::POST,
        &format!("/api/v1/documents/{doc}/rollup?from_unit={FROM}"),
    )
    .auth(&w.secretariat.token)
    .json(bundle)
    .send()
    .await
}

#[tokio::test]
async fn comments_land_under_the_matching_section_from_the_sending_body() {
    let app = spawn_app().await;
    let (w, bundle, upper, sections) = setting(&app).await;
    let landing = json_of(import(&app, &w, upper, &bundle).await, StatusCode::CREATED).await;
    assert_eq!(landing["landed"], 1, "{landing}");
    let page = json_of(
        app.get(
            &format!("/api/v1/documents/{upper}/comments"),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let c = &page["items"][0];
    assert_eq!(
        (&c["section_id"], &c["contributed_by"], &c["status"]),
        (
            &json!(sections[1]),
            &json!(format!("{FROM} – Phòng Tổ chức cán bộ")),
            &json!("approved")
        ),
        "{page}"
    );
}

#[tokio::test]
async fn importing_the_same_bundle_twice_changes_nothing() {
    let app = spawn_app().await;
    let (w, bundle, upper, _) = setting(&app).await;
    json_of(import(&app, &w, upper, &bundle).await, StatusCode::CREATED).await;
    let again = json_of(import(&app, &w, upper, &bundle).await, StatusCode::OK).await;
    let page = json_of(
        app.get(
            &format!("/api/v1/documents/{upper}/comments"),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            &again["repeated"],
            &again["landed"],
            page["items"].as_array().map(Vec::len)
        ),
        (&json!(true), &json!(0), Some(1)),
        "{again} {page}"
    );
}

#[tokio::test]
async fn a_tampered_bundle_is_refused() {
    let app = spawn_app().await;
    let (w, mut bundle, upper, _) = setting(&app).await;
    bundle["comments"][0]["body"] = json!("Nội dung đã bị sửa sau khi xuất.");
    problem(
        import(&app, &w, upper, &bundle).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bundle_tampered",
    )
    .await;
}

#[tokio::test]
async fn a_bundle_of_another_draft_is_refused_with_its_title() {
    let app = spawn_app().await;
    let (w, bundle, _, _) = setting(&app).await;
    let other = app
        .document(
            &w.secretariat,
            json!({ "title": "Dự thảo Quy chế làm việc" }),
        )
        .await;
    let p = problem(
        import(&app, &w, other, &bundle).await,
        StatusCode::CONFLICT,
        "bundle_mismatch",
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Dự thảo Luật Cán bộ, công chức (sửa đổi)")),
        "{p}"
    );
}

#[tokio::test]
async fn a_bundle_of_another_version_is_refused() {
    let app = spawn_app().await;
    let (w, bundle, upper, _) = setting(&app).await;
    // A well-formed bundle (its manifest recomputed) made on version 2 of the text.
    let mut b: gopy::rollup::bundle::Bundle = serde_json::from_value(bundle).expect("a bundle");
    b.document.version = 2;
    b.manifest = b.compute_manifest().expect("manifest");
    let p = problem(
        import(&app, &w, upper, &serde_json::to_value(&b).expect("json")).await,
        StatusCode::CONFLICT,
        "bundle_mismatch",
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("phiên bản 2")),
        "{p}"
    );
}

#[tokio::test]
async fn the_cli_exports_a_bundle_and_imports_it_one_level_up() {
    let app = spawn_app().await;
    let (w, _, upper, _) = setting(&app).await;
    let dir = tempfile::tempdir().expect("dir");
    let who = w.secretariat.email.as_str();
    let doc = w.doc.to_string();
    let export = ["feedback", "export", "--document-id", &doc, "--as", who];
    let (ok, out, err) = cli(&app._db, dir.path(), &export, None);
    assert!(ok, "{err}");
    let file = dir.path().join("unit.gopy.json");
    std::fs::write(&file, out).expect("written");
    let (path, upper) = (file.display().to_string(), upper.to_string());
    let import = [
        "feedback",
        "import",
        &path,
        "--document-id",
        &upper,
        "--from-unit",
        FROM,
        "--as",
        who,
    ];
    let (ok, out, err) = cli(&app._db, dir.path(), &import, None);
    assert!(ok, "{err}");
    assert!(out.starts_with("Đã nhập 1 ý kiến"), "{out}");
}
