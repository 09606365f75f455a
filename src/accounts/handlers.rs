use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::accounts::queries::{self, UserRecord};
use crate::accounts::sessions;
use crate::accounts::types::{LoginRequest, LoginResponse, NewUser, UserView};
use crate::audit::{self, Entry};
use crate::error::{AppError, Problem};
use crate::http::auth::{Admin, Authorized, CurrentUser};
use crate::http::{db, ClientInfo, Page, PageParams, State};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(login)
        .service(logout)
        .service(me)
        .service(create_user)
        .service(list_users);
}

/// Sign in with email and password; returns a bearer token.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Unknown email or wrong password (indistinguishable)", body = Problem),
        (status = 422, body = Problem),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: State,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, AppError> {
    let body = body.into_inner();
    body.validate()?;
    let client = ClientInfo::from_request(&req);
    let email = body.email.clone();
    let found = db(&state, move |conn| {
        Ok(queries::find_for_login(conn, &email)?)
    })
    .await?;
    let (user_id, stored) = match found {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let ok = state.hasher.verify(body.password, stored).await?;
    let ttl = state.settings.auth.session_ttl_minutes;
    let email = body.email;
    let outcome = db(&state, move |conn| {
        match user_id.filter(|_| ok) {
            Some(id) => {
                let (token, expires_at) = crate::db::write_tx(conn, |conn| {
                    let created = sessions::create(conn, id, ttl, &client)?;
                    audit::record(
                        conn,
                        Entry {
                            actor_id: Some(id),
                            action: "auth.login",
                            entity: "user",
                            entity_id: Some(id),
                            detail: serde_json::Value::Null,
                        },
                        &client,
                    )?;
                    Ok::<_, AppError>(created)
                })?;
                let user = queries::get_user(conn, id)?;
                Ok(Some(LoginResponse {
                    token,
                    expires_at: expires_at.and_utc(),
                    user,
                }))
            }
            None => {
                audit::record(
                    conn,
                    Entry {
                        actor_id: None,
                        action: "auth.login_failed",
                        entity: "user",
                        entity_id: user_id,
                        detail: serde_json::json!({ "email": email.chars().take(320).collect::<String>() }),
                    },
                    &client,
                )?;
                Ok(None)
            }
        }
    })
    .await?;
    outcome.map(web::Json).ok_or(AppError::InvalidCredentials)
}

/// End the current session.
#[utoipa::path(tag = "auth", responses((status = 204), (status = 401, body = Problem)), security(("bearer" = [])))]
#[post("/auth/logout")]
pub async fn logout(
    state: State,
    req: HttpRequest,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let client = ClientInfo::from_request(&req);
    db(&state, move |conn| {
        crate::db::write_tx(conn, |conn| {
            sessions::revoke(conn, user.session_id)?;
            audit::record(
                conn,
                Entry {
                    actor_id: Some(user.id),
                    action: "auth.logout",
                    entity: "session",
                    entity_id: Some(user.session_id),
                    detail: serde_json::Value::Null,
                },
                &client,
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(tag = "auth", responses((status = 200, body = UserView), (status = 401, body = Problem)), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: State, user: CurrentUser) -> Result<web::Json<UserView>, AppError> {
    let id = user.id;
    Ok(web::Json(
        db(&state, move |conn| queries::get_user(conn, id)).await?,
    ))
}

/// Create an account (admin).
#[utoipa::path(
    tag = "admin",
    request_body = NewUser,
    responses(
        (status = 201, body = UserView),
        (status = 409, description = "Email already used", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    state: State,
    req: HttpRequest,
    admin: Authorized<Admin>,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner().normalize();
    body.validate()?;
    let client = ClientInfo::from_request(&req);
    let password_hash = state.hasher.hash(body.password.clone()).await?;
    let actor = admin.id;
    let user = db(&state, move |conn| {
        let rec = UserRecord {
            email: body.email,
            full_name: body.full_name,
            unit_id: body.unit_id,
            roles: body.roles,
            password_hash: Some(password_hash),
        };
        let id = queries::insert_user(conn, Some(actor), &rec, &client)?;
        queries::get_user(conn, id)
    })
    .await?;
    Ok(HttpResponse::Created().json(user))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserSearch {
    /// Name or email contains this, ignoring case and diacritics ("nguyen van" finds "Nguyễn Văn").
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// List accounts (admin), paginated.
#[utoipa::path(
    tag = "admin",
    params(UserSearch),
    responses((status = 200, body = Page<UserView>)),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    state: State,
    _admin: Authorized<Admin>,
    query: web::Query<UserSearch>,
) -> Result<web::Json<Page<UserView>>, AppError> {
    let query = query.into_inner();
    let page = PageParams {
        cursor: query.cursor,
        limit: query.limit,
    };
    let (after, limit) = (page.after()?, page.limit()?);
    let rows = db(&state, move |conn| {
        Ok(queries::list_users(conn, query.q.as_deref(), after, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |u| u.id)))
}
