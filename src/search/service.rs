//! Search rules: what a query matches and who sees which result.

use crate::db::{write_tx, DbConn};
use crate::error::AppError;
use crate::search::store;
use crate::search::types::{Filter, Hit, HitKind, SearchPage, SearchQuery};
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

/// Search drafts, sections and comments, showing only what `viewer` may see: employees find
/// published and closed drafts, approved comments and their own; moderators and the
/// secretariat every comment; the secretariat drafts too.
pub fn search(
    conn: &mut crate::db::DbConn,
    viewer: &crate::identity::Actor,
    query: SearchQuery,
) -> Result<SearchPage, AppError> {
    if query.q.is_empty() {
        return Err(AppError::field("q", "must not be empty"));
    }
    let q = query.q.trim();
    if q.chars().count() > crate::text::MAX_SEARCH {
        return Err(AppError::field("q", "must be at most 200 characters"));
    }
    let (words, folded) = crate::text::search_words(q);
    let patterns: Vec<String> = words
        .iter()
        .map(|w| crate::text::contains_pattern(w))
        .collect();
    if patterns.is_empty() {
        // Only spaces, punctuation or invisible characters: nothing to look for.
        return Ok(SearchPage {
            items: Vec::new(),
            next_cursor: None,
        });
    }
    let limit = crate::pagination::PageParams {
        cursor: None,
        limit: query.limit,
    }
    .keyset()?
    .limit;
    let (start, before) = match query.cursor.as_deref() {
        None => (HitKind::Document, None),
        Some(c) => decode(c)?,
    };
    let kinds: Vec<HitKind> = HitKind::ALL
        .iter()
        .copied()
        .filter(|k| query.kind.is_none_or(|wanted| wanted == *k))
        .filter(|k| *k >= start)
        .collect();
    let mut filter = Filter {
        patterns,
        folded,
        document_id: query.document_id,
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        drafts: viewer.sees_drafts(),
        all_comments: viewer.sees_all_comments(),
        own: viewer.id,
        before: None,
        limit: 0,
    };
    let word = words[0].clone();
    let cut = |text: &str| crate::text::snippet(text, &word, folded, 60);
    let mut hits: Vec<Hit> = Vec::new();
    for kind in kinds {
        let wanted = limit + 1 - hits.len() as i64;
        if wanted <= 0 {
            break;
        }
        filter.before = if kind == start { before } else { None };
        filter.limit = wanted;
        match kind {
            HitKind::Document => {
                hits.extend(store::documents(conn, &filter)?.into_iter().map(|d| Hit {
                    kind,
                    id: d.id,
                    document_id: d.id,
                    section_id: None,
                    snippet: cut(&d.title),
                    title_or_path: d.title,
                    created_at: d.created_at.and_utc(),
                }))
            }
            HitKind::Section => {
                hits.extend(store::sections(conn, &filter)?.into_iter().map(|s| Hit {
                    kind,
                    id: s.id,
                    document_id: s.document_id,
                    section_id: Some(s.id),
                    snippet: cut(&[s.heading.as_deref().unwrap_or(""), &s.body].join(" ")),
                    title_or_path: s.path,
                    created_at: s.created_at.and_utc(),
                }))
            }
            HitKind::Comment => hits.extend(store::comments(conn, &filter)?.into_iter().map(|c| {
                Hit {
                    kind,
                    id: c.id,
                    document_id: c.document_id,
                    section_id: c.section_id,
                    snippet: cut(
                        &[c.body.as_str(), c.proposed_text.as_deref().unwrap_or("")].join(" ")
                    ),
                    title_or_path: c
                        .section_path
                        .unwrap_or_else(|| crate::feedback::WHOLE_DOCUMENT.to_owned()),
                    created_at: c.created_at.and_utc(),
                }
            })),
        }
    }
    let more = hits.len() as i64 > limit;
    hits.truncate(limit as usize);
    let next_cursor = if more {
        hits.last().map(|h| format!("{}{}", h.kind.letter(), h.id))
    } else {
        None
    };
    Ok(SearchPage {
        items: hits,
        next_cursor,
    })
}

/// `c1234` → (comments, before id 1234).
fn decode(cursor: &str) -> Result<(HitKind, Option<i64>), AppError> {
    let bad = || AppError::field("cursor", "must be the next_cursor of an earlier page");
    let mut chars = cursor.chars();
    let kind = match chars.next() {
        Some('d') => HitKind::Document,
        Some('s') => HitKind::Section,
        Some('c') => HitKind::Comment,
        _ => return Err(bad()),
    };
    let digits = chars.as_str();
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    Ok((kind, Some(digits.parse().map_err(|_| bad())?)))
}
