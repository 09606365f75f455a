//! Building and running the HTTP server (one place, used by `gopy serve` and the tests).

use std::net::TcpListener;
use std::ops::DerefMut;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Condition};
use actix_web::{web, App, HttpResponse, HttpServer};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::comments::page_cache::PageCache;
use crate::comments::writer::CommentWriter;
use crate::config::Settings;
use crate::context::Context;
use crate::db::{self, Pool};
use crate::http::extract::{path_error, query_error};
use crate::http::fallback::{fallback, RouteTable};
use crate::http::logging::RedactedSpan;
use crate::http::{pages, request_id, security};
use crate::routes;
use crate::telemetry::metrics::{Metrics, Snapshot};

pub struct Application {
    port: u16,
    server: Server,
    /// The metrics listener (its port and server), when `server.metrics_port` is set.
    metrics: Option<(u16, Server)>,
    context: Arc<Context>,
}

impl Application {
    /// Connect (running migrations), bind, and start the mail worker. `server.port = 0` binds a
    /// random free port (tests).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db_settings = settings.database.clone();
        let pool = tokio::task::spawn_blocking(move || -> anyhow::Result<Pool> {
            let (pool, applied) = db::connect_migrated(&db_settings)?;
            // Migrations just applied may have left rows without search forms (once; `gopy
            // migrate` always checks). Not at every start: with nothing to fill, looking costs
            // a scan of every comment.
            if applied > 0 {
                let filled = crate::search::service::backfill(pool.get()?.deref_mut())
                    .map_err(|e| anyhow::anyhow!(e.describe()))?;
                if filled > 0 {
                    tracing::info!(filled, "search forms filled in");
                }
                let chained = crate::audit::chain::seal(pool.get()?.deref_mut())?;
                if chained > 0 {
                    tracing::info!(chained, "audit rows from before the chain chained");
                }
            }
            Ok(pool)
        })
        .await??;
        Self::build_with_pool(settings, pool).await
    }

    pub async fn build_with_pool(settings: Settings, pool: Pool) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        crate::maintenance::spawn(pool.clone());
        crate::rounds::notices::spawn(pool.clone(), settings.clone());
        if settings.moderation.digest {
            crate::moderation::digest::spawn(pool.clone(), settings.clone());
        }
        if settings.mail.send {
            crate::mail::worker::spawn(pool.clone(), settings.clone())?;
        }
        let context = web::Data::new(Context::start(settings.clone(), pool.clone())?);
        let registry = web::Data::new(Metrics::new()?);
        let writer = web::Data::new(CommentWriter::start(pool, registry.writer_batch.clone())?);
        let pages = web::Data::new(PageCache::default());
        let metrics = match settings.server.metrics_port {
            Some(port) => Some(metrics_server(
                &settings.server.metrics_host,
                port,
                &context,
                &registry,
            )?),
            None => None,
        };
        let counted = settings.server.metrics_port.is_some();
        let http_metrics = registry.http.clone();
        let document = routes::document();
        let table = web::Data::new(RouteTable::from_document(&document));
        let workers = settings.server.workers;
        let keep_alive = Duration::from_secs(settings.server.keep_alive_secs);
        let max_body = settings.server.max_body_bytes;
        let import_limit = settings.drafts.max_import_bytes;
        let ctx = context.clone();
        let mut server = HttpServer::new(move || {
            // The document's own route first: the /api/v1 scope would claim its path.
            let docs = SwaggerUi::new("/docs/{_:.*}")
                .external_url_unchecked("/api/v1/openapi.json", document.clone());
            let (app, _) = routes::register(App::new().service(docs).into_utoipa_app())
                .map(|app| {
                    // Pages and the API alike, for clients that ask (provincial links are slow).
                    app.wrap(actix_web::middleware::Compress::default())
                        .wrap(from_fn(security::headers))
                        .wrap(Condition::new(counted, http_metrics.clone()))
                        .wrap(TracingLogger::<RedactedSpan>::new())
                        // Outermost: the log span and every answer see the request's id.
                        .wrap(from_fn(request_id::assign))
                        .app_data(ctx.clone())
                        .app_data(writer.clone())
                        .app_data(pages.clone())
                        .app_data(table.clone())
                        .app_data(web::PayloadConfig::new(max_body))
                        .app_data(
                            actix_multipart::form::MultipartFormConfig::default()
                                .total_limit(import_limit)
                                .memory_limit(import_limit),
                        )
                        .app_data(web::QueryConfig::default().error_handler(query_error))
                        .app_data(web::PathConfig::default().error_handler(path_error))
                })
                .split_for_parts();
            app.service(crate::accounts::pages::login_form)
                .service(crate::accounts::pages::login_submit)
                .service(crate::accounts::pages::logout)
                .service(crate::accounts::pages::forgot_form)
                .service(crate::accounts::pages::forgot_submit)
                .service(crate::consultation::pages::home)
                .service(crate::consultation::pages::list)
                .service(crate::consultation::pages::draft::draft)
                .service(crate::consultation::pages::draft::submit)
                .service(crate::comments::pages::mine)
                .service(crate::comments::pages::edit)
                .service(crate::comments::pages::withdraw)
                .service(crate::consultation::pages::secretariat::list)
                .service(crate::consultation::pages::secretariat::create)
                .service(crate::consultation::pages::secretariat::draft)
                .service(crate::consultation::pages::secretariat::add_section)
                .service(crate::consultation::pages::secretariat::publish)
                .service(crate::consultation::pages::secretariat::close)
                .service(crate::consultation::pages::import::import_form)
                .service(crate::consultation::pages::import::import_upload)
                .service(crate::feedback::pages::download)
                .service(crate::feedback::pages::report)
                .service(crate::responses::pages::responses)
                .service(crate::responses::pages::record)
                .service(crate::responses::pages::archive)
                .service(crate::administration::pages::hub)
                .service(crate::administration::pages::create_unit)
                .service(crate::administration::pages::records)
                .service(crate::administration::pages::people::list)
                .service(crate::administration::pages::people::show_person)
                .service(crate::administration::pages::people::update)
                .service(crate::administration::pages::people::unlock)
                .service(crate::administration::pages::roster::roster_form)
                .service(crate::administration::pages::roster::upload)
                .service(crate::moderation::pages::queue)
                .service(crate::moderation::team_pages::proposals)
                .service(crate::moderation::team_pages::cluster_list)
                .service(crate::moderation::team_pages::escalated_list)
                .service(crate::moderation::team_pages::decide_escalated)
                // Before `decide` (`/moderation/{comment_id}`), which would take "claims" for
                // an id.
                .service(crate::moderation::pages::take_batch)
                .service(crate::moderation::pages::give_back)
                .service(crate::moderation::team_pages::decide_cluster)
                .service(crate::moderation::pages::decide)
                .service(crate::http::page::assets::static_file)
                .service(pages::activate_page)
                .service(pages::reset_page)
                .service(pages::password_script)
                .service(web::redirect("/docs", "/docs/"))
                .default_service(web::to(fallback))
        })
        .keep_alive(keep_alive)
        .listen(listener)?;
        if workers > 0 {
            server = server.workers(workers);
        }
        Ok(Self {
            port,
            server: server.run(),
            metrics,
            context: context.into_inner(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `GET /metrics` is served on, if it is.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// The services behind the server, for seeding and tests in the same process.
    pub fn context(&self) -> Arc<Context> {
        self.context.clone()
    }

    pub fn pool(&self) -> &Pool {
        &self.context.pool
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Some((_, metrics)) = self.metrics else {
            return self.server.await;
        };
        // The metrics listener lives as long as the service, stopped with it.
        let handle = metrics.handle();
        tokio::spawn(metrics);
        let result = self.server.await;
        handle.stop(true).await;
        result
    }
}

/// `GET /metrics` alone, on a listener of its own (one worker: a scrape every few seconds).
fn metrics_server(
    host: &str,
    port: u16,
    context: &web::Data<Context>,
    registry: &web::Data<Metrics>,
) -> anyhow::Result<(u16, Server)> {
    let listener = TcpListener::bind((host, port))?;
    let port = listener.local_addr()?.port();
    let (ctx, registry) = (context.clone(), registry.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(ctx.clone())
            .app_data(registry.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    tracing::info!(metrics_port = port, "metrics served");
    Ok((port, server))
}

/// The metrics, with the gauges read now: the pool, the sign-in queue, and the backlogs the
/// database holds (every node shows the same outbox and queue).
async fn scrape(ctx: web::Data<Context>, registry: web::Data<Metrics>) -> HttpResponse {
    let backlogs = ctx
        .db(|conn| Ok(crate::telemetry::metrics::backlogs(conn)?))
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "metrics: the database did not answer"))
        .ok();
    let state = ctx.pool.state();
    registry.observe(&Snapshot {
        at: crate::db::now(),
        pool_connections: i64::from(state.connections),
        pool_idle: i64::from(state.idle_connections),
        pool_max: i64::from(ctx.pool.max_size()),
        pool_waiting: crate::db::waiting(),
        signin_queued: i64::try_from(ctx.hasher.queued()).unwrap_or(i64::MAX),
        signin_shed: ctx.hasher.shed(),
        backlogs,
    });
    match registry.render() {
        Ok((content_type, body)) => HttpResponse::Ok().content_type(content_type).body(body),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be written");
            HttpResponse::InternalServerError().finish()
        }
    }
}
