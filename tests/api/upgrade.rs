//! Upgrading an embedded (SQLite) database that already holds comments across migration
//! 000014, which rebuilds `comments` and `moderation_events` (SQLite cannot change a CHECK
//! constraint in place): rows, ids, foreign keys and the approved-count triggers survive.
//! SQLite only, whatever `GOPY_TEST_DATABASE_URL` says: PostgreSQL alters in place.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::MigrationHarness;

#[derive(QueryableByName, Debug, PartialEq)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    status: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    sql_query(sql).get_result::<Count>(conn).expect("count").n
}

/// A database migrated up to 000013, holding two comments (one approved) and one event.
fn before_000014() -> (tempfile::TempDir, SqliteConnection) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite3");
    let mut conn = SqliteConnection::establish(&path.display().to_string()).expect("open SQLite");
    conn.batch_execute("PRAGMA foreign_keys = ON;")
        .expect("foreign keys");
    for _ in 0..13 {
        conn.run_next_migration(gopy::db::SQLITE_MIGRATIONS)
            .expect("an earlier migration");
    }
    conn.batch_execute(
        "INSERT INTO users (id, email, email_normalized, full_name, name_search, created_at, updated_at)
             VALUES (1, 'a@x.vn', 'a@x.vn', 'A', 'a', '2026-01-01', '2026-01-01');
         INSERT INTO documents (id, title, title_search, status, created_by, created_at, updated_at)
             VALUES (1, 'Dự thảo', 'du thao', 'published', 1, '2026-01-01', '2026-01-01');
         INSERT INTO sections (id, document_id, position, body, path, created_at)
             VALUES (1, 1, 1, 'Điều 1', 'Điều 1', '2026-01-01');
         INSERT INTO comments (id, document_id, section_id, author_id, body, status, receipt, created_at, updated_at)
             VALUES (7, 1, 1, 1, 'Ý kiến một', 'approved', 'GY-7', '2026-01-01', '2026-01-01'),
                    (9, 1, 1, 1, 'Ý kiến hai', 'pending', 'GY-9', '2026-01-01', '2026-01-01');
         INSERT INTO moderation_events (comment_id, moderator_id, action, from_status, to_status, created_at)
             VALUES (7, 1, 'approve', 'pending', 'approved', '2026-01-01');",
    )
    .expect("rows of the older shape");
    (dir, conn)
}

#[test]
fn the_rebuild_keeps_every_comment_with_its_id_and_status() {
    let (_dir, mut conn) = before_000014();
    conn.run_pending_migrations(gopy::db::SQLITE_MIGRATIONS)
        .expect("migrate");
    let rows: Vec<Row> = sql_query("SELECT id, status FROM comments ORDER BY id")
        .load(&mut conn)
        .expect("comments");
    assert_eq!(
        rows,
        vec![
            Row {
                id: 7,
                status: "approved".into()
            },
            Row {
                id: 9,
                status: "pending".into()
            },
        ]
    );
}

#[test]
fn the_rebuild_keeps_the_event_with_its_moderator_as_actor() {
    let (_dir, mut conn) = before_000014();
    conn.run_pending_migrations(gopy::db::SQLITE_MIGRATIONS)
        .expect("migrate");
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM moderation_events WHERE comment_id = 7 AND actor_id = 1"
        ),
        1
    );
}

#[test]
fn after_the_rebuild_the_approved_count_is_still_kept() {
    let (_dir, mut conn) = before_000014();
    conn.run_pending_migrations(gopy::db::SQLITE_MIGRATIONS)
        .expect("migrate");
    conn.batch_execute("UPDATE comments SET status = 'approved' WHERE id = 9;")
        .expect("approve");
    assert_eq!(
        count(
            &mut conn,
            "SELECT approved_comments AS n FROM sections WHERE id = 1"
        ),
        2
    );
}

#[test]
fn after_the_rebuild_new_comments_take_new_ids_and_foreign_keys_hold() {
    let (_dir, mut conn) = before_000014();
    conn.run_pending_migrations(gopy::db::SQLITE_MIGRATIONS)
        .expect("migrate");
    conn.batch_execute(
        "INSERT INTO comments (document_id, author_id, body, status, receipt, created_at, updated_at)
             VALUES (1, 1, 'Ý kiến ba', 'withdrawn', 'GY-new', '2026-01-02', '2026-01-02');",
    )
    .expect("a comment in a new state");
    assert_eq!(
        (
            count(
                &mut conn,
                "SELECT id AS n FROM comments WHERE receipt = 'GY-new'"
            ),
            count(
                &mut conn,
                "SELECT count(*) AS n FROM pragma_foreign_key_check"
            ),
        ),
        (10, 0)
    );
}
