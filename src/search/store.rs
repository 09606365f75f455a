//! The stored search forms: filling in rows written before they existed.

use diesel::prelude::*;

use crate::db::schema::{comments, documents, sections};
use crate::db::DbConn;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentText {
    pub id: i64,
    pub title: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionText {
    pub id: i64,
    pub label: Option<String>,
    pub heading: Option<String>,
    pub body: String,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentText {
    pub id: i64,
    pub body: String,
    pub proposed_text: Option<String>,
}

/// Documents whose lowercase title is missing, up to `limit`.
pub fn documents_unfilled(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<DocumentText>> {
    documents::table
        .filter(documents::title_lower.eq(""))
        .select(DocumentText::as_select())
        .order(documents::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn fill_document(conn: &mut DbConn, id: i64, lower: &str) -> QueryResult<usize> {
    diesel::update(documents::table.find(id))
        .set(documents::title_lower.eq(lower))
        .execute(conn)
}

/// Sections without search forms, up to `limit`.
pub fn sections_unfilled(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<SectionText>> {
    sections::table
        .filter(sections::text_search.eq(""))
        .select(SectionText::as_select())
        .order(sections::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn fill_section(conn: &mut DbConn, id: i64, folded: &str, lower: &str) -> QueryResult<usize> {
    diesel::update(sections::table.find(id))
        .set((
            sections::text_search.eq(folded),
            sections::text_lower.eq(lower),
        ))
        .execute(conn)
}

/// Comments without search forms, up to `limit`.
pub fn comments_unfilled(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<CommentText>> {
    comments::table
        .filter(comments::text_search.eq(""))
        .select(CommentText::as_select())
        .order(comments::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn fill_comment(conn: &mut DbConn, id: i64, folded: &str, lower: &str) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::text_search.eq(folded),
            comments::text_lower.eq(lower),
        ))
        .execute(conn)
}

/// The statuses of documents a search may show.
fn visible(f: &crate::search::types::Filter) -> Vec<&'static str> {
    use crate::drafts::types::DocumentStatus as S;
    let mut out = vec![S::Published.as_str(), S::Closed.as_str()];
    if f.drafts {
        out.push(S::Draft.as_str());
    }
    out
}

pub fn documents(
    conn: &mut DbConn,
    f: &crate::search::types::Filter,
) -> QueryResult<Vec<crate::search::types::DocumentHit>> {
    use crate::search::types::DocumentHit;
    let mut q = documents::table
        .filter(documents::status.eq_any(visible(f)))
        .select(DocumentHit::as_select())
        .order(documents::id.desc())
        .limit(f.limit)
        .into_boxed();
    for p in &f.patterns {
        q = if f.folded {
            q.filter(documents::title_search.like(p.clone()).escape('\\'))
        } else {
            q.filter(documents::title_lower.like(p.clone()).escape('\\'))
        };
    }
    if let Some(d) = f.document_id {
        q = q.filter(documents::id.eq(d));
    }
    if let Some(t) = f.from {
        q = q.filter(documents::created_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(documents::created_at.lt(t));
    }
    if let Some(b) = f.before {
        q = q.filter(documents::id.lt(b));
    }
    q.load(conn)
}

pub fn sections(
    conn: &mut DbConn,
    f: &crate::search::types::Filter,
) -> QueryResult<Vec<crate::search::types::SectionHit>> {
    use crate::search::types::SectionHit;
    let mut q = sections::table
        .inner_join(documents::table)
        .filter(documents::status.eq_any(visible(f)))
        .select(SectionHit::as_select())
        .filter(sections::current.eq(true))
        .order(sections::id.desc())
        .limit(f.limit)
        .into_boxed();
    for p in &f.patterns {
        q = if f.folded {
            q.filter(sections::text_search.like(p.clone()).escape('\\'))
        } else {
            q.filter(sections::text_lower.like(p.clone()).escape('\\'))
        };
    }
    if let Some(d) = f.document_id {
        q = q.filter(sections::document_id.eq(d));
    }
    if let Some(t) = f.from {
        q = q.filter(sections::created_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(sections::created_at.lt(t));
    }
    if let Some(b) = f.before {
        q = q.filter(sections::id.lt(b));
    }
    q.load(conn)
}

/// Comments are searched newest first: first by reading the newest ids in order within a
/// bounded window (for a word in many comments a few thousand rows are enough), and beyond the
/// window through the trigram index only if the window held too few (then the word is rare and
/// the index finds its few comments cheaply). Asked in one query, PostgreSQL underestimates how
/// many comments a word is in and reads every match to sort them (42 ms instead of 2 ms for a
/// word in one comment in a hundred, among a million).
const WINDOW: i64 = 20_000;

pub fn comments(
    conn: &mut DbConn,
    f: &crate::search::types::Filter,
) -> QueryResult<Vec<crate::search::types::CommentHit>> {
    let top = match f.before {
        Some(b) => b - 1,
        None => comments::table
            .select(diesel::dsl::max(comments::id))
            .first::<Option<i64>>(conn)?
            .unwrap_or(0),
    };
    let floor = top - WINDOW;
    let mut hits = comments_between(conn, f, (floor, top + 1), false, f.limit)?;
    if (hits.len() as i64) < f.limit && floor > 0 {
        hits.extend(comments_between(
            conn,
            f,
            (0, floor + 1),
            true,
            f.limit - hits.len() as i64,
        )?);
    }
    Ok(hits)
}

/// Matching comments with `above < id < below`, newest first; `indexed` lets the trigram index
/// be used, otherwise the text is tested row by row in id order.
fn comments_between(
    conn: &mut DbConn,
    f: &crate::search::types::Filter,
    (above, below): (i64, i64),
    indexed: bool,
    limit: i64,
) -> QueryResult<Vec<crate::search::types::CommentHit>> {
    use crate::comments::types::CommentStatus;
    use crate::search::types::CommentHit;
    let mut q = comments::table
        .inner_join(documents::table)
        .left_join(sections::table.on(sections::id.nullable().eq(comments::section_id)))
        .filter(documents::status.eq_any(visible(f)))
        .filter(comments::id.gt(above))
        .filter(comments::id.lt(below))
        .select(CommentHit::as_select())
        .order(comments::id.desc())
        .limit(limit)
        .into_boxed();
    // `column || ''` is the same text, but no index matches it.
    for p in &f.patterns {
        q = match (f.folded, indexed) {
            (true, true) => q.filter(comments::text_search.like(p.clone()).escape('\\')),
            (true, false) => q.filter(
                comments::text_search
                    .concat("")
                    .like(p.clone())
                    .escape('\\'),
            ),
            (false, true) => q.filter(comments::text_lower.like(p.clone()).escape('\\')),
            (false, false) => {
                q.filter(comments::text_lower.concat("").like(p.clone()).escape('\\'))
            }
        };
    }
    if !f.all_comments {
        q = q.filter(
            comments::status
                .eq(CommentStatus::Approved.as_str())
                .or(comments::author_id.eq(f.own)),
        );
    }
    if let Some(d) = f.document_id {
        q = q.filter(comments::document_id.eq(d));
    }
    if let Some(t) = f.from {
        q = q.filter(comments::created_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(comments::created_at.lt(t));
    }
    q.load(conn)
}
