//! The signed-in person's own sessions and password.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::accounts::sessions::{self, SessionView};
use crate::accounts::{policy, queries, service, throttle};
use crate::audit::user_event;
use crate::db::write_tx;
use crate::error::{AppError, Problem};
use crate::http::auth::CurrentUser;
use crate::http::lang::Lang;
use crate::http::{db, ClientInfo, Page, PageParams, State};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_sessions)
        .service(revoke_all_sessions)
        .service(revoke_session)
        .service(change_password);
}

/// Your live sessions, newest first.
#[utoipa::path(
    tag = "me",
    params(PageParams),
    responses((status = 200, body = Page<SessionView>), (status = 401, body = Problem)),
    security(("bearer" = []))
)]
#[get("/me/sessions")]
pub async fn list_sessions(
    state: State,
    user: CurrentUser,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<SessionView>>, AppError> {
    let (before, limit) = (page.after()?, page.limit()?);
    let idle = state.settings.auth.session_idle_minutes;
    let rows = db(&state, move |conn| {
        Ok(sessions::list_live(conn, &user, idle, before, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |s| s.id)))
}

/// Which of a person's sessions to end.
pub(crate) enum Ending {
    /// The one making the request (sign-out).
    This,
    One(i64),
    All,
}

/// End sessions with their audit row, then forget them in this process's session cache, so
/// that no caller can end a session and leave it usable here.
pub(crate) async fn end_sessions(
    state: &State,
    req: &HttpRequest,
    user: CurrentUser,
    ending: Ending,
) -> Result<(), AppError> {
    let client = ClientInfo::from_request(req);
    let user_id = user.id;
    db(state, move |conn| {
        write_tx(conn, |conn| {
            let (action, detail) = match ending {
                Ending::This => {
                    sessions::revoke(conn, user.id, user.session_id)?;
                    (
                        "auth.logout",
                        serde_json::json!({ "session_id": user.session_id }),
                    )
                }
                Ending::One(id) => {
                    if !sessions::revoke(conn, user.id, id)? {
                        return Err(AppError::NotFound("session"));
                    }
                    (
                        "auth.session_revoked",
                        serde_json::json!({ "session_id": id }),
                    )
                }
                Ending::All => {
                    let n = sessions::revoke_all(conn, user.id)?;
                    (
                        "auth.session_revoked",
                        serde_json::json!({ "all": true, "count": n }),
                    )
                }
            };
            Ok(user_event(
                conn,
                Some(user.id),
                action,
                Some(user.id),
                detail,
                &client,
            )?)
        })
    })
    .await?;
    state.sessions.forget_user(user_id);
    Ok(())
}

/// End one of your sessions (404 if it is not yours or already over).
#[utoipa::path(
    tag = "me",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
#[delete("/me/sessions/{id}")]
pub async fn revoke_session(
    state: State,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    end_sessions(&state, &req, user, Ending::One(path.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out everywhere, this session included.
#[utoipa::path(tag = "me", responses((status = 204), (status = 401, body = Problem)), security(("bearer" = [])))]
#[delete("/me/sessions")]
pub async fn revoke_all_sessions(
    state: State,
    req: HttpRequest,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    end_sessions(&state, &req, user, Ending::All).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Change your password. Every session ends (sign in again) and a notice is mailed.
#[utoipa::path(
    tag = "me",
    request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, description = "Wrong current password or weak new one", body = Problem)),
    security(("bearer" = []))
)]
#[post("/me/password")]
pub async fn change_password(
    state: State,
    req: HttpRequest,
    lang: Lang,
    user: CurrentUser,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let client = ClientInfo::from_request(&req);
    let user_id = user.id;
    // Guessing the current password from a stolen session is throttled like sign-in.
    let key = throttle::account_key(&queries::normalize_email(&user.email));
    let (k, email) = (key.clone(), user.email.clone());
    let (locked, stored) = db(&state, move |conn| {
        let locked = throttle::locked_for(conn, std::slice::from_ref(&k))?;
        Ok((
            locked,
            queries::find_for_login(conn, &email)?.and_then(|(_, h)| h),
        ))
    })
    .await?;
    if let Some(retry_after) = locked {
        return Err(AppError::TooManyAttempts { retry_after });
    }
    if !state.hasher.verify(body.current, stored).await? {
        let settings = state.settings.clone();
        db(&state, move |conn| {
            Ok(throttle::record_failure(
                conn,
                &key,
                settings.auth.lockout_threshold,
                &settings.auth,
            )?)
        })
        .await?;
        return Err(AppError::field(
            "current",
            lang.pick(
                "Mật khẩu hiện tại không đúng.",
                "The current password is wrong.",
            ),
        ));
    }
    policy::check(&body.new, &[&user.email, &user.full_name], "new", lang)?;
    let hash = state.hasher.hash(body.new).await?;
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            service::set_password(conn, user.id, &hash, "auth.password_changed", true, &client)
        })
    })
    .await?;
    state.sessions.forget_user(user_id);
    Ok(HttpResponse::NoContent().finish())
}
