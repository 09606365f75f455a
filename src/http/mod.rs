//! Everything HTTP-shaped that is not a capability's handler: extractors, problem+json, the
//! rules that finish the OpenAPI document, security headers, the fallback for unknown paths
//! and methods, request logging, and the two link pages. It depends on no capability (the
//! route list that names them all is `src/routes.rs`).

pub mod auth;
pub mod extract;
pub mod fallback;
pub mod health;
pub mod logging;
pub mod openapi;
pub mod openapi_links;
pub mod page;
pub mod pages;
pub mod problem;
pub mod request_id;
pub mod security;
