//! The stylesheet and the one script, embedded in the binary and served under a name that carries a hash of its
//! content, so browsers may keep it for a year and still never use a stale one.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use sha2::{Digest, Sha256};

const CSS: &str = include_str!("../../../static/gopy.css");
const JS: &str = include_str!("../../../static/gopy.js");

fn hashed(content: &str, ext: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    format!("gopy.{}.{ext}", &hex::encode(digest)[..12])
}

static CSS_NAME: LazyLock<String> = LazyLock::new(|| hashed(CSS, "css"));
static JS_NAME: LazyLock<String> = LazyLock::new(|| hashed(JS, "js"));

pub fn css_url() -> String {
    format!("/static/{}", *CSS_NAME)
}

pub fn js_url() -> String {
    format!("/static/{}", *JS_NAME)
}

#[get("/static/{name}")]
pub async fn static_file(name: web::Path<String>) -> HttpResponse {
    let (content_type, body) = if name.as_str() == CSS_NAME.as_str() {
        ("text/css; charset=utf-8", CSS)
    } else if name.as_str() == JS_NAME.as_str() {
        ("text/javascript; charset=utf-8", JS)
    } else {
        return HttpResponse::NotFound().finish();
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(body)
}
