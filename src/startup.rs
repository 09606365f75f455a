//! Building and running the HTTP server (one place, used by `gopy serve` and the tests).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpResponse, HttpServer};
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::accounts::password::Hasher;
use crate::config::Settings;
use crate::db::{self, Pool};
use crate::error::AppError;
use crate::http::{self, AppState};
use crate::openapi::ApiDoc;

pub struct Application {
    port: u16,
    server: Server,
    pool: Pool,
}

impl Application {
    /// Connect (running migrations), bind, and start the mail worker. `server.port = 0` binds a
    /// random free port (tests).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db_settings = settings.database.clone();
        let pool = tokio::task::spawn_blocking(move || db::connect(&db_settings)).await??;
        Self::build_with_pool(settings, pool).await
    }

    pub async fn build_with_pool(settings: Settings, pool: Pool) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        crate::maintenance::spawn(pool.clone());
        if settings.mail.send {
            crate::mail::worker::spawn(pool.clone(), settings.clone())?;
        }
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            hasher: Hasher::new(&settings.auth)?,
            sessions: crate::http::session_cache::SessionCache::new(
                settings.auth.session_cache_secs,
            ),
            batcher: crate::comments::batch::Batcher::start(pool.clone())?,
            settings: settings.clone(),
        });
        let workers = settings.server.workers;
        let max_body = settings.server.max_body_bytes;
        let openapi = ApiDoc::openapi();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(TracingLogger::default())
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(max_body)
                        .error_handler(http::json_error),
                )
                .app_data(web::QueryConfig::default().error_handler(http::query_error))
                .app_data(web::PathConfig::default().error_handler(http::path_error))
                .service(http::health::healthz)
                .service(http::health::readyz)
                .service(http::pages::activate_page)
                .service(http::pages::reset_page)
                // Before the /api/v1 scope, which would otherwise claim /api/v1/openapi.json.
                .service(
                    SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", openapi.clone()),
                )
                .service(web::redirect("/docs", "/docs/"))
                .service(
                    web::scope("/api/v1")
                        .configure(crate::accounts::auth_handlers::routes)
                        .configure(crate::accounts::me_handlers::routes)
                        .configure(crate::accounts::user_handlers::routes)
                        .configure(crate::units::handlers::routes)
                        .configure(crate::drafts::handlers::routes)
                        .configure(crate::comments::handlers::routes)
                        .configure(crate::moderation::handlers::routes)
                        .configure(crate::feedback::handlers::routes)
                        .configure(crate::audit::handlers::routes)
                        .configure(crate::mail::handlers::routes)
                        .configure(crate::roster::handlers::routes),
                )
                .default_service(web::to(not_found))
        })
        .listen(listener)?;
        if workers > 0 {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            pool,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("route"))
}
