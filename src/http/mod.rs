//! Everything HTTP-shaped that is not a capability's handler: extractors that build the
//! domain's `Actor` and `RequestMeta`, problem+json, the one route list, security headers,
//! the fallback for unknown paths and methods, request logging, and the two link pages.

pub mod auth;
pub mod extract;
pub mod fallback;
pub mod health;
pub mod logging;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod routes;
pub mod security;
