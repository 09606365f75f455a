//! Every request has an id: the one its load balancer sent in `X-Request-Id` (from a trusted
//! proxy only, and only if it is a plain token), else a new one. It is a field of the request's
//! log span (so of every line logged while serving it), the `X-Request-Id` of the answer, and
//! the `request_id` of a problem+json body.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};

use crate::http::extract::Ctx;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in its extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request this task is serving (None outside a request).
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// What a balancer may hand on: 1–128 letters, digits and `-_.:` (nothing that could forge a
/// log line or a header).
fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn from_balancer(req: &ServiceRequest) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let trusted = &req.app_data::<Ctx>()?.settings.server.trusted_proxies;
    if !trusted.iter().any(|n| n.contains(&peer)) {
        return None;
    }
    let id = req.headers().get(&HEADER)?.to_str().ok()?;
    acceptable(id).then(|| id.to_owned())
}

/// A new id: 32 hex digits, this process's random prefix and a counter (unique across
/// processes and restarts without asking the kernel for randomness at every request; an id
/// is a label, not a secret).
fn generate() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(rand::random::<u64>);
    format!(
        "{prefix:016x}{:016x}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Outermost middleware: everything inside (the log span, handlers, error bodies) sees the id.
pub async fn assign(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = from_balancer(&req).unwrap_or_else(generate);
    req.extensions_mut().insert(RequestId(id.clone()));
    // Handlers' and extractors' errors are answers by the time they get here (made inside
    // the scope, so their bodies carry the id); an error of a middleware itself is not.
    let mut res = CURRENT.scope(id.clone(), next.call(req)).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_plain_tokens_are_taken_from_a_balancer() {
        assert!(acceptable("5f0c2a9e-1b7d-4c1e-9a3b-2f6d8e7c1a00"));
        assert!(acceptable("haproxy:7F000001:1F90_65A1B2C3.0001"));
        assert!(!acceptable(""));
        assert!(!acceptable("id\nINFO forged line"));
        assert!(!acceptable("a b"));
        assert!(!acceptable(&"x".repeat(129)));
    }
}
