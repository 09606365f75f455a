//! `GET /metrics` (Prometheus text) on its own port: requests by route pattern, and gopy's own
//! gauges and histograms.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app_with, TestApp};

async fn app() -> TestApp {
    spawn_app_with(|s| s.server.metrics_port = Some(0)).await
}

async fn scrape(app: &TestApp) -> String {
    let base = app.metrics_address.as_ref().expect("metrics served");
    let res = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    res.text().await.unwrap()
}

/// The value of the series `name{labels}` exactly as written (labels in the order written).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test]
async fn requests_are_counted_by_route_pattern_not_by_path() {
    let app = app().await;
    let w = app.world().await;
    for id in [w.doc, w.doc + 1000] {
        app.get(&format!("/api/v1/documents/{id}"), &w.employee.token)
            .await;
    }
    let text = scrape(&app).await;
    let series = |status: &str| {
        format!(
            "gopy_http_requests_total{{endpoint=\"/api/v1/documents/{{id}}\",method=\"GET\",\
             status=\"{status}\"}}"
        )
    };
    assert_eq!(value(&text, &series("200")), Some(1.0), "{text}");
    assert_eq!(value(&text, &series("404")), Some(1.0), "{text}");
    assert!(!text.contains(&format!("/documents/{}\"", w.doc)), "{text}");
    assert!(text.contains(
        "gopy_http_requests_duration_seconds_bucket{endpoint=\"/api/v1/documents/{id}\""
    ));
}

#[tokio::test]
async fn paths_no_route_matches_are_one_series() {
    let app = app().await;
    for path in ["/wp-login.php", "/no/such/page/1", "/no/such/page/2"] {
        let res = app.call(reqwest::Method::GET, path).send().await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let text = scrape(&app).await;
    let unmatched =
        "gopy_http_requests_total{endpoint=\"UNMATCHED\",method=\"GET\",status=\"404\"}";
    assert_eq!(value(&text, unmatched), Some(3.0), "{text}");
    assert!(!text.contains("wp-login"), "{text}");
}

#[tokio::test]
async fn the_moderation_queue_shows_its_depth_and_oldest_wait() {
    let app = app().await;
    let w = app.world().await;
    let first = app
        .comment_id(&w.employee, w.doc, "Đề nghị làm rõ Điều 1.")
        .await;
    let at = (chrono::Utc::now() - chrono::Duration::hours(1)).format("%Y-%m-%d %H:%M:%S");
    app.sql(&format!(
        "UPDATE comments SET created_at = '{at}' WHERE id = {first}"
    ))
    .await;
    app.comment(&w.employee, w.doc, json!({ "body": "Điều 2 cần bổ sung." }))
        .await;
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "gopy_moderation_queue_pending"),
        Some(2.0),
        "{text}"
    );
    let oldest = value(&text, "gopy_moderation_queue_oldest_pending_age_seconds").unwrap();
    assert!((3600.0..3700.0).contains(&oldest), "{oldest}");
    assert_eq!(value(&text, "gopy_database_up"), Some(1.0));
}

#[tokio::test]
async fn the_comment_writer_reports_its_batch_sizes() {
    let app = app().await;
    let w = app.world().await;
    app.comment(&w.employee, w.doc, json!({ "body": "Một góp ý." }))
        .await;
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "gopy_comment_writer_batch_size_count"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "gopy_comment_writer_batch_size_sum"),
        Some(1.0),
        "{text}"
    );
}

#[tokio::test]
async fn the_outbox_shows_mail_waiting_to_be_sent() {
    let app = app().await;
    let w = app.world().await;
    let id = app
        .comment_id(&w.employee, w.doc, "Đề nghị làm rõ Điều 1.")
        .await;
    // The author is told of the decision by mail, through the outbox.
    app.decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "gopy_mail_outbox_pending"),
        Some(1.0),
        "{text}"
    );
    assert_eq!(app.deliver_mail().await, 1);
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "gopy_mail_outbox_pending"),
        Some(0.0),
        "{text}"
    );
}

#[tokio::test]
async fn the_pool_and_the_sign_in_queue_are_shown() {
    let app = app().await;
    let text = scrape(&app).await;
    assert_eq!(value(&text, "gopy_db_pool_max"), Some(4.0), "{text}");
    for series in [
        "gopy_db_pool_connections{state=\"in_use\"}",
        "gopy_db_pool_connections{state=\"idle\"}",
        "gopy_db_pool_waiting",
        "gopy_signin_queue",
        "gopy_signin_shed_total",
    ] {
        assert!(value(&text, series).is_some(), "{series} missing: {text}");
    }
}

#[tokio::test]
async fn metrics_are_not_served_on_the_service_port() {
    let app = app().await;
    let res = app.call(reqwest::Method::GET, "/metrics").send().await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_are_off_unless_a_port_is_set() {
    let app = spawn_app_with(|_| {}).await;
    assert!(app.metrics_address.is_none());
}
