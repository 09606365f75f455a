//! Accounts, for admins.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use crate::accounts::admin::{self, UserPatch};
use crate::accounts::queries::{self, UserRecord};
use crate::accounts::types::{NewUser, UserView};
use crate::accounts::{policy, service};
use crate::db::write_tx;
use crate::error::{AppError, Problem};
use crate::http::auth::{Admin, Authorized};
use crate::http::lang::Lang;
use crate::http::{db, keyset, ClientInfo, Page, State};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(create_user)
        .service(list_users)
        .service(update_user)
        .service(unlock_user);
}

/// Create an account (admin). Without a password, an activation mail (valid 72 h) lets the
/// person choose one.
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
    lang: Lang,
    admin: Authorized<Admin>,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner().normalize();
    body.validate()?;
    let client = ClientInfo::from_request(&req);
    let password_hash = match &body.password {
        Some(p) => {
            policy::check(p, &[&body.email, &body.full_name], "password", lang)?;
            Some(state.hasher.hash(p.clone()).await?)
        }
        None => None,
    };
    let actor = admin.id;
    let settings = state.settings.clone();
    let user = db(&state, move |conn| {
        let id = write_tx(conn, |conn| {
            let activate = password_hash.is_none();
            let rec = UserRecord {
                email: body.email,
                full_name: body.full_name,
                unit_id: body.unit_id,
                roles: body.roles,
                password_hash,
            };
            let id = queries::insert_user(conn, Some(actor), &rec, &client)?;
            if activate {
                service::send_activation(conn, id, &settings)?;
            }
            Ok::<_, AppError>(id)
        })?;
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
    let (after, limit) = keyset(query.cursor, query.limit)?;
    let rows = db(&state, move |conn| {
        Ok(queries::list_users(conn, query.q.as_deref(), after, limit)?)
    })
    .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |u| u.id)))
}

/// Change a person's name, unit, roles, language or active flag (admin). Deactivation ends
/// their sessions. Admins cannot deactivate themselves or drop their own admin role.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserPatch,
    responses(
        (status = 200, body = UserView),
        (status = 404, body = Problem),
        (status = 409, description = "Would lock the admin out", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: State,
    req: HttpRequest,
    admin: Authorized<Admin>,
    path: web::Path<i64>,
    body: web::Json<UserPatch>,
) -> Result<web::Json<UserView>, AppError> {
    let patch = body.into_inner().normalize();
    patch.validate()?;
    let id = path.into_inner();
    let client = ClientInfo::from_request(&req);
    let actor = admin.id;
    let user = db(&state, move |conn| {
        write_tx(conn, |conn| {
            admin::update_user(conn, actor, id, &patch, &client)
        })?;
        queries::get_user(conn, id)
    })
    .await?;
    state.sessions.forget_user(id);
    Ok(web::Json(user))
}

/// Lift the temporary lock that failed sign-ins put on an account (admin).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
#[post("/users/{id}/unlock")]
pub async fn unlock_user(
    state: State,
    req: HttpRequest,
    admin: Authorized<Admin>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let client = ClientInfo::from_request(&req);
    let actor = admin.id;
    db(&state, move |conn| {
        write_tx(conn, |conn| admin::unlock(conn, actor, id, &client))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
