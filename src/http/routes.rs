//! The one list of routes. The served application and the OpenAPI document are both built
//! from it (utoipa-actix-web collects each handler's `#[utoipa::path]` as it is registered),
//! so nothing can be served undocumented or documented unserved.

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt, UtoipaApp};

use crate::accounts::handlers::{auth, me, users};
use crate::http::health;
use crate::{audit, comments, drafts, feedback, mail, moderation, roster, units};

/// Everything under `/api/v1`.
fn api(cfg: &mut ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::activate)
        .service(auth::request_reset)
        .service(auth::confirm_reset)
        .service(me::list_sessions)
        .service(me::revoke_all_sessions)
        .service(me::revoke_session)
        .service(me::change_password)
        .service(users::create_user)
        .service(users::list_users)
        .service(users::update_user)
        .service(users::unlock_user)
        .service(units::handlers::create_unit)
        .service(units::handlers::list_units)
        .service(units::handlers::update_unit)
        .service(drafts::handlers::create_document)
        .service(drafts::handlers::add_section)
        .service(drafts::handlers::publish)
        .service(drafts::handlers::close)
        .service(drafts::handlers::list_documents)
        .service(drafts::handlers::get_document)
        .service(comments::handlers::create_comment)
        .service(comments::handlers::list_document_comments)
        .service(comments::handlers::my_comments)
        .service(comments::handlers::get_comment)
        .service(moderation::handlers::moderation_queue)
        .service(moderation::handlers::moderate)
        .service(feedback::handlers::feedback)
        .service(feedback::handlers::summary)
        .service(audit::handlers::audit_log)
        .service(mail::handlers::list_outbox)
        .service(mail::handlers::retry_outbox)
        .service(roster::handlers::import_roster);
}

/// Register the application's documented routes: health at the root, the API under `/api/v1`.
pub fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(crate::http::openapi::ApiDoc::openapi())
        .service(health::healthz)
        .service(health::readyz)
        .service(scope::scope("/api/v1").configure(api))
}

/// The finished OpenAPI document of the routes `register` serves.
pub fn document() -> serde_json::Value {
    crate::http::openapi::finish(register(App::new().into_utoipa_app()).split_for_parts().1)
}
