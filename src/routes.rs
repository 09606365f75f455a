//! The one list of routes. The served application and the OpenAPI document are both built
//! from it (utoipa-actix-web collects each handler's `#[utoipa::path]` as it is registered),
//! so nothing can be served undocumented or documented unserved.

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt, UtoipaApp};

use crate::accounts::handlers::{auth, me, users};
use crate::error::{ErrorCode, RowError};
use crate::http::health;
use crate::http::problem::Problem;
use crate::identity::Role;
use crate::{
    audit, comments, drafts, feedback, mail, moderation, responses, rollup, roster, rounds, search,
    units,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gopy",
        description = "Góp ý dự thảo — staff consultation on draft documents. Errors are RFC 9457 \
            `application/problem+json` with a stable `code` (see the `ErrorCode` schema). Operations \
            whose bearer requirement names roles answer 403 to anyone without one of them.",
    ),
    components(schemas(Problem, ErrorCode, RowError, feedback::types::Format, search::types::HitKind)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Sign-in, activation and password reset"),
        (name = "me", description = "Your sessions and password"),
        (name = "administration", description = "Units, accounts, roster, audit log and outbox (admins)"),
        (name = "documents", description = "Draft documents and sections"),
        (name = "comments", description = "Comments (góp ý)"),
        (name = "moderation", description = "The moderation queue"),
        (name = "feedback", description = "Exports and summaries for the secretariat"),
        (name = "responses", description = "The response register: how each approved comment was handled (tiếp thu, giải trình)"),
        (name = "search", description = "Search with or without diacritics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Everything under `/api/v1`.
fn api(cfg: &mut ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::activate)
        .service(auth::request_reset)
        .service(auth::confirm_reset)
        .service(me::update_me)
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
        .service(drafts::handlers::import_document)
        .service(drafts::handlers::list_versions)
        .service(drafts::handlers::publish_version)
        .service(drafts::handlers::diff)
        .service(rounds::handlers::create_round)
        .service(rounds::handlers::list_rounds)
        .service(rounds::handlers::update_round)
        .service(comments::handlers::create_comment)
        .service(comments::handlers::list_document_comments)
        .service(comments::handlers::my_comments)
        .service(comments::handlers::get_comment)
        .service(comments::handlers::edit_comment)
        .service(comments::handlers::withdraw_comment)
        .service(moderation::handlers::moderation_queue)
        .service(moderation::handlers::moderate)
        .service(moderation::handlers::claim)
        .service(moderation::handlers::release_claims)
        .service(moderation::handlers::moderation_reasons)
        .service(moderation::handlers::proposals_queue)
        .service(moderation::handlers::list_clusters)
        .service(moderation::handlers::decide_cluster)
        .service(moderation::handlers::escalated_queue)
        .service(moderation::handlers::decide_escalated)
        .service(comments::handlers::screening_terms)
        .service(comments::handlers::set_screening_terms)
        .service(feedback::handlers::feedback)
        .service(feedback::handlers::summary)
        .service(feedback::handlers::report)
        .service(feedback::handlers::stats)
        .service(rollup::handlers::export_bundle)
        .service(rollup::handlers::import_bundle)
        .service(responses::handlers::respond)
        .service(responses::handlers::get_response)
        .service(responses::handlers::respond_shared)
        .service(responses::handlers::list_responses)
        .service(responses::handlers::archive)
        .service(audit::handlers::audit_log)
        .service(audit::handlers::verify_audit_log)
        .service(mail::handlers::list_outbox)
        .service(mail::handlers::retry_outbox)
        .service(roster::handlers::import_roster)
        .service(search::handlers::search);
}

/// Who may call the operations that not every signed-in person may, by operation id (the
/// handler's name): the document states it as the bearer requirement's role list, and the
/// authorization matrix test checks that the server admits exactly these roles.
pub const ROLES: &[(&str, &[Role])] = &[
    ("create_user", &[Role::Admin]),
    ("list_users", &[Role::Admin]),
    ("update_user", &[Role::Admin]),
    ("unlock_user", &[Role::Admin]),
    ("create_unit", &[Role::Admin]),
    ("list_units", &[Role::Admin]),
    ("update_unit", &[Role::Admin]),
    ("audit_log", &[Role::Admin]),
    ("verify_audit_log", &[Role::Admin]),
    ("list_outbox", &[Role::Admin]),
    ("retry_outbox", &[Role::Admin]),
    ("import_roster", &[Role::Admin]),
    ("create_document", &[Role::Secretariat]),
    ("add_section", &[Role::Secretariat]),
    ("publish", &[Role::Secretariat]),
    ("close", &[Role::Secretariat]),
    ("import_document", &[Role::Secretariat]),
    ("publish_version", &[Role::Secretariat]),
    ("create_round", &[Role::Secretariat]),
    ("update_round", &[Role::Secretariat]),
    ("feedback", &[Role::Secretariat]),
    ("summary", &[Role::Secretariat]),
    ("stats", &[Role::Secretariat]),
    ("export_bundle", &[Role::Secretariat]),
    ("import_bundle", &[Role::Secretariat]),
    ("report", &[Role::Secretariat]),
    ("respond", &[Role::Secretariat]),
    ("get_response", &[Role::Secretariat]),
    ("respond_shared", &[Role::Secretariat]),
    ("list_responses", &[Role::Secretariat]),
    ("archive", &[Role::Secretariat]),
    ("create_comment", &[Role::Employee]),
    ("edit_comment", &[Role::Employee]),
    ("withdraw_comment", &[Role::Employee]),
    ("moderation_queue", &[Role::Moderator]),
    ("moderate", &[Role::Moderator]),
    ("claim", &[Role::Moderator]),
    ("release_claims", &[Role::Moderator]),
    ("moderation_reasons", &[Role::Moderator]),
    ("proposals_queue", &[Role::Moderator]),
    ("list_clusters", &[Role::Moderator]),
    ("decide_cluster", &[Role::Moderator]),
    ("escalated_queue", &[Role::Secretariat]),
    ("decide_escalated", &[Role::Secretariat]),
    ("screening_terms", &[Role::Admin]),
    ("set_screening_terms", &[Role::Admin]),
];

/// Register the application's documented routes: health at the root, the API under `/api/v1`.
pub fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(ApiDoc::openapi())
        .service(health::healthz)
        .service(health::readyz)
        .service(scope::scope("/api/v1").configure(api))
}

/// The finished OpenAPI document of the routes `register` serves.
pub fn document() -> serde_json::Value {
    crate::http::openapi::finish(
        register(App::new().into_utoipa_app()).split_for_parts().1,
        ROLES,
    )
}
