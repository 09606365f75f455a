use actix_web::{get, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::error::AppError;
use crate::http::extract::Ctx;

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers.
#[utoipa::path(tag = "health", responses((status = 200, description = "Ready")))]
#[get("/readyz")]
pub async fn readyz(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ctx.db(|conn| {
        conn.batch_execute("SELECT 1").map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            AppError::Unavailable
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ready" })))
}
