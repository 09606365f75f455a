//! Search rules: what a query matches and who sees which result.

use crate::db::{write_tx, DbConn};
use crate::error::AppError;
use crate::search::store;
use crate::text::search_forms;

/// Rows filled per transaction while back-filling.
const BATCH: i64 = 1000;

/// Fill in the search forms of rows written before they were stored (a database migrated from
/// an older gopy). Idempotent: a row once filled is not read again. Returns how many rows.
pub fn backfill(conn: &mut DbConn) -> Result<usize, AppError> {
    let mut filled = 0;
    loop {
        let n = write_tx(conn, |conn| {
            let mut n = 0;
            for d in store::documents_unfilled(conn, BATCH)? {
                let (_, lowered) = search_forms([d.title.as_str()]);
                n += store::fill_document(conn, d.id, &lowered)?;
            }
            for s in store::sections_unfilled(conn, BATCH)? {
                let (folded, lowered) = search_forms([
                    s.label.as_deref().unwrap_or(""),
                    s.heading.as_deref().unwrap_or(""),
                    &s.body,
                ]);
                n += store::fill_section(conn, s.id, &folded, &lowered)?;
            }
            for c in store::comments_unfilled(conn, BATCH)? {
                let (folded, lowered) =
                    search_forms([c.body.as_str(), c.proposed_text.as_deref().unwrap_or("")]);
                n += store::fill_comment(conn, c.id, &folded, &lowered)?;
            }
            Ok::<_, AppError>(n)
        })?;
        if n == 0 {
            return Ok(filled);
        }
        filled += n;
    }
}
