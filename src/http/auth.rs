//! Authentication and role checks, in one place: handlers name the policy in their signature
//! (`Authorized<Secretariat>`) and never inspect roles themselves. Deny by default.

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::accounts::sessions;
use crate::accounts::types::Role;
use crate::error::AppError;
use crate::http::{db, AppState};

/// The signed-in user behind a valid bearer token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub session_id: i64,
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub roles: Vec<Role>,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Moderators and the secretariat see comments in every state.
    pub fn sees_all_comments(&self) -> bool {
        self.has(Role::Moderator) || self.has(Role::Secretariat)
    }

    /// Only the secretariat sees unpublished drafts.
    pub fn sees_drafts(&self) -> bool {
        self.has(Role::Secretariat)
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token.ok_or(AppError::Unauthorized)?;
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no state")))?;
            let hash = sessions::hash_token(&token);
            if let Some(user) = state.sessions.get(&hash) {
                return Ok(user);
            }
            let idle = state.settings.auth.session_idle_minutes;
            let h = hash.clone();
            let user = db(&state, move |conn| {
                sessions::authenticate_hash(conn, &h, idle)
            })
            .await?
            .ok_or(AppError::Unauthorized)?;
            state.sessions.put(hash, user.clone());
            Ok(user)
        })
    }
}

/// Which roles may call an operation.
pub trait Policy {
    const ROLES: &'static [Role];
}

macro_rules! policy {
    ($name:ident, $($role:ident),+) => {
        pub struct $name;
        impl Policy for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    };
}

policy!(Admin, Admin);
policy!(Secretariat, Secretariat);
policy!(Moderator, Moderator);
policy!(Employee, Employee);

/// A signed-in user holding at least one of `P`'s roles; otherwise 401 or 403.
pub struct Authorized<P: Policy> {
    pub user: CurrentUser,
    _policy: PhantomData<P>,
}

impl<P: Policy> Deref for Authorized<P> {
    type Target = CurrentUser;
    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl<P: Policy + 'static> FromRequest for Authorized<P> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = CurrentUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if P::ROLES.iter().any(|r| user.has(*r)) {
                Ok(Authorized {
                    user,
                    _policy: PhantomData,
                })
            } else {
                Err(AppError::Forbidden)
            }
        })
    }
}
