//! Extractors that turn a request into what services take: the `Actor` behind the bearer
//! token, the `RequestMeta`, a JSON object body, query parameters. Every failure is a problem.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::context::Context;
use crate::error::{AppError, FieldErrors};
use crate::identity::{Actor, Lang, RequestMeta};

pub type Ctx = web::Data<Context>;

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

/// Address, user agent and language: `?lang=` wins, then the first `Accept-Language` tag.
impl FromRequest for RequestMeta {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(meta(req)))
    }
}

pub fn meta(req: &HttpRequest) -> RequestMeta {
    let query_lang =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("lang").map(|l| Lang::from_tag(l)));
    let header_lang = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(Lang::from_tag);
    RequestMeta {
        ip: req.peer_addr().map(|a| a.ip().to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
        lang: query_lang.or(header_lang).unwrap_or_default(),
    }
}

/// A JSON object body. Unlike `web::Json` it refuses an array where an object is expected
/// (serde would read a struct from a sequence), and names the field a 422 is about.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<actix_web::mime::Mime>().ok())
            .is_some_and(|m| {
                m.subtype() == actix_web::mime::JSON || m.suffix() == Some(actix_web::mime::JSON)
            });
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(AppError::BadRequest(
                    "Content-Type must be application/json".into(),
                ));
            }
            let bytes = body
                .await
                .map_err(|e| match e.as_response_error().status_code() {
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                    _ => AppError::BadRequest(format!("the body could not be read: {e}")),
                })?;
            parse(&bytes).map(Json)
        })
    }
}

/// Parse a JSON object, naming the offending field in a 422.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(AppError::field("$", "must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => {
            de.end()
                .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
            Ok(v)
        }
        Err(err) if err.inner().is_data() => {
            let message = err.inner().to_string();
            let path = err.path().to_string();
            let field = match path.as_str() {
                "." | "" => message
                    .split('`')
                    .nth(1)
                    .filter(|_| {
                        message.starts_with("missing field") || message.starts_with("unknown field")
                    })
                    .unwrap_or("$")
                    .to_owned(),
                p => p.to_owned(),
            };
            let mut errors = FieldErrors::new();
            errors.insert(field, vec![message]);
            Err(AppError::Validation(errors))
        }
        Err(err) => Err(AppError::BadRequest(format!(
            "malformed JSON: {}",
            err.inner()
        ))),
    }
}

/// Query parameters of the wrong shape are a 422 naming the query.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    AppError::field("query", err.to_string()).into()
}

/// A path parameter that is not of its type (a non-numeric id) names no resource.
pub fn path_error(_err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    AppError::NotFound("resource").into()
}
