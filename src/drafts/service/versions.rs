//! Versions of a document's text: the draft of the next one, publishing it, comparing two.
//! A section keeps its id across versions (matched by path or by text), so comments made on
//! one version still point at the section in the next.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use similar::{ChangeTag, TextDiff};

use crate::audit::{self, AuditAction, Event};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::import::ImportedSection;
use crate::drafts::store::versions;
use crate::drafts::types::{
    Change, DiffOp, DiffPart, Document, DocumentStatus, Section, SectionDiff, Version, VersionDiff,
    VersionStatus,
};
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};

use super::{get, in_reading_order, sections_in_order};

/// The number of the draft of the next version, created from the current text if needed.
pub fn ensure_draft(
    conn: &mut DbConn,
    actor: &Actor,
    doc: &Document,
    at: NaiveDateTime,
) -> Result<i32, AppError> {
    let next = doc.current_version + 1;
    if versions::find(conn, doc.id, next)?.is_none() {
        versions::insert(conn, doc.id, next, actor.id, at)?;
        versions::snapshot_current(conn, doc.id, next)?;
    }
    Ok(next)
}

/// The draft of the next version, emptied (an import writes all of it).
pub fn fresh_draft(
    conn: &mut DbConn,
    actor: &Actor,
    doc: &Document,
    at: NaiveDateTime,
) -> Result<i32, AppError> {
    let next = doc.current_version + 1;
    if versions::find(conn, doc.id, next)?.is_some() {
        versions::clear(conn, doc.id, next)?;
    } else {
        versions::insert(conn, doc.id, next, actor.id, at)?;
    }
    Ok(next)
}

/// The sections of version `number` as `viewer` may see them; 404 for an unknown version or
/// (for employees) a draft one.
pub fn version_sections(
    conn: &mut DbConn,
    doc: &Document,
    viewer: &Actor,
    number: i32,
) -> Result<Vec<Section>, AppError> {
    if number == doc.current_version {
        return sections_in_order(conn, doc.id);
    }
    match versions::find(conn, doc.id, number)? {
        Some(v) if v.status == VersionStatus::Published || viewer.sees_drafts() => Ok(
            in_reading_order(versions::sections_of(conn, doc.id, number)?),
        ),
        _ => Err(AppError::NotFound("version")),
    }
}

pub fn list_versions(
    conn: &mut DbConn,
    viewer: &Actor,
    document_id: i64,
) -> Result<Vec<Version>, AppError> {
    let doc = get(conn, document_id, viewer)?;
    let (sections, comments) = versions::counts(conn, document_id)?;
    let sections: HashMap<i32, i64> = sections.into_iter().map(|c| (c.version, c.count)).collect();
    let comments: HashMap<i32, i64> = comments.into_iter().map(|c| (c.version, c.count)).collect();
    let mut out = Vec::new();
    for v in versions::list(conn, document_id)? {
        if v.status == VersionStatus::Draft && !viewer.sees_drafts() {
            continue;
        }
        let count = match sections.get(&v.number) {
            Some(n) => *n,
            // A text never published lives only in the sections themselves.
            None if v.number == doc.current_version => {
                sections_in_order(conn, document_id)?.len() as i64
            }
            None => 0,
        };
        out.push(Version {
            number: v.number,
            status: v.status,
            current: v.number == doc.current_version,
            created_at: v.created_at.and_utc(),
            published_at: v.published_at.map(|t| t.and_utc()),
            sections: count,
            comments: comments.get(&v.number).copied().unwrap_or(0),
        });
    }
    Ok(out)
}

/// Make the draft version `number` the text under consultation.
pub fn publish_version(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    document_id: i64,
    number: i32,
) -> Result<Document, AppError> {
    write_tx(conn, |conn| {
        let doc = get(conn, document_id, actor)?;
        let version =
            versions::find(conn, document_id, number)?.ok_or(AppError::NotFound("version"))?;
        if doc.status != DocumentStatus::Published {
            return Err(AppError::conflict(
                ErrorCode::InvalidDocumentState,
                format!(
                    "the document is {}; a new version is published while it is published",
                    doc.status
                ),
            ));
        }
        let at = now();
        if version.status != VersionStatus::Draft
            || !versions::set_published(conn, document_id, number, at)?
        {
            return Err(AppError::conflict(
                ErrorCode::VersionNotDraft,
                format!("version {number} is already published"),
            ));
        }
        crate::db::plan_for_growing_tables(conn)?;
        versions::make_current(conn, document_id, number, at)?;
        let detail = serde_json::json!({ "version": number, "previous": doc.current_version });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::VersionPublished, Some(document_id), detail),
        )?;
        get(conn, document_id, actor)
    })
}

fn section_text(heading: Option<&str>, body: &str) -> String {
    match heading {
        Some(h) if !body.is_empty() => format!("{h}\n{body}"),
        Some(h) => h.to_owned(),
        None => body.to_owned(),
    }
}

/// Word-level difference of two texts, consecutive words of one kind joined.
fn word_diff(old: &str, new: &str) -> Vec<DiffPart> {
    let mut parts: Vec<DiffPart> = Vec::new();
    for change in TextDiff::from_words(old, new).iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => DiffOp::Equal,
            ChangeTag::Insert => DiffOp::Insert,
            ChangeTag::Delete => DiffOp::Delete,
        };
        match parts.last_mut() {
            Some(last) if last.op == op => last.text.push_str(change.value()),
            _ => parts.push(DiffPart {
                op,
                text: change.value().to_owned(),
            }),
        }
    }
    parts
}

/// How each section changed from version `from` to version `to`.
pub fn diff(
    conn: &mut DbConn,
    viewer: &Actor,
    document_id: i64,
    from: i32,
    to: i32,
) -> Result<VersionDiff, AppError> {
    for (field, v) in [("from", from), ("to", to)] {
        if v < 1 {
            return Err(AppError::field(field, "must be 1 or more"));
        }
    }
    let doc = get(conn, document_id, viewer)?;
    let old = version_sections(conn, &doc, viewer, from)?;
    let new = version_sections(conn, &doc, viewer, to)?;
    let old_by_id: HashMap<i64, &Section> = old.iter().map(|s| (s.id, s)).collect();
    let new_ids: HashSet<i64> = new.iter().map(|s| s.id).collect();
    let mut out = Vec::new();
    for s in &new {
        let text_to = section_text(s.heading.as_deref(), &s.body);
        let (change, diff, path_from) = match old_by_id.get(&s.id) {
            None => (Change::Added, word_diff("", &text_to), None),
            Some(o) => {
                let text_from = section_text(o.heading.as_deref(), &o.body);
                let change = if text_from != text_to {
                    Change::Changed
                } else if o.path != s.path {
                    Change::Moved
                } else {
                    Change::Unchanged
                };
                (
                    change,
                    word_diff(&text_from, &text_to),
                    Some(o.path.clone()),
                )
            }
        };
        out.push(SectionDiff {
            id: s.id,
            path_from,
            path_to: Some(s.path.clone()),
            change,
            diff,
        });
    }
    for o in old.iter().filter(|o| !new_ids.contains(&o.id)) {
        out.push(SectionDiff {
            id: o.id,
            path_from: Some(o.path.clone()),
            path_to: None,
            change: Change::Removed,
            diff: word_diff(&section_text(o.heading.as_deref(), &o.body), ""),
        });
    }
    Ok(VersionDiff {
        from,
        to,
        sections: out,
    })
}

/// Folded words of a section's text, for comparing texts.
fn words(heading: Option<&str>, body: &str) -> HashSet<String> {
    crate::text::fold(&section_text(heading, body))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    // Dice coefficient over the two sets of words.
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

/// Text similarity above which a renumbered or moved section keeps its id.
pub const SAME_SECTION: f64 = 0.6;

/// For each imported section, the id of the current section it continues, if any: the same
/// text anywhere, else the same path with a related text, else the most similar text above
/// `SAME_SECTION`, else the same path.
pub fn match_sections(old: &[Section], new: &[ImportedSection]) -> Vec<Option<i64>> {
    let old_words: Vec<HashSet<String>> = old
        .iter()
        .map(|s| words(s.heading.as_deref(), &s.body))
        .collect();
    let new_words: Vec<HashSet<String>> = new
        .iter()
        .map(|s| words(s.heading.as_deref(), &s.body))
        .collect();
    let mut taken = vec![false; old.len()];
    let mut result: Vec<Option<i64>> = vec![None; new.len()];
    let assign = |result: &mut Vec<Option<i64>>, taken: &mut Vec<bool>, n: usize, o: usize| {
        result[n] = Some(old[o].id);
        taken[o] = true;
    };
    // 1. The same text (and kind of heading) anywhere: renumbered or moved, not edited.
    let mut by_text: HashMap<String, Vec<usize>> = HashMap::new();
    for (o, s) in old.iter().enumerate() {
        by_text
            .entry(section_text(s.heading.as_deref(), &s.body))
            .or_default()
            .push(o);
    }
    for (n, s) in new.iter().enumerate() {
        let text = section_text(s.heading.as_deref(), &s.body);
        if text.is_empty() {
            continue;
        }
        if let Some(o) = by_text
            .get(&text)
            .and_then(|c| c.iter().copied().find(|o| !taken[*o]))
        {
            assign(&mut result, &mut taken, n, o);
        }
    }
    let by_path: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(o, s)| (s.path.as_str(), o))
        .collect();
    // 2. The same path and a related text: edited in place.
    for (n, s) in new.iter().enumerate() {
        if result[n].is_some() {
            continue;
        }
        if let Some(&o) = by_path.get(s.path.as_str()) {
            if !taken[o] && similarity(&old_words[o], &new_words[n]) >= 0.3 {
                assign(&mut result, &mut taken, n, o);
            }
        }
    }
    // 3. The most similar remaining text: renumbered or moved, and edited.
    for n in 0..new.len() {
        if result[n].is_some() {
            continue;
        }
        let best = (0..old.len())
            .filter(|o| !taken[*o])
            .map(|o| (o, similarity(&old_words[o], &new_words[n])))
            .filter(|(_, sim)| *sim >= SAME_SECTION)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((o, _)) = best {
            assign(&mut result, &mut taken, n, o);
        }
    }
    // 4. The same path, even rewritten.
    for (n, s) in new.iter().enumerate() {
        if result[n].is_some() {
            continue;
        }
        if let Some(&o) = by_path.get(s.path.as_str()) {
            if !taken[o] {
                assign(&mut result, &mut taken, n, o);
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_diff_rebuilds_both_texts() {
        let (old, new) = (
            "Cán bộ, công chức và cơ quan có liên quan.",
            "Cán bộ, công chức, viên chức và cơ quan có liên quan.",
        );
        let parts = word_diff(old, new);
        let rebuild = |skip: DiffOp| -> String {
            parts
                .iter()
                .filter(|p| p.op != skip)
                .map(|p| p.text.as_str())
                .collect()
        };
        assert_eq!(
            (rebuild(DiffOp::Insert), rebuild(DiffOp::Delete)),
            (old.to_owned(), new.to_owned())
        );
    }
}
