//! Who is calling: the person behind a bearer token, for every handler that names an `Actor`.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev::Payload, FromRequest, HttpRequest};

use crate::error::AppError;
use crate::http::extract::Ctx;
use crate::http::page::{asked_lang, csrf_token, same_origin, PageError, Visitor, COOKIE};
use crate::identity::{Actor, Lang, Locale};

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
        let writes = !req.method().is_safe();
        Box::pin(async move {
            let token = token.ok_or(AppError::Unauthorized)?;
            let ctx = ctx.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no context")))?;
            let actor = crate::accounts::service::login::authenticate(&ctx, &token)
                .await?
                .ok_or(AppError::Unauthorized)?;
            if writes {
                // Their next reads on this node see what they write now (replica).
                ctx.wrote(actor.id);
            }
            Ok(actor)
        })
    }
}

/// Someone signed in through the session cookie (the same session a bearer token names), for
/// the pages; not signed in: to the sign-in page and back. Unsafe requests must come from this
/// site.
impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req.cookie(COOKIE).map(|c| c.value().to_owned());
        let ctx = req.app_data::<Ctx>().cloned();
        let asked = asked_lang(req);
        let lang = asked.unwrap_or(Lang::Vi);
        let next = req.uri().path_and_query().map(|p| p.to_string());
        let origin_ok = ctx.as_ref().is_some_and(|c| same_origin(req, c));
        let writes = !req.method().is_safe();
        Box::pin(async move {
            let ctx = ctx.ok_or_else(|| {
                PageError::App(AppError::Internal(anyhow::anyhow!("no context")), lang)
            })?;
            if !origin_ok {
                return Err(PageError::App(AppError::Forbidden, lang));
            }
            let Some(token) = token.filter(|t| !t.is_empty()) else {
                return Err(PageError::SignIn(next));
            };
            match crate::accounts::service::login::authenticate(&ctx, &token).await {
                Ok(Some(actor)) => {
                    if writes {
                        // Their next pages on this node show what they write now (replica).
                        ctx.wrote(actor.id);
                    }
                    Ok(Visitor {
                        // As asked for this page, else in the person's own language.
                        lang: asked.unwrap_or(match actor.locale {
                            Locale::En => Lang::En,
                            Locale::Vi => Lang::Vi,
                        }),
                        actor,
                        csrf: csrf_token(&token),
                    })
                }
                Ok(None) => Err(PageError::SignIn(next)),
                Err(e) => Err(PageError::App(e, lang)),
            }
        })
    }
}
