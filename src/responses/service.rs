//! Recording how each approved comment was handled: one comment or many at once, changed
//! until the draft is archived (each change kept), the author told once.

use chrono::NaiveDateTime;

use crate::accounts::store::users::contact;
use crate::audit::{self, AuditAction, Event};
use crate::comments::store as comments;
use crate::comments::types::{Comment, CommentStatus};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::store as drafts;
use crate::drafts::types::DocumentRow;
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, Locale, RequestMeta};
use crate::input::validated;
use crate::mail::notices::{self, Recipient};
use crate::pagination::Page;
use crate::responses::store::{self, Filter};
use crate::responses::types::{
    NewChange, NewResponse, Response, ResponseInput, ResponseQuery, SharedResponseInput,
};
use crate::text::clean;

/// The draft, or 404.
fn document(conn: &mut DbConn, id: i64) -> Result<DocumentRow, AppError> {
    drafts::find(conn, id)?.ok_or(AppError::NotFound("document"))
}

/// The input checked against the draft: rationale where the law asks for one, the section
/// where the comment was taken in belonging to the same draft.
fn checked(
    conn: &mut DbConn,
    doc: &DocumentRow,
    input: &ResponseInput,
) -> Result<String, AppError> {
    crate::drafts::service::refuse_archived(doc)?;
    let rationale = clean(&input.rationale);
    if rationale.is_empty() && input.decision.needs_rationale() {
        return Err(AppError::field(
            "rationale",
            "Cần giải trình lý do khi không tiếp thu hoặc chỉ tiếp thu một phần",
        ));
    }
    if let Some(section) = input.applied_in_section_id {
        if drafts::section_document(conn, section)? != Some(doc.id) {
            return Err(AppError::field(
                "applied_in_section_id",
                "is not a section of this draft",
            ));
        }
    }
    Ok(rationale)
}

/// Record `input` for one approved comment of `doc` (inside the caller's transaction).
fn record_one(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    doc: &DocumentRow,
    comment: &Comment,
    (input, rationale): (&ResponseInput, &str),
    at: NaiveDateTime,
) -> Result<Response, AppError> {
    if comment.status != CommentStatus::Approved {
        return Err(AppError::conflict(
            ErrorCode::NotApproved,
            format!(
                "comment {} is {}; only approved comments get a response",
                comment.id, comment.status
            ),
        ));
    }
    let row = NewResponse {
        comment_id: comment.id,
        document_id: doc.id,
        decision: input.decision.as_str(),
        rationale,
        applied_in_section_id: input.applied_in_section_id,
        responded_by: actor.id,
        created_at: at,
        updated_at: at,
    };
    let earlier = store::get(conn, comment.id)?;
    let first = earlier.is_none();
    if first {
        store::insert(conn, &row)?;
    } else {
        store::update(conn, &row)?;
    }
    store::insert_change(
        conn,
        &NewChange {
            comment_id: comment.id,
            decision: row.decision,
            rationale,
            applied_in_section_id: row.applied_in_section_id,
            responded_by: actor.id,
            recorded_at: at,
        },
    )?;
    let detail = serde_json::json!({ "decision": input.decision, "first": first });
    audit::record(
        conn,
        Some(actor.id),
        meta,
        Event::new(AuditAction::CommentResponded, Some(comment.id), detail),
    )?;
    if first {
        let to = Recipient::from(contact(conn, comment.author_id)?);
        let words = match to.locale {
            Locale::En => input.decision.label_en(),
            _ => input.decision.label(),
        };
        notices::comment_responded(conn, &to, &comment.receipt, &doc.title, words, rationale)?;
    }
    // What was written, as it now stands (first recorded when it was).
    Ok(Response {
        comment_id: comment.id,
        document_id: doc.id,
        decision: input.decision,
        rationale: rationale.to_owned(),
        applied_in_section_id: input.applied_in_section_id,
        responded_by: actor.id,
        created_at: earlier.map_or(at, |e| e.created_at).and_utc(),
        updated_at: at.and_utc(),
        history: Vec::new(),
    })
}

/// The comment, if it exists (any state: the status check says why it cannot be answered).
fn comment(conn: &mut DbConn, id: i64) -> Result<Comment, AppError> {
    comments::get(conn, id)?
        .map(Comment::from)
        .ok_or(AppError::NotFound("comment"))
}

/// Record (or change) the response to one approved comment (secretariat).
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    comment_id: i64,
    input: ResponseInput,
) -> Result<Response, AppError> {
    let input = validated(input, |i| i)?;
    write_tx(conn, |conn| {
        let comment = comment(conn, comment_id)?;
        let doc = document(conn, comment.document_id)?;
        let rationale = checked(conn, &doc, &input)?;
        record_one(
            conn,
            actor,
            meta,
            &doc,
            &comment,
            (&input, &rationale),
            now(),
        )
    })
}

/// One response for many approved comments of a draft, all or none (secretariat).
pub fn record_shared(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    document_id: i64,
    input: SharedResponseInput,
) -> Result<Vec<Response>, AppError> {
    let input = validated(input, |i| i)?;
    let one = input.response();
    let mut ids = input.comment_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    write_tx(conn, |conn| {
        let doc = document(conn, document_id)?;
        let rationale = checked(conn, &doc, &one)?;
        let at = now();
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            let comment = comment(conn, *id)?;
            if comment.document_id != doc.id {
                return Err(AppError::field(
                    "comment_ids",
                    format!("comment {id} is not on this draft"),
                ));
            }
            out.push(record_one(
                conn,
                actor,
                meta,
                &doc,
                &comment,
                (&one, &rationale),
                at,
            )?);
        }
        Ok(out)
    })
}

/// One comment's response with its history (secretariat).
pub fn get(conn: &mut DbConn, comment_id: i64) -> Result<Response, AppError> {
    let row = store::get(conn, comment_id)?.ok_or(AppError::NotFound("response"))?;
    let mut response = Response::from(row);
    let mut changes: Vec<_> = store::history(conn, comment_id)?
        .into_iter()
        .map(Into::into)
        .collect();
    // The last change is the current response.
    changes.pop();
    response.history = changes;
    Ok(response)
}

/// A draft's responses in comment order (secretariat).
pub fn list(
    conn: &mut DbConn,
    document_id: i64,
    query: ResponseQuery,
) -> Result<Page<Response>, AppError> {
    let page = query.page().keyset()?;
    document(conn, document_id)?;
    let filter = Filter {
        round: query.round,
        decision: query.decision,
        section_id: query.section_id,
    };
    let rows = store::list(conn, document_id, &filter, page)?;
    Ok(Page::from_rows(
        rows.into_iter().map(Response::from).collect(),
        page.limit,
        |r| r.comment_id,
    ))
}

/// Archive a closed draft: its comments and responses are frozen (secretariat).
pub fn archive(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    document_id: i64,
) -> Result<crate::drafts::types::Document, AppError> {
    write_tx(conn, |conn| {
        let doc = document(conn, document_id)?;
        if !store::archive(conn, document_id, now())? {
            let state = if doc.archived_at.is_some() {
                "archived already".to_owned()
            } else {
                doc.status.to_string()
            };
            return Err(AppError::conflict(
                ErrorCode::InvalidDocumentState,
                format!("the document is {state}; only a closed document can be archived"),
            ));
        }
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(
                AuditAction::DocumentArchived,
                Some(document_id),
                serde_json::Value::Null,
            ),
        )?;
        document(conn, document_id).map(Into::into)
    })
}
