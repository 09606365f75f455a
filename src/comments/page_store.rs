//! The SQL of kept pages (`page_cache`): what a reader's page of a section depends on.

use diesel::dsl::exists;
use diesel::prelude::*;

use crate::comments::types::CommentStatus;
use crate::db::schema::{comments, documents, sections};
use crate::db::DbConn;
use crate::drafts::types::DocumentStatus;

/// What decides whether a kept page of a section's approved comments is the page `reader`
/// would read now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionState {
    /// Moved by the database on every change to an approved comment of the section.
    pub revision: i64,
    /// The reader has comments there that only they see (pending, rejected …): their page is
    /// not the shared one.
    pub own_unapproved: bool,
}

/// The state of `section` of `document_id` for `reader`, in one round trip; None when the
/// section is not one of the document's, or the document is a draft `reader` may not see
/// (`hide_drafts`): then the page itself answers why.
pub fn section_state(
    conn: &mut DbConn,
    document_id: i64,
    section: i64,
    reader: i64,
    hide_drafts: bool,
) -> QueryResult<Option<SectionState>> {
    let own = exists(
        comments::table
            .filter(comments::section_id.eq(section))
            .filter(comments::author_id.eq(reader))
            .filter(comments::status.ne(CommentStatus::Approved.as_str())),
    );
    let mut query = sections::table
        .inner_join(documents::table)
        .filter(sections::id.eq(section))
        .filter(sections::document_id.eq(document_id))
        .select((sections::comments_revision, own))
        .into_boxed();
    if hide_drafts {
        query = query.filter(documents::status.ne(DocumentStatus::Draft.as_str()));
    }
    Ok(query
        .first::<(i64, bool)>(conn)
        .optional()?
        .map(|(revision, own_unapproved)| SectionState {
            revision,
            own_unapproved,
        }))
}
