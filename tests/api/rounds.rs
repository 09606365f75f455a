//! Rounds (đợt): scheduling, who may comment when, and the mail around them.

use chrono::{TimeDelta, Utc};
use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{each, json_of, problem, spawn_app, spawn_app_with, TestApp};
use crate::mailbox::read_mails;
use crate::world::World;

/// An RFC 3339 time `minutes` from now.
fn at(minutes: i64) -> String {
    (Utc::now() + TimeDelta::minutes(minutes)).to_rfc3339()
}

fn period(from: i64, to: i64) -> Value {
    json!({ "opens_at": at(from), "closes_at": at(to) })
}

impl TestApp {
    async fn try_round(&self, w: &World, body: &Value) -> reqwest::Response {
        self.post(
            &format!("/api/v1/documents/{}/rounds", w.doc),
            &w.secretariat.token,
            body,
        )
        .await
    }

    async fn try_comment(&self, token: &str, doc: i64) -> reqwest::Response {
        self.post(
            &format!("/api/v1/documents/{doc}/comments"),
            token,
            &json!({ "body": "Góp ý trong đợt" }),
        )
        .await
    }

    /// Queue the round notices due now, as each process does on its timer.
    async fn round_notices(&self) -> gopy::rounds::notices::Sent {
        self.with_conn(|conn, settings| {
            gopy::rounds::notices::run_once(conn, settings, gopy::db::now()).expect("round notices")
        })
        .await
    }
}

#[tokio::test]
async fn rounds_are_numbered_per_document_and_consult_on_the_current_version() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.round(&w.secretariat, w.doc, period(60, 120)).await;
    let second = app.round(&w.secretariat, w.doc, period(180, 240)).await;
    assert_eq!(
        json!([
            second["number"],
            second["version"],
            second["status"],
            second["audience_unit_ids"]
        ]),
        json!([2, 1, "scheduled", []])
    );
}

#[tokio::test]
async fn overlapping_rounds_are_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.round(&w.secretariat, w.doc, period(60, 120)).await;
    let res = app.try_round(&w, &period(90, 150)).await;
    problem(res, StatusCode::CONFLICT, "rounds_overlap").await;
}

#[tokio::test]
async fn a_round_must_close_after_it_opens() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app.try_round(&w, &period(120, 60)).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["closes_at"].is_array(), "{body}");
}

#[tokio::test]
async fn between_rounds_a_comment_is_refused_with_the_next_opening() {
    let app = spawn_app().await;
    let w = app.world().await;
    let next = app.round(&w.secretariat, w.doc, period(60, 120)).await;
    let res = app.try_comment(&w.employee.token, w.doc).await;
    let body = problem(res, StatusCode::CONFLICT, "consultation_closed").await;
    let opens = chrono::DateTime::parse_from_rfc3339(next["opens_at"].as_str().expect("opens_at"))
        .expect("time");
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains(&opens.with_timezone(&Utc).to_rfc3339()),
        "{detail}"
    );
}

#[tokio::test]
async fn a_comment_belongs_to_the_round_open_when_it_is_made() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Round 1 is over (moved into the past: the API schedules only future ends).
    app.round(&w.secretariat, w.doc, period(60, 120)).await;
    app.sql("UPDATE rounds SET opens_at = '2026-01-01 00:00:00', closes_at = '2026-01-02 00:00:00' WHERE number = 1")
        .await;
    app.round(&w.secretariat, w.doc, period(-1, 60)).await;
    let res = app.try_comment(&w.employee.token, w.doc).await;
    let comment = json_of(res, StatusCode::CREATED).await;
    assert_eq!(comment["round"], 2);
}

#[tokio::test]
async fn someone_outside_the_audience_may_read_but_not_comment() {
    let app = spawn_app().await;
    let w = app.world().await;
    let mut body = period(-1, 60);
    body["audience_unit_ids"] = json!([w.unit]);
    app.round(&w.secretariat, w.doc, body).await;
    let read = app
        .get(
            &format!("/api/v1/documents/{}", w.doc),
            &w.other_employee.token,
        )
        .await;
    json_of(read, StatusCode::OK).await;
    let res = app.try_comment(&w.other_employee.token, w.doc).await;
    problem(res, StatusCode::FORBIDDEN, "not_in_audience").await;
}

#[tokio::test]
async fn the_audience_includes_the_units_below_it() {
    let app = spawn_app().await;
    let w = app.world().await;
    let child = app.unit(&w.admin, "Tổ Công chức", Some(w.unit)).await;
    let member = app.user("Lê Văn Tổ", &[Role::Employee], Some(child)).await;
    let mut body = period(-1, 60);
    body["audience_unit_ids"] = json!([w.unit]);
    app.round(&w.secretariat, w.doc, body).await;
    let res = app.try_comment(&member.token, w.doc).await;
    json_of(res, StatusCode::CREATED).await;
}

#[tokio::test]
async fn a_round_that_has_not_opened_can_be_changed() {
    let app = spawn_app().await;
    let w = app.world().await;
    let round = app.round(&w.secretariat, w.doc, period(60, 120)).await;
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/documents/{}/rounds/{}", w.doc, round["id"]),
        )
        .auth(&w.secretariat.token)
        .json(&json!({ "title": "Lấy ý kiến rộng rãi", "closes_at": at(180) }))
        .send()
        .await;
    let changed = json_of(res, StatusCode::OK).await;
    assert_eq!(changed["title"], "Lấy ý kiến rộng rãi");
}

#[tokio::test]
async fn a_round_that_has_opened_cannot_be_changed() {
    let app = spawn_app().await;
    let w = app.world().await;
    let round = app.round(&w.secretariat, w.doc, period(-1, 60)).await;
    let res = app
        .call(
            Method::PATCH,
            &format!("/api/v1/documents/{}/rounds/{}", w.doc, round["id"]),
        )
        .auth(&w.secretariat.token)
        .json(&json!({ "closes_at": at(600) }))
        .send()
        .await;
    problem(res, StatusCode::CONFLICT, "round_started").await;
}

#[tokio::test]
async fn everyone_may_list_the_rounds_of_a_published_draft() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.round(&w.secretariat, w.doc, period(60, 120)).await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/rounds", w.doc),
            &w.employee.token,
        )
        .await;
    let list = json_of(res, StatusCode::OK).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_running_server_mails_the_audience_when_a_round_opens() {
    let app = spawn_app_with(|s| s.rounds.check_secs = 1).await;
    let w = app.world().await;
    let mut body = period(-1, 60 * 72);
    body["audience_unit_ids"] = json!([w.unit]);
    app.round(&w.secretariat, w.doc, body).await;
    let mail = app.mail_to(&w.employee.email, 0).await;
    assert!(mail.subject.contains("Đợt 1"), "{}", mail.subject);
}

#[tokio::test]
async fn each_person_gets_one_opening_notice_however_many_processes_look() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.round(&w.secretariat, w.doc, period(-1, 60 * 72)).await;
    // Four passes at once, as four processes would run them.
    let passes: Vec<_> = (0..4).map(|_| app.round_notices()).collect();
    let sent: usize = futures_util::future::join_all(passes)
        .await
        .iter()
        .map(|s| s.openings)
        .sum();
    app.deliver_mail().await;
    let mut to: Vec<String> = read_mails(app.mail_dir.path())
        .into_iter()
        .map(|m| m.to)
        .collect();
    to.sort();
    let mut employees = vec![
        w.employee.email.clone(),
        w.moderator.email.clone(),
        w.other_employee.email.clone(),
    ];
    employees.sort();
    assert_eq!((sent, to), (1, employees));
}

#[tokio::test]
async fn a_reminder_goes_to_those_who_have_not_commented_in_the_round() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Closes within `rounds.reminder_hours` (48).
    let mut body = period(-1, 60 * 24);
    body["audience_unit_ids"] = json!([w.unit]);
    app.round(&w.secretariat, w.doc, body).await;
    let colleague = app
        .user("Đỗ Thị Chưa", &[Role::Employee], Some(w.unit))
        .await;
    json_of(
        app.try_comment(&w.employee.token, w.doc).await,
        StatusCode::CREATED,
    )
    .await;
    let sent = app.round_notices().await;
    assert_eq!((sent.openings, sent.reminders), (1, 1));
    app.deliver_mail().await;
    let reminded: Vec<String> = read_mails(app.mail_dir.path())
        .into_iter()
        .filter(|m| m.subject.starts_with("Nhắc"))
        .map(|m| m.to)
        .collect();
    assert_eq!(reminded, vec![colleague.email]);
}

#[tokio::test]
async fn the_summary_counts_comments_per_round() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.round(&w.secretariat, w.doc, period(-1, 60)).await;
    json_of(
        app.try_comment(&w.employee.token, w.doc).await,
        StatusCode::CREATED,
    )
    .await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/summary", w.doc),
            &w.secretariat.token,
        )
        .await;
    let summary = json_of(res, StatusCode::OK).await;
    let rounds = each(&summary["rounds"], |r| json!([r["round"], r["pending"]]));
    assert_eq!(rounds, vec![json!([1, 1])]);
}

#[tokio::test]
async fn the_export_names_each_comments_round() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.round(&w.secretariat, w.doc, period(-1, 60)).await;
    let comment = json_of(
        app.try_comment(&w.employee.token, w.doc).await,
        StatusCode::CREATED,
    )
    .await;
    let id = comment["id"].as_i64().expect("id");
    app.decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback?format=json", w.doc),
            &w.secretariat.token,
        )
        .await;
    let export = json_of(res, StatusCode::OK).await;
    assert_eq!(
        json!([export["items"][0]["round"], export["items"][0]["version"]]),
        json!([1, 1])
    );
}

#[tokio::test]
async fn the_export_of_a_round_holds_only_that_rounds_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    let before = app
        .comment_id(&w.employee, w.doc, "Góp ý trước khi có đợt")
        .await;
    app.round(&w.secretariat, w.doc, period(-1, 60)).await;
    let within = json_of(
        app.try_comment(&w.employee.token, w.doc).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .expect("id");
    for id in [before, within] {
        let d = app
            .decide(&w.moderator, id, json!({ "action": "approve" }))
            .await;
        assert_eq!(d["status"], "approved", "{d}");
    }
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback?format=json&round=1", w.doc),
            &w.secretariat.token,
        )
        .await;
    let export = json_of(res, StatusCode::OK).await;
    assert_eq!(
        each(&export["items"], |c| c["comment_id"].clone()),
        vec![json!(within)]
    );
}
