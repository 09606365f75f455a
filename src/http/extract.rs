//! Extractors that turn a request into what services take: the `Actor` behind the bearer
//! token, the `RequestMeta`, a JSON object body, query parameters. Every failure is a problem.

use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::context::Context;
use crate::error::{AppError, FieldErrors};
use crate::identity::{Lang, RequestMeta};

pub type Ctx = web::Data<Context>;

/// Address, user agent and language: `?lang=` wins, then the first `Accept-Language` tag.
impl FromRequest for RequestMeta {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(meta(req)))
    }
}

pub fn meta(req: &HttpRequest) -> RequestMeta {
    // Parsed only when asked for: this runs on every request.
    let query = req.query_string();
    let query_lang = query
        .contains("lang=")
        .then(|| web::Query::<std::collections::HashMap<String, String>>::from_query(query).ok())
        .flatten()
        .and_then(|q| q.get("lang").map(|l| Lang::from_tag(l)));
    let header_lang = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(Lang::from_tag);
    RequestMeta {
        ip: client_ip(
            req.peer_addr().map(|a| a.ip()),
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok()),
            req.app_data::<Ctx>()
                .map_or(&[][..], |c| &c.settings.server.trusted_proxies),
        )
        .map(|ip| ip.to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
        lang: query_lang.or(header_lang).unwrap_or_default(),
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
/// address in `X-Forwarded-For` (read from the right) that is not itself a trusted proxy. A
/// client can write anything into that header, so only what trusted hops appended counts.
pub fn client_ip(
    peer: Option<std::net::IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[ipnet::IpNet],
) -> Option<std::net::IpAddr> {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer?;
    if !is_trusted(&client) {
        return Some(client);
    }
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        match hop.trim().parse() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    Some(client)
}

/// A JSON object body, read by the extractor and parsed by the handler (`body.parse()?`)
/// once the caller is authorised, so that nobody learns what a body must look like before
/// proving who they are. Unlike `web::Json` it refuses an array where an object is expected
/// (serde reads a struct from a sequence), names the field a 422 is about, and takes a whole
/// number written as `325.0` where an integer is expected (JSON Schema calls it an integer).
pub struct Json<T> {
    body: Result<web::Bytes, AppError>,
    _type: std::marker::PhantomData<T>,
}

impl<T: DeserializeOwned> Json<T> {
    pub fn parse(self) -> Result<T, AppError> {
        parse(&self.body?)
    }
}

impl<T: 'static> FromRequest for Json<T> {
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
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = match bytes.await {
                _ if !json => Err(AppError::BadRequest(
                    "Content-Type must be application/json".into(),
                )),
                Ok(bytes) => Ok(bytes),
                Err(e)
                    if e.as_response_error().status_code()
                        == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE =>
                {
                    Err(AppError::PayloadTooLarge)
                }
                Err(e) => Err(AppError::BadRequest(format!(
                    "the body could not be read: {e}"
                ))),
            };
            Ok(Json {
                body,
                _type: std::marker::PhantomData,
            })
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
        // The slow path, taken only by bodies that failed: whole numbers written as floats.
        Err(err) if err.inner().is_data() => {
            let mut value: serde_json::Value = serde_json::from_slice(bytes)
                .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
            integral_floats_to_integers(&mut value);
            serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
                let message = e.inner().to_string();
                invalid_field(&e.path().to_string(), &message)
            })
        }
        Err(err) => Err(AppError::BadRequest(format!(
            "malformed JSON: {}",
            err.inner()
        ))),
    }
}

fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// A 422 naming `path` (or, for a missing or unknown field at the top, the field itself).
fn invalid_field(path: &str, message: &str) -> AppError {
    let field = match path {
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
    errors.insert(field, vec![message.to_owned()]);
    AppError::Validation(errors)
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

/// The whole body of a file upload, refused with 413 as soon as it passes `limit` bytes.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::BytesMut, AppError> {
    use futures_util::StreamExt;
    let mut data = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
        if data.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::client_ip;

    fn ip(s: &str) -> Option<std::net::IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        assert_eq!(
            client_ip(ip("198.51.100.9"), Some("203.0.113.7"), &[]),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = ["10.0.0.0/8".parse().expect("cidr")];
        // The client forged the first entry; the proxy appended the real one.
        let hops = "1.2.3.4, 203.0.113.7, 10.0.0.2";
        assert_eq!(
            client_ip(ip("10.0.0.1"), Some(hops), &trusted),
            ip("203.0.113.7")
        );
    }
}
