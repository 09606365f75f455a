//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{accounts, comments, drafts, feedback, http, moderation, units};

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
        (name = "auth", description = "Sign-in and sessions"),
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
    accounts::handlers::login,
    accounts::handlers::logout,
    accounts::handlers::me,
    accounts::handlers::create_user,
    accounts::handlers::list_users,
    units::handlers::create_unit,
    units::handlers::list_units,
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
