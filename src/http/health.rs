use actix_web::{get, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::error::{AppError, Problem};
use crate::http::{db, State};

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "Alive")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "Ready"), (status = 503, body = Problem))
)]
#[get("/readyz")]
pub async fn readyz(state: State) -> Result<HttpResponse, AppError> {
    db(&state, |conn| {
        conn.batch_execute("SELECT 1").map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            AppError::Unavailable
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ready" })))
}
