//! The moderators' daily digest: once a day at `moderation.digest_hour`, one mail per
//! moderator who has not opted out, with the comments waiting per draft.

use chrono::{NaiveDate, NaiveDateTime};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{json_of, spawn_app_with, TestApp};

/// 08:00 on the display clock (+07:00): after the digest hour (7).
fn morning() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 1)
        .and_then(|d| d.and_hms_opt(1, 0, 0))
        .expect("a time")
}

async fn app() -> TestApp {
    spawn_app_with(|s| {
        s.moderation.digest_hour = 7;
        s.display.utc_offset = "+07:00".into();
    })
    .await
}

impl TestApp {
    /// Run the digest as each process does on its timer, at `at`; mails queued.
    async fn digest(&self, at: NaiveDateTime) -> usize {
        self.with_conn(move |conn, settings| {
            gopy::moderation::digest::run_once(conn, settings, at).expect("digest")
        })
        .await
    }
}

#[tokio::test]
async fn a_moderator_gets_one_digest_a_day_with_the_waiting_count() {
    let app = app().await;
    let w = app.world().await;
    app.comment_id(&w.employee, w.doc, "Góp ý chờ duyệt một")
        .await;
    app.comment_id(&w.employee, w.doc, "Góp ý chờ duyệt hai")
        .await;
    assert_eq!(app.digest(morning()).await, 1);
    assert_eq!(app.digest(morning()).await, 0, "a second pass the same day");
    let mails = app.mails_to(&w.admin, &w.moderator).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["subject"], "gopy: 2 góp ý đang chờ kiểm duyệt");
}

#[tokio::test]
async fn nothing_is_sent_before_the_digest_hour() {
    let app = app().await;
    let w = app.world().await;
    app.comment_id(&w.employee, w.doc, "Góp ý chờ duyệt").await;
    let early = morning() - chrono::TimeDelta::hours(2);
    assert_eq!(app.digest(early).await, 0);
}

#[tokio::test]
async fn a_moderator_who_opted_out_gets_no_digest() {
    let app = app().await;
    let w = app.world().await;
    let me = json_of(
        app.call(Method::PATCH, "/api/v1/me")
            .auth(&w.moderator.token)
            .json(&json!({ "moderation_digest": false }))
            .send()
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["moderation_digest"], false, "{me}");
    app.comment_id(&w.employee, w.doc, "Góp ý chờ duyệt").await;
    assert_eq!(app.digest(morning()).await, 0);
}
