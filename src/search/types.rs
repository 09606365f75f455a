use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::{comments, documents, sections};

crate::text_enum! {
    /// What a search result is.
    pub enum HitKind {
        Document = "document",
        Section = "section",
        Comment = "comment",
    }
}

impl HitKind {
    /// Results come documents first, then sections, then comments; the cursor names the kind.
    pub fn letter(self) -> char {
        match self {
            HitKind::Document => 'd',
            HitKind::Section => 's',
            HitKind::Comment => 'c',
        }
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find, typed with or without diacritics ("quy hoach can bo" finds "quy hoạch cán
    /// bộ"; "thể" does not find "thế"). Every word must occur.
    #[param(min_length = 1, max_length = 200)]
    pub q: String,
    pub document_id: Option<i64>,
    pub kind: Option<HitKind>,
    /// Created at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Created before this time.
    pub to: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^[dsc][0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Hit {
    pub kind: HitKind,
    pub id: i64,
    pub document_id: i64,
    /// For a section, itself; for a comment, the section it is on (absent: the whole draft).
    pub section_id: Option<i64>,
    /// The document's title, or the section's path.
    pub title_or_path: String,
    /// The text around the first match.
    pub snippet: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchPage {
    /// Documents first, then sections, then comments; newest first within each.
    pub items: Vec<Hit>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[schema(pattern = r"^[dsc][0-9]{1,18}$")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentHit {
    pub id: i64,
    pub title: String,
    pub summary: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionHit {
    pub id: i64,
    pub document_id: i64,
    pub path: String,
    pub heading: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentHit {
    pub id: i64,
    pub document_id: i64,
    pub section_id: Option<i64>,
    #[diesel(select_expression = sections::path.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<sections::path>)]
    pub section_path: Option<String>,
    pub body: String,
    pub proposed_text: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What every kind's query shares.
pub struct Filter {
    pub patterns: Vec<String>,
    /// Patterns are folded (match the `*_search` columns), or lowercase NFC (`*_lower`).
    pub folded: bool,
    pub document_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Drafts too (the secretariat).
    pub drafts: bool,
    /// Comments in every state (moderators, the secretariat); else approved ones and `own`.
    pub all_comments: bool,
    pub own: i64,
    /// Only ids below this (the cursor, within its kind).
    pub before: Option<i64>,
    pub limit: i64,
}
