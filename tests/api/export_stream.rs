//! A CSV export streamed from PostgreSQL's COPY that its client abandons midway: the COPY is
//! stopped and its connection dropped, not handed to the next request mid-COPY.
//! PostgreSQL suite only (SQLite exports in batches, with no COPY to leave open).

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use futures_util::StreamExt;
use reqwest::StatusCode;

use crate::helpers::{eventually, spawn_app, TestApp};

/// Approved comments on the first section, long enough together (~40 MB) that the answer
/// cannot all wait in socket buffers: the export is still running when its client leaves.
async fn seed(app: &TestApp, doc: i64, section: i64, author: i64, n: usize) {
    let body = "Đề nghị làm rõ phạm vi điều chỉnh của dự thảo. ".repeat(12);
    // Triggers off, as the bench seeds: those keeping the section's count and revision would
    // update its one row once per comment, and in one transaction that grows quadratically.
    app.sql(&format!(
        "SET session_replication_role = replica; \
         INSERT INTO comments (document_id, section_id, author_id, body, status, receipt, \
         created_at, updated_at, decided_at) \
         SELECT {doc}, {section}, {author}, '{body}', 'approved', 'GY-BIG-' || i, \
         '2026-11-26 01:00:00', '2026-11-26 01:00:00', '2026-11-26 02:00:00' \
         FROM generate_series(1, {n}) AS i; \
         SET session_replication_role = DEFAULT"
    ))
    .await;
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Connections of this database's still running a COPY.
async fn running_copies(app: &TestApp) -> i64 {
    app.with_conn(|conn, _| {
        diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY %'",
        )
        .get_result::<Count>(conn)
        .expect("pg_stat_activity")
        .n
    })
    .await
}

#[tokio::test]
async fn an_export_its_client_abandons_stops_its_copy_and_the_next_one_is_whole() {
    let app = spawn_app().await;
    if !app.db_url().starts_with("postgres") {
        eprintln!("COPY is PostgreSQL's: run in the PostgreSQL suite");
        return;
    }
    let w = app.world().await;
    let n = 60_000;
    seed(&app, w.doc, w.sections[0], w.employee.id, n).await;
    let path = format!("/api/v1/documents/{}/feedback?format=csv", w.doc);

    let res = app.get(&path, &w.secretariat.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.bytes_stream();
    let first = body.next().await.expect("a first chunk").expect("bytes");
    assert!(!first.is_empty());
    drop(body);

    eventually("the abandoned export's COPY to stop", || async {
        (running_copies(&app).await == 0).then_some(())
    })
    .await;
    // Every pooled connection in turn: none is left mid-COPY.
    for _ in 0..=app.settings.database.pool_size {
        let res = app.get(&path, &w.secretariat.token).await;
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.expect("the whole export");
        assert_eq!(text.matches("\r\n").count(), n + 1);
    }
}
