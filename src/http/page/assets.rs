//! The stylesheet, embedded in the binary and served under a name that carries a hash of its
//! content, so browsers may keep it for a year and still never use a stale one.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../../../static/gopy.css");

static CSS_NAME: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(CSS.as_bytes());
    format!("gopy.{}.css", &hex::encode(digest)[..12])
});

pub fn css_url() -> String {
    format!("/static/{}", *CSS_NAME)
}

#[get("/static/{name}")]
pub async fn static_file(name: web::Path<String>) -> HttpResponse {
    if name.as_str() != CSS_NAME.as_str() {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(CSS)
}
