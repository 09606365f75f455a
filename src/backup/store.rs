//! SQL of backups (SQLite only: the service never calls these for PostgreSQL).

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::MigrationHarness;

use crate::db::schema::comments;

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    quick_check: String,
}

/// A consistent copy of the whole database at `dest` (a new file), taken in one read
/// transaction: writers go on meanwhile (WAL), and the copy holds every commit made before it
/// began.
pub fn vacuum_into(conn: &mut SqliteConnection, dest: &str) -> QueryResult<()> {
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(dest)
        .execute(conn)
        .map(|_| ())
}

/// SQLite's own structural check: `["ok"]` for a sound file, else what is wrong.
pub fn quick_check(conn: &mut SqliteConnection) -> QueryResult<Vec<String>> {
    Ok(diesel::sql_query("PRAGMA quick_check")
        .load::<Check>(conn)?
        .into_iter()
        .map(|c| c.quick_check)
        .collect())
}

pub fn comment_count(conn: &mut SqliteConnection) -> QueryResult<i64> {
    comments::table.count().get_result(conn)
}

/// The migrations the file has had (empty or an error when it is not a gopy database).
pub fn applied_migrations(conn: &mut SqliteConnection) -> anyhow::Result<Vec<String>> {
    let applied = conn
        .applied_migrations()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}
