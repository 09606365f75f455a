//! A person's own sessions: listing them and ending them.

use crate::accounts::store::sessions as store;
use crate::accounts::types::SessionView;
use crate::audit::{self, AuditAction, Event};
use crate::context::Context;
use crate::db::{now, write_tx};
use crate::error::AppError;
use crate::identity::{Actor, RequestMeta};
use crate::pagination::{Page, PageParams};

/// Which of a person's sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Ending {
    /// The one making the request (sign-out).
    This,
    One(i64),
    All,
}

/// End sessions with their audit row, then forget them in this process's session cache, so
/// that no caller can end a session and leave it usable here.
pub async fn end(
    ctx: &Context,
    actor: &Actor,
    meta: &RequestMeta,
    ending: Ending,
) -> Result<(), AppError> {
    let (user_id, current, m) = (actor.id, actor.session_id, meta.clone());
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let at = now();
            let (action, detail) = match (ending, current) {
                (Ending::This, Some(session)) => {
                    store::revoke(conn, user_id, session, at)?;
                    (
                        AuditAction::Logout,
                        serde_json::json!({ "session_id": session }),
                    )
                }
                (Ending::This, None) => return Ok(()),
                (Ending::One(id), _) => {
                    if !store::revoke(conn, user_id, id, at)? {
                        return Err(AppError::NotFound("session"));
                    }
                    (
                        AuditAction::SessionRevoked,
                        serde_json::json!({ "session_id": id }),
                    )
                }
                (Ending::All, _) => {
                    let n = store::revoke_all(conn, user_id, at)?;
                    (
                        AuditAction::SessionRevoked,
                        serde_json::json!({ "all": true, "count": n }),
                    )
                }
            };
            Ok(audit::record(
                conn,
                Some(user_id),
                &m,
                Event::new(action, Some(user_id), detail),
            )?)
        })
    })
    .await?;
    ctx.sessions.forget_user(user_id);
    Ok(())
}

/// Your live sessions, newest first.
pub async fn list(
    ctx: &Context,
    actor: &Actor,
    page: PageParams,
) -> Result<Page<SessionView>, AppError> {
    let page = page.keyset()?;
    let idle = ctx.settings.auth.session_idle_minutes;
    let (user_id, current) = (actor.id, actor.session_id);
    let rows = ctx
        .db(move |conn| Ok(store::list_live(conn, user_id, now(), idle, page)?))
        .await?;
    let views = rows
        .into_iter()
        .map(|r| SessionView {
            id: r.id,
            created_at: r.created_at.and_utc(),
            last_seen_at: r.last_seen_at.and_utc(),
            expires_at: r.expires_at.and_utc(),
            ip: r.ip,
            user_agent: r.user_agent,
            current: Some(r.id) == current,
        })
        .collect();
    Ok(Page::from_rows(views, page.limit, |s| s.id))
}
