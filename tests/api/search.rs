//! Search with or without diacritics.

use diesel::prelude::*;

use crate::helpers::spawn_app;

#[tokio::test]
async fn rows_written_before_search_existed_are_filled_in_by_migrate() {
    let app = spawn_app().await;
    let w = app.world().await;
    let comment = app
        .comment_id(&w.employee, w.doc, "Quy hoạch cán bộ ĐẢNG VIÊN")
        .await;
    app.sql("UPDATE documents SET title_lower = ''; UPDATE sections SET text_search = '', text_lower = ''; UPDATE comments SET text_search = '', text_lower = ''").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crate::process::gopy(&app._db, dir.path())
        .arg("migrate")
        .output()
        .expect("gopy migrate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("search forms filled in for 4 rows"),
        "{stdout}"
    );
    let pool = app.pool.clone();
    let (folded, lower): (String, String) = tokio::task::spawn_blocking(move || {
        use gopy::db::schema::comments;
        let mut conn = pool.get().expect("conn");
        comments::table
            .find(comment)
            .select((comments::text_search, comments::text_lower))
            .first(&mut **conn)
            .expect("row")
    })
    .await
    .expect("join");
    assert_eq!(
        (folded.as_str(), lower.as_str()),
        ("quy hoach can bo dang vien", "quy hoạch cán bộ đảng viên")
    );
    let again = crate::process::gopy(&app._db, dir.path())
        .arg("migrate")
        .output()
        .expect("gopy migrate");
    assert!(
        !String::from_utf8_lossy(&again.stdout).contains("filled in"),
        "a second run has nothing to do"
    );
}
