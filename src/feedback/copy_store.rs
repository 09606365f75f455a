//! The CSV export on PostgreSQL: `COPY (SELECT …) TO STDOUT (FORMAT binary)` of the columns
//! the export writes, decoded here as it arrives (`db::pg_copy`) and written by the same
//! `csv_file::CsvRows` as the batch export. PostgreSQL sends every value in its wire form — no
//! time or number turned into text, no cell rewritten — and its work is the join alone, while
//! gopy encodes on another core: faster than COPY writing the CSV itself (README, Performance).
//!
//! COPY takes no bind parameters, so its values — the document's and section's ids, a round's
//! id, a status's stored name, never a text from input — are written into the statement:
//! PostgreSQL then plans with them known, and evaluates nothing per row (read from session
//! settings instead, the COPY took a quarter longer). Diesel runs a COPY only of a
//! `CopyTarget`, whose SQL it asks for without an instance: `ExportSelect` hands over the
//! statement the current thread has just set.

use std::collections::HashMap;
use std::io;

use diesel::connection::SimpleConnection;
use diesel::pg::{CopyFormat, CopyTarget, Pg};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::Text;

use crate::comments::response::Decision;
use crate::db::pg_copy::{self, required, Tuple};
use crate::db::schema::{comments, rounds};
use crate::db::DbConn;
use crate::feedback::csv_file::Record;
use crate::feedback::store::Which;
use crate::feedback::types::ExportRow;

/// The columns of the export's SELECT, in order (`record` reads them by these positions).
const COLUMNS: usize = 16;

/// The SELECT of one export group: its comments with their authors' and units' names. The
/// group's section path and the draft's round numbers are the same for many rows and are
/// looked up apart (`Names`): joined here, PostgreSQL planned them as a scan of the small table
/// for every comment (a third of the COPY's time).
fn select(document_id: i64, which: &Which) -> String {
    let section = match which.section {
        Some(id) => format!("= {id}"),
        None => "IS NULL".to_owned(),
    };
    let round = match which.round_id {
        Some(id) => format!("AND c.round_id = {id}"),
        None => String::new(),
    };
    // A stored spelling: lowercase letters and underscores, nothing to escape.
    let status = which.status.as_str();
    format!(
        "(SELECT c.id, c.author_id, c.receipt, u.full_name, un.name, \
         c.on_behalf_of_unit, c.contributed_by, c.created_at, c.decided_at, c.body, \
         c.proposed_text, c.round_id, c.version, c.cluster_id, cr.decision, cr.rationale \
         FROM comments c \
         JOIN users u ON u.id = c.author_id \
         LEFT JOIN units un ON un.id = c.unit_id \
         LEFT JOIN comment_responses cr ON cr.comment_id = c.id \
         WHERE c.document_id = {document_id} AND c.status = '{status}' \
           AND c.section_id {section} {round} \
         ORDER BY c.id)"
    )
}

thread_local! {
    /// The SELECT `ExportSelect` writes: set by `copy_records` just before it runs the COPY.
    static SELECT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The export's SELECT as a COPY source.
struct ExportSelect;

impl CopyTarget for ExportSelect {
    type Table = comments::table;
    type SqlType = Text;

    fn walk_target(mut pass: AstPass<'_, '_, Pg>) -> QueryResult<()> {
        SELECT.with_borrow(|sql| pass.push_sql(sql));
        Ok(())
    }
}

/// Run before each group's COPY: planned without parallel workers (one stream in id order),
/// and sent with the simple protocol, which also collects what the previous COPY left (diesel
/// reads COPY data to its end but not the statement's outcome after it).
const BEFORE: &str = "SET max_parallel_workers_per_gather = 0";

/// One section's export as psql would run it. The bench times PostgreSQL's own share of the
/// export with these.
pub fn section_copy_statements(document_id: i64, section: i64) -> [String; 2] {
    let which = Which {
        status: crate::comments::types::CommentStatus::Approved,
        round_id: None,
        section: Some(section),
    };
    [
        BEFORE.to_owned(),
        format!(
            "COPY {} TO STDOUT (FORMAT binary)",
            select(document_id, &which)
        ),
    ]
}

fn text<'a>(t: &Tuple<'a, COLUMNS>, i: usize) -> io::Result<&'a [u8]> {
    t.bytes(i)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "NULL text"))
}

/// What the export's rows name by id, looked up apart from the COPY.
struct Names<'a> {
    /// Round id → its number, for the draft's rounds.
    rounds: &'a HashMap<i64, i32>,
    /// The group's section path (None: the whole draft).
    section_path: Option<&'a str>,
}

/// The draft's rounds' numbers by id.
pub fn round_numbers(conn: &mut DbConn, document_id: i64) -> QueryResult<HashMap<i64, i32>> {
    Ok(rounds::table
        .filter(rounds::document_id.eq(document_id))
        .select((rounds::id, rounds::number))
        .load::<(i64, i32)>(conn)?
        .into_iter()
        .collect())
}

/// One tuple of the SELECT as the CSV writes it, with its author's id.
fn record<'a>(t: &Tuple<'a, COLUMNS>, names: &'a Names<'_>) -> io::Result<(i64, Record<'a>)> {
    let invalid = |what| io::Error::new(io::ErrorKind::InvalidData, what);
    let decision = t
        .bytes(14)
        .map(|d| {
            std::str::from_utf8(d)
                .ok()
                .and_then(|d| d.parse::<Decision>().ok())
                .ok_or_else(|| invalid("unknown decision"))
        })
        .transpose()?;
    let round = match t.int8(11)? {
        Some(id) => Some(
            *names
                .rounds
                .get(&id)
                .ok_or_else(|| invalid("a round of another draft"))?,
        ),
        None => None,
    };
    let contributed_by = t.bytes(6);
    let on_behalf = required(t.bool(5))?;
    Ok((
        required(t.int8(1))?,
        Record {
            comment_id: required(t.int8(0))?,
            receipt: text(t, 2)?,
            section_path: names.section_path.map(str::as_bytes),
            author_name: text(t, 3)?,
            unit: contributed_by.or(t.bytes(4)).unwrap_or_default(),
            kind: ExportRow::kind_of(on_behalf, contributed_by.is_some()),
            created_at: required(t.timestamp(7))?,
            decided_at: t.timestamp(8)?,
            body: text(t, 9)?,
            proposed_text: t.bytes(10),
            round,
            version: required(t.int4(12))?,
            cluster_id: t.int8(13)?,
            decision,
            rationale: t.bytes(15),
        },
    ))
}

/// Feed one group's comments to `each` (author's id, record), `section_path` being the
/// group's (None: the whole draft) and `rounds` the draft's `round_numbers`: `Ok(Some(()))`
/// when the group was read to its end, `Ok(None)` on SQLite. An error (of the COPY or of
/// `each`) leaves the connection mid-COPY: drop it. After the last group, call `copy_done`.
pub fn copy_records(
    conn: &mut DbConn,
    document_id: i64,
    which: &Which,
    section_path: Option<&str>,
    rounds: &HashMap<i64, i32>,
    each: &mut dyn FnMut(i64, &Record<'_>) -> io::Result<()>,
) -> QueryResult<Option<()>> {
    let DbConn::Pg(pg) = conn else {
        return Ok(None);
    };
    pg.batch_execute(BEFORE)?;
    let names = Names {
        rounds,
        section_path,
    };
    SELECT.with_borrow_mut(|sql| *sql = select(document_id, which));
    let mut out = diesel::copy_to(ExportSelect)
        .with_format(CopyFormat::Binary)
        .load_raw(pg)?;
    pg_copy::for_each::<COLUMNS>(&mut out, &mut |t| {
        let (author, r) = record(t, &names)?;
        each(author, &r).map(|()| true)
    })
    .map(|_| Some(()))
    .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

/// Leave the connection as it was before the export (its last COPY collected).
pub fn copy_done(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => pg.batch_execute("RESET max_parallel_workers_per_gather"),
        DbConn::Sqlite(_) => Ok(()),
    }
}
