//! Who may see which comment, and submitting one.

use bytes::Bytes;

use crate::comments::idempotency::{check_key, Created};
use crate::comments::page_cache::{PageCache, PageKey};
use crate::comments::types::{
    Comment, CommentDetail, CommentFilter, CommentQuery, CommentStatus, ModerationEvent,
    NewComment, PublicComment, Revision, ScreeningTerms,
};
use crate::comments::writer::{CommentWriter, Submission};
use crate::comments::{page_store, store};
use crate::context::Context;
use crate::db::{with_generic_plans, DbConn};
use crate::drafts::service as drafts;
use crate::error::AppError;
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::pagination::{Keyset, Page, PageParams};

/// Submit a comment: checked and written by the comment writer in a group commit with
/// whatever else is waiting, acknowledged after its commit. `Ok((true, c))` for a new
/// comment, `(false, c)` for a retry of an earlier request with the same key.
pub async fn submit(
    ctx: &Context,
    writer: &CommentWriter,
    author: &Actor,
    meta: &RequestMeta,
    document_id: i64,
    new: NewComment,
    key: Option<String>,
) -> Result<(bool, Comment), AppError> {
    let new = validated(new, NewComment::normalize)?;
    if new.on_behalf_of_unit {
        collective_allowed(author)?;
    }
    if let Some(k) = &key {
        check_key(k)?;
    }
    let intake = crate::comments::intake::Intake::from(&ctx.settings.moderation);
    let prepared = intake
        .enabled
        .then(|| crate::comments::intake::Prepared::of(&new.body));
    let submission = Submission {
        author: author.clone(),
        document_id,
        new,
        key,
        meta: meta.clone(),
        max_per_hour: Some(ctx.settings.comments.max_per_hour).filter(|n| *n > 0),
        intake,
        prepared,
    };
    match writer.submit(submission).await? {
        Created::New(comment) => Ok((true, *comment)),
        Created::Replayed(id) => {
            let viewer = author.clone();
            Ok((
                false,
                ctx.db(move |conn| get_visible(conn, id, &viewer)).await?,
            ))
        }
    }
}

/// A comment as `viewer` may see it: approved ones, their own, or any for moderators and the
/// secretariat; anything else is 404 so that ids reveal nothing.
pub fn get_visible(conn: &mut DbConn, id: i64, viewer: &Actor) -> Result<Comment, AppError> {
    let comment: Comment = store::get(conn, id)?
        .ok_or(AppError::NotFound("comment"))?
        .into();
    let visible = viewer.sees_all_comments()
        || comment.author_id == viewer.id
        || comment.status == CommentStatus::Approved;
    if !visible {
        return Err(AppError::NotFound("comment"));
    }
    // A comment on a draft the viewer cannot see is hidden with it.
    drafts::get(conn, comment.document_id, viewer)?;
    Ok(seen_by(comment, viewer))
}

/// Only a unit representative with a unit speaks for it: 403 without the role, 422 without a
/// unit.
fn collective_allowed(author: &Actor) -> Result<(), AppError> {
    if !author.has(crate::identity::Role::UnitRepresentative) {
        return Err(AppError::Forbidden);
    }
    if author.unit_id.is_none() {
        return Err(AppError::field(
            "on_behalf_of_unit",
            "your account belongs to no unit",
        ));
    }
    Ok(())
}

/// A comment as someone outside moderation sees it: a proposed rejection is still pending
/// until a second moderator confirms it (only then is its author told), and who works on it
/// is moderation's business.
pub fn seen_by(mut comment: Comment, viewer: &Actor) -> Comment {
    if viewer.sees_all_comments() {
        return comment;
    }
    if comment.status == CommentStatus::RejectProposed {
        comment.status = CommentStatus::Pending;
        comment.reason = None;
        comment.reason_code = None;
    }
    comment.proposed_by = None;
    comment.cluster_id = None;
    comment.claimed_by = None;
    comment.claimed_until = None;
    comment
}

/// Moderation history as `viewer` may read it: moderators and the secretariat see every
/// reason and note; others see only a rejection's reason (it is meant for the author).
pub fn history(
    conn: &mut DbConn,
    comment_id: i64,
    viewer: &Actor,
) -> Result<Vec<ModerationEvent>, AppError> {
    let all = viewer.sees_all_comments();
    Ok(crate::comments::events::history(conn, comment_id)?
        .into_iter()
        // A proposal is moderation's business until it is confirmed.
        .filter(|r| all || r.to_status != CommentStatus::RejectProposed)
        .map(|r| ModerationEvent {
            id: r.id,
            action: r.action,
            from_status: match r.from_status {
                CommentStatus::RejectProposed if !all => CommentStatus::Pending,
                s => s,
            },
            to_status: r.to_status,
            reason: r
                .reason
                .filter(|_| all || r.to_status == CommentStatus::Rejected),
            reason_code: r
                .reason_code
                .0
                .filter(|_| all || r.to_status == CommentStatus::Rejected),
            note: r.note.filter(|_| all),
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            created_at: r.created_at.and_utc(),
        })
        .collect())
}

/// One comment with its moderation history.
pub fn detail(conn: &mut DbConn, id: i64, viewer: &Actor) -> Result<CommentDetail, AppError> {
    let comment = get_visible(conn, id, viewer)?;
    let history = history(conn, id, viewer)?;
    let revisions = if viewer.sees_all_comments() || comment.author_id == viewer.id {
        crate::comments::events::revisions(conn, id)?
            .into_iter()
            .map(|r| Revision {
                body: r.body,
                proposed_text: r.proposed_text,
                written_at: r.written_at.and_utc(),
                replaced_at: r.replaced_at.and_utc(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(CommentDetail {
        comment,
        history,
        revisions,
    })
}

/// Comments on a document, oldest first: approved ones plus the viewer's own; moderators
/// and the secretariat see every state. A reader's page of one section with nothing of their
/// own in it is the same for every such reader: it comes from `pages` while the section's
/// revision says it is current. The answer is the page as JSON, so that a kept page is not
/// written again for every reader.
pub fn for_document(
    conn: &mut DbConn,
    pages: &PageCache,
    viewer: &Actor,
    document_id: i64,
    query: CommentQuery,
) -> Result<Bytes, AppError> {
    let page = PageParams {
        cursor: query.cursor.clone(),
        limit: query.limit,
    }
    .keyset()?;
    if query.version.is_some_and(|v| v < 1) {
        return Err(AppError::field("version", "must be 1 or more"));
    }
    let shared = match query.section_id {
        Some(section)
            if !viewer.sees_all_comments() && query.status.is_none() && query.version.is_none() =>
        {
            page_store::section_state(conn, document_id, section, viewer.id, !viewer.sees_drafts())?
                .filter(|s| !s.own_unapproved)
                .map(|s| {
                    let key = PageKey {
                        section,
                        after: page.after,
                        limit: page.limit,
                    };
                    (key, s.revision)
                })
        }
        _ => None,
    };
    if let Some((key, revision)) = &shared {
        if let Some(kept) = pages.get(key, *revision) {
            return Ok(kept);
        }
    }
    let read = read_page(conn, viewer, document_id, &query, page)?;
    let json = Bytes::from(serde_json::to_vec(&read).map_err(anyhow::Error::from)?);
    if let Some((key, revision)) = shared {
        pages.put(key, revision, json.clone());
    }
    Ok(json)
}

fn read_page(
    conn: &mut DbConn,
    viewer: &Actor,
    document_id: i64,
    query: &CommentQuery,
    page: Keyset,
) -> Result<Page<Comment>, AppError> {
    let filter = CommentFilter {
        document_id: Some(document_id),
        section_id: query.section_id,
        author_id: None,
        statuses: query.status.map(|s| vec![s]),
        version: query.version,
        approved_or_own: (!viewer.sees_all_comments()).then_some(viewer.id),
        hide_drafts: !viewer.sees_drafts(),
        newest_first: false,
    };
    // One round trip: the query itself yields nothing for a hidden document or a section of
    // another one; only an empty page needs to find out which answer it is. Without a status
    // filter the query walks a (section or document, id) index whatever the values, so its
    // generic plan is safe to reuse; a rare status needs a custom one.
    let rows = if filter.statuses.is_none() {
        with_generic_plans(conn, |conn| store::list(conn, &filter, page))?
    } else {
        store::list(conn, &filter, page)?
    };
    if rows.is_empty() {
        drafts::get(conn, document_id, viewer)?;
        if let Some(section) = filter.section_id {
            drafts::require_section(conn, document_id, section)?;
        }
    }
    Ok(Page::from_rows(
        rows.into_iter()
            .map(|r| seen_by(Comment::from(r), viewer))
            .collect(),
        page.limit,
        |c| c.id,
    ))
}

/// Your own comments in every state, newest first.
pub fn mine(
    conn: &mut DbConn,
    viewer: &Actor,
    page: PageParams,
) -> Result<Page<Comment>, AppError> {
    let page = page.keyset()?;
    let filter = CommentFilter {
        document_id: None,
        section_id: None,
        author_id: Some(viewer.id),
        statuses: None,
        version: None,
        approved_or_own: None,
        hide_drafts: false,
        newest_first: true,
    };
    let rows = store::list(conn, &filter, page)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut responses: std::collections::HashMap<i64, _> =
        store::responses_seen(conn, &ids)?.into_iter().collect();
    Ok(Page::from_rows(
        rows.into_iter()
            .map(|r| {
                let mut c = seen_by(Comment::from(r), viewer);
                c.response = responses.remove(&c.id);
                c
            })
            .collect(),
        page.limit,
        |c| c.id,
    ))
}

/// What a draft's page shows of its comments: the approved comments of the sections shown and
/// of the whole draft, oldest first. `document` is one the viewer may see (as
/// `drafts::service::get` answered it); approved comments are for everyone who may see it.
pub fn approved_for_page(
    conn: &mut DbConn,
    document: &crate::drafts::types::Document,
    shown: &[i64],
) -> Result<Vec<PublicComment>, AppError> {
    // Read on every view of a draft: planned once per connection, not at each execution (its
    // best plan does not depend on the values).
    with_generic_plans(conn, |conn| {
        Ok(store::approved_on(conn, document.id, shown)?)
    })
}

/// The blocked terms screening looks for.
pub fn screening_terms(conn: &mut DbConn) -> Result<ScreeningTerms, AppError> {
    Ok(ScreeningTerms {
        terms: store::screening_terms(conn)?,
    })
}

/// Replace the blocked terms (admins): trimmed, empty ones and repeats dropped.
pub fn set_screening_terms(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    terms: ScreeningTerms,
) -> Result<ScreeningTerms, AppError> {
    let terms = validated(terms, |t| t)?;
    let mut clean: Vec<String> = terms
        .terms
        .iter()
        .map(|t| crate::text::clean(t))
        .filter(|t| !t.is_empty())
        .collect();
    if let Some(long) = clean.iter().find(|t| t.chars().count() > 100) {
        return Err(AppError::field(
            "terms",
            format!("\"{long}\" is longer than 100 characters"),
        ));
    }
    clean.sort();
    clean.dedup();
    let saved = crate::db::write_tx(conn, |conn| {
        store::replace_screening_terms(conn, &clean, crate::db::now())?;
        crate::audit::record(
            conn,
            Some(actor.id),
            meta,
            crate::audit::Event::new(
                crate::audit::AuditAction::ScreeningTermsChanged,
                None,
                serde_json::json!({ "terms": clean.len() }),
            ),
        )?;
        Ok::<_, AppError>(ScreeningTerms { terms: clean })
    })?;
    crate::comments::terms::changed();
    Ok(saved)
}
