//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{accounts, audit, comments, drafts, feedback, http, mail, moderation, roster, units};

/// The whole document: health at the root, the API nested under /api/v1.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "gopy",
        description = "Góp ý dự thảo — staff consultation on draft documents. Errors are RFC 9457 problem+json with a stable `code`.",
    ),
    paths(http::health::healthz, http::health::readyz),
    nest((path = "/api/v1", api = V1)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Sign-in, activation and password reset"),
        (name = "me", description = "Your sessions and password"),
        (name = "admin", description = "Units and accounts"),
        (name = "documents", description = "Draft documents and sections"),
        (name = "comments", description = "Comments (góp ý)"),
        (name = "moderation", description = "The moderation queue"),
        (name = "feedback", description = "Exports and summaries for the secretariat"),
    )
)]
pub struct ApiDoc;

#[derive(OpenApi)]
#[openapi(paths(
    accounts::auth_handlers::login,
    accounts::auth_handlers::logout,
    accounts::auth_handlers::me,
    accounts::auth_handlers::activate,
    accounts::auth_handlers::request_reset,
    accounts::auth_handlers::confirm_reset,
    accounts::me_handlers::list_sessions,
    accounts::me_handlers::revoke_session,
    accounts::me_handlers::revoke_all_sessions,
    accounts::me_handlers::change_password,
    accounts::user_handlers::create_user,
    accounts::user_handlers::list_users,
    accounts::user_handlers::update_user,
    accounts::user_handlers::unlock_user,
    units::handlers::create_unit,
    units::handlers::list_units,
    units::handlers::update_unit,
    drafts::handlers::create_document,
    drafts::handlers::add_section,
    drafts::handlers::publish,
    drafts::handlers::close,
    drafts::handlers::list_documents,
    drafts::handlers::get_document,
    comments::handlers::create_comment,
    comments::handlers::list_document_comments,
    comments::handlers::my_comments,
    comments::handlers::get_comment,
    moderation::handlers::moderation_queue,
    moderation::handlers::moderate,
    feedback::handlers::feedback,
    feedback::handlers::summary,
    audit::handlers::audit_log,
    mail::handlers::list_outbox,
    mail::handlers::retry_outbox,
    roster::handlers::import_roster,
))]
struct V1;

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
