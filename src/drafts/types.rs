use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{document_versions, documents, sections};
use crate::text::{clean, clean_opt};

crate::text_enum! {
    /// A draft is being prepared; published, it takes comments; closed, it is read-only.
    pub enum DocumentStatus {
        Draft = "draft",
        Published = "published",
        Closed = "closed",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: i64,
    pub title: String,
    pub code: Option<String>,
    pub summary: Option<String>,
    pub status: DocumentStatus,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version of the text under consultation (1 until a revision is published).
    pub current_version: i32,
    /// Set once the secretariat archives the closed draft: comments and responses are frozen.
    pub archived_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: i64,
    pub title: String,
    pub code: Option<String>,
    pub summary: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: DocumentStatus,
    pub opens_at: Option<NaiveDateTime>,
    pub closes_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub current_version: i32,
    pub archived_at: Option<NaiveDateTime>,
}

impl From<DocumentRow> for Document {
    fn from(r: DocumentRow) -> Self {
        Document {
            id: r.id,
            title: r.title,
            code: r.code,
            summary: r.summary,
            status: r.status,
            opens_at: r.opens_at.map(|t| t.and_utc()),
            closes_at: r.closes_at.map(|t| t.and_utc()),
            published_at: r.published_at.map(|t| t.and_utc()),
            closed_at: r.closed_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            current_version: r.current_version,
            archived_at: r.archived_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Section {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: Option<String>,
    pub heading: Option<String>,
    pub body: String,
    /// Labels from the root, e.g. "Chương II › Mục 1 › Điều 4".
    pub path: String,
    /// 0 for top-level sections.
    pub depth: u32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: Option<String>,
    pub heading: Option<String>,
    pub body: String,
    pub path: String,
}

impl SectionRow {
    pub fn at_depth(self, depth: u32) -> Section {
        Section {
            id: self.id,
            parent_id: self.parent_id,
            position: self.position,
            label: self.label,
            heading: self.heading,
            body: self.body,
            path: self.path,
            depth,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: Document,
    /// The version these sections are of.
    pub version: i32,
    /// Every section, in reading order (depth-first, siblings by position).
    pub sections: Vec<Section>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    #[validate(length(min = 1, max = 500, message = "must be 1–500 characters"))]
    #[schema(min_length = 1, max_length = 500)]
    pub title: String,
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(max_length = 100)]
    pub code: Option<String>,
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    #[schema(max_length = 10000)]
    pub summary: Option<String>,
    /// Comments are accepted from this time (UTC or with an offset).
    pub opens_at: Option<DateTime<Utc>>,
    /// … until this time, exclusive; after `opens_at`.
    pub closes_at: Option<DateTime<Utc>>,
}

impl NewDocument {
    pub fn normalize(mut self) -> Self {
        self.title = clean(&self.title);
        self.code = clean_opt(self.code.as_deref());
        self.summary = clean_opt(self.summary.as_deref());
        // Stored with PostgreSQL's precision on both backends.
        self.opens_at = self.opens_at.map(|t| t.trunc_subsecs(6));
        self.closes_at = self.closes_at.map(|t| t.trunc_subsecs(6));
        self
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSection {
    pub parent_id: Option<i64>,
    /// "Chương II", "Điều 4", "Khoản 1" …
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(max_length = 100)]
    pub label: Option<String>,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub heading: Option<String>,
    /// The text; a section needs a label, a heading or a body.
    #[validate(length(max = 100000, message = "must be at most 100000 characters"))]
    #[schema(max_length = 100000)]
    pub body: String,
    /// Order among siblings; defaults to after the last one.
    #[validate(range(min = 0, max = 1000000, message = "must be 0–1000000"))]
    #[schema(minimum = 0, maximum = 1000000)]
    pub position: Option<i32>,
}

impl NewSection {
    pub fn normalize(mut self) -> Self {
        self.label = clean_opt(self.label.as_deref());
        self.heading = clean_opt(self.heading.as_deref());
        self.body = clean(&self.body);
        self
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentSearch {
    /// Only documents in this state (the secretariat may ask for `draft`).
    pub status: Option<DocumentStatus>,
    /// Title contains this, ignoring case and diacritics.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Created at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Created before this time.
    pub to: Option<DateTime<Utc>>,
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

crate::text_enum! {
    /// A version is written as a draft, then published (it becomes the current text).
    pub enum VersionStatus {
        Draft = "draft",
        Published = "published",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = document_versions)]
pub struct VersionRow {
    pub number: i32,
    #[diesel(deserialize_as = String)]
    pub status: VersionStatus,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

/// One version of a document's text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Version {
    pub number: i32,
    pub status: VersionStatus,
    /// Whether this is the text under consultation now.
    pub current: bool,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub sections: i64,
    /// Comments made on this version.
    pub comments: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version other than the current one (drafts: secretariat only).
    #[param(minimum = 1)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    #[param(minimum = 1)]
    pub from: i32,
    #[param(minimum = 1)]
    pub to: i32,
}

crate::text_enum! {
    /// How a section changed between two versions.
    pub enum Change {
        Unchanged = "unchanged",
        Changed = "changed",
        Added = "added",
        Removed = "removed",
        Moved = "moved",
    }
}

crate::text_enum! {
    pub enum DiffOp {
        Equal = "equal",
        Insert = "insert",
        Delete = "delete",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DiffPart {
    pub op: DiffOp,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SectionDiff {
    pub id: i64,
    pub path_from: Option<String>,
    pub path_to: Option<String>,
    pub change: Change,
    /// Word-level difference of the section's heading and text.
    pub diff: Vec<DiffPart>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionDiff {
    pub from: i32,
    pub to: i32,
    /// Sections of `to` in reading order, then those removed since `from`.
    pub sections: Vec<SectionDiff>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Only read the file and show what would be stored.
    pub dry_run: Option<bool>,
}
