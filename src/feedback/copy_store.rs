//! The CSV export on PostgreSQL: `COPY (SELECT …) TO STDOUT (FORMAT csv)`, PostgreSQL writing
//! every field as the batch encoder (`export::Csv`) would — neutralised against formula
//! injection, times in the display zone, the same labels — so that gopy only turns its line
//! ends into CRLF. About twice as fast as reading rows and encoding them here (README,
//! Performance).
//!
//! COPY takes no bind parameters, so the statement is fixed text and its values (document,
//! section, status, round, time offset) are session settings (`set_config`) it reads once.
//! Diesel runs a COPY only of a `CopyTarget`, which it writes between `COPY` and `TO STDOUT`:
//! implemented here for the parenthesised SELECT.

use std::io::BufRead;
use std::sync::LazyLock;

use diesel::connection::SimpleConnection;
use diesel::pg::{CopyFormat, CopyTarget, Pg};
use diesel::prelude::*;
use diesel::query_builder::AstPass;
use diesel::sql_types::Text;

use crate::comments::response::Decision;
use crate::db::schema::comments;
use crate::db::DbConn;
use crate::feedback::export::CSV_HEADER;
use crate::feedback::store::Which;
use crate::feedback::types::ExportRow;
use crate::feedback::WHOLE_DOCUMENT;

fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `export::neutralise` in SQL, and an empty text as NULL (written unquoted, as the batch
/// encoder writes an empty field; PostgreSQL quotes an empty string). The first character is
/// tested by its code (`=`, `+`, `-`, `@`, tab, CR): `ascii()` costs next to nothing, where
/// `left(…, 1) IN (…)` made a text per row and cell (a sixth of the export's time).
fn cell(expr: &str) -> String {
    format!(
        "CASE WHEN ascii({expr}) IN (61, 43, 45, 64, 9, 13) THEN '''' || {expr} \
         ELSE NULLIF({expr}, '') END"
    )
}

/// A time in the display zone as `YYYY-MM-DD HH:MM:SS` (whole seconds, cut, not rounded): the
/// text form of a timestamp under `DateStyle` ISO, which `copy_csv` sets; a third cheaper than
/// `to_char` with a pattern.
fn local_time(expr: &str) -> String {
    format!("date_trunc('second', {expr} + p.shift)::text")
}

/// The SELECT of one export group, in the columns of `export::CSV_HEADER`.
fn select(whole_draft: bool) -> String {
    let decision = Decision::ALL
        .iter()
        .map(|d| format!("WHEN {} THEN {}", literal(d.as_str()), literal(d.label())))
        .collect::<Vec<_>>()
        .join(" ");
    let [rolled_up, collective, personal] = ExportRow::KINDS;
    let section = if whole_draft {
        "c.section_id IS NULL"
    } else {
        "c.section_id = current_setting('gopy.export_section')::bigint"
    };
    format!(
        "((SELECT c.id, {receipt}, {path}, {author}, {unit}, \
         CASE WHEN c.contributed_by IS NOT NULL THEN {rolled_up} \
              WHEN c.on_behalf_of_unit THEN {collective} ELSE {personal} END, \
         {created}, {decided}, {body}, {proposed}, r.number, c.version, c.cluster_id, \
         CASE cr.decision {decision} END, {rationale} \
         FROM comments c \
         CROSS JOIN (SELECT current_setting('gopy.export_shift')::interval AS shift, \
                            nullif(current_setting('gopy.export_round'), '')::bigint AS round \
                     OFFSET 0) p \
         JOIN users u ON u.id = c.author_id \
         LEFT JOIN units un ON un.id = c.unit_id \
         LEFT JOIN sections s ON s.id = c.section_id \
         LEFT JOIN rounds r ON r.id = c.round_id \
         LEFT JOIN comment_responses cr ON cr.comment_id = c.id \
         WHERE c.document_id = current_setting('gopy.export_document')::bigint \
           AND c.status = current_setting('gopy.export_status') AND {section} \
           AND (p.round IS NULL OR c.round_id = p.round) \
         ORDER BY c.id) UNION ALL SELECT -1{nulls})",
        nulls = ", NULL".repeat(CSV_HEADER.len() - 1),
        receipt = cell("c.receipt"),
        path = cell(&format!("coalesce(s.path, {})", literal(WHOLE_DOCUMENT))),
        author = cell("u.full_name"),
        unit = cell("coalesce(c.contributed_by, un.name)"),
        rolled_up = literal(rolled_up),
        collective = literal(collective),
        personal = literal(personal),
        created = local_time("c.created_at"),
        decided = local_time("c.decided_at"),
        body = cell("c.body"),
        proposed = cell("c.proposed_text"),
        rationale = cell("cr.rationale"),
    )
}

static SECTION_SELECT: LazyLock<String> = LazyLock::new(|| select(false));
static WHOLE_DRAFT_SELECT: LazyLock<String> = LazyLock::new(|| select(true));

/// The export's SELECT as a COPY source: of one section, or of the whole draft's comments.
pub struct ExportSelect<const WHOLE_DRAFT: bool>;

impl<const WHOLE_DRAFT: bool> CopyTarget for ExportSelect<WHOLE_DRAFT> {
    type Table = comments::table;
    type SqlType = Text;

    fn walk_target(mut pass: AstPass<'_, '_, Pg>) -> QueryResult<()> {
        pass.push_sql(if WHOLE_DRAFT {
            &WHOLE_DRAFT_SELECT
        } else {
            &SECTION_SELECT
        });
        Ok(())
    }
}

/// The line each group's COPY ends with: an id no comment has, every other field empty. A
/// COPY that PostgreSQL stops midway (a cancelled query on a replica, say) ends without it —
/// diesel reads COPY data to its end but not the statement's outcome after it.
fn trailer() -> Vec<u8> {
    let mut line = b"-1".to_vec();
    line.extend(std::iter::repeat_n(b',', CSV_HEADER.len() - 1));
    line.push(b'\n');
    line
}

/// The statements that hand one group's values to the export's SELECT as session settings:
/// values a COPY can read, none of them from input (ids, a status name, seconds). SET, not
/// `set_config`, so that they answer no rows.
fn settings(document_id: i64, which: &Which, shift_secs: i32) -> String {
    let section = which.section.map_or(String::new(), |s| s.to_string());
    let round = which.round_id.map_or(String::new(), |r| r.to_string());
    format!(
        "SET gopy.export_document = '{document_id}'; \
         SET gopy.export_status = {status}; \
         SET gopy.export_section = '{section}'; \
         SET gopy.export_round = '{round}'; \
         SET gopy.export_shift = '{shift_secs} seconds'; \
         SET max_parallel_workers_per_gather = 0; \
         SET DateStyle = 'ISO'",
        status = literal(which.status.as_str()),
    )
}

/// One section's export as psql would run it: its settings, then its COPY. The bench times
/// PostgreSQL's own share of the export with these.
pub fn section_copy_statements(document_id: i64, section: i64) -> [String; 2] {
    let which = Which {
        status: crate::comments::types::CommentStatus::Approved,
        round_id: None,
        section: Some(section),
    };
    [
        settings(document_id, &which, 0),
        format!("COPY {} TO STDOUT (FORMAT csv)", *SECTION_SELECT),
    ]
}

/// Feed one group's CSV records (PostgreSQL's: LF-terminated, one record a chunk, no header) to
/// `sink` until it is done or `sink` returns false: `Ok(Some(true))` when the group was read
/// to its end, `Ok(Some(false))` when `sink` stopped it (the connection is then mid-COPY: drop
/// it), `Ok(None)` on SQLite. After the last group, call `copy_done`.
pub fn copy_csv(
    conn: &mut DbConn,
    document_id: i64,
    which: &Which,
    shift_secs: i32,
    sink: &mut dyn FnMut(&[u8]) -> bool,
) -> QueryResult<Option<bool>> {
    let DbConn::Pg(pg) = conn else {
        return Ok(None);
    };
    // Run with the simple protocol, which also collects what the previous group's COPY left.
    pg.batch_execute(&settings(document_id, which, shift_secs))?;
    let mut out = match which.section {
        Some(_) => Box::new(
            diesel::copy_to(ExportSelect::<false>)
                .with_format(CopyFormat::Csv)
                .load_raw(pg)?,
        ) as Box<dyn BufRead>,
        None => Box::new(
            diesel::copy_to(ExportSelect::<true>)
                .with_format(CopyFormat::Csv)
                .load_raw(pg)?,
        ),
    };
    let trailer = trailer();
    loop {
        let record = out
            .fill_buf()
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
        if record.is_empty() {
            return Err(diesel::result::Error::DeserializationError(
                "the export's COPY ended before its last line".into(),
            ));
        }
        if record == trailer.as_slice() {
            return Ok(Some(true));
        }
        let n = record.len();
        if !sink(record) {
            return Ok(Some(false));
        }
        out.consume(n);
    }
}

/// Leave the connection as it was before the export (its last COPY collected).
pub fn copy_done(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => {
            pg.batch_execute("RESET max_parallel_workers_per_gather; RESET DateStyle")
        }
        DbConn::Sqlite(_) => Ok(()),
    }
}
