use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::text::{clean, clean_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocumentStatus {
    Draft,
    Published,
    Closed,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Published, Self::Closed]
            .into_iter()
            .find(|v| v.as_str() == s)
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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: Document,
    /// Every section, in reading order (depth-first, siblings by position).
    pub sections: Vec<Section>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    #[validate(length(min = 1, max = 500, message = "must be 1–500 characters"))]
    pub title: String,
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    pub code: Option<String>,
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    pub summary: Option<String>,
    /// Comments are accepted from this time (UTC or with an offset).
    pub opens_at: Option<DateTime<Utc>>,
    /// … until this time, exclusive.
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
    pub label: Option<String>,
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    pub heading: Option<String>,
    #[validate(length(max = 100000, message = "must be at most 100000 characters"))]
    pub body: String,
    /// Order among siblings; defaults to after the last one.
    #[validate(range(min = 0, max = 1000000, message = "must be 0–1000000"))]
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

pub(crate) type DocumentRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    NaiveDateTime,
    NaiveDateTime,
);

impl From<DocumentRow> for Document {
    fn from(r: DocumentRow) -> Self {
        Document {
            id: r.0,
            title: r.1,
            code: r.2,
            summary: r.3,
            status: DocumentStatus::parse(&r.4).unwrap_or(DocumentStatus::Draft),
            opens_at: r.5.map(|t| t.and_utc()),
            closes_at: r.6.map(|t| t.and_utc()),
            published_at: r.7.map(|t| t.and_utc()),
            closed_at: r.8.map(|t| t.and_utc()),
            created_at: r.9.and_utc(),
            updated_at: r.10.and_utc(),
        }
    }
}
