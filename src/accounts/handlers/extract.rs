//! Who is calling: the person behind a bearer token, for every handler that names an `Actor`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev::Payload, FromRequest, HttpRequest};

use crate::error::AppError;
use crate::http::extract::Ctx;
use crate::identity::Actor;

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// The signed-in person behind a valid bearer token; 401 otherwise.
impl FromRequest for Actor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let ctx = req.app_data::<Ctx>().cloned();
        Box::pin(async move {
            let token = token.ok_or(AppError::Unauthorized)?;
            let ctx = ctx.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no context")))?;
            crate::accounts::service::login::authenticate(&ctx, &token)
                .await?
                .ok_or(AppError::Unauthorized)
        })
    }
}
