//! The bundle file (`*.gopy.json`): what it holds and its manifest. The manifest is the
//! SHA-256 of each part's canonical JSON and of the three together; a bundle whose parts do
//! not hash to it was changed after export and is refused. It proves integrity, not who made
//! it: the file travels through the official channel that already says who sent it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::comments::response::Decision;

/// The bundle format this build writes and reads.
pub const FORMAT: &str = "gopy-feedback-bundle/1";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    /// The body that exported it (`ui.organisation` there).
    pub organisation: String,
    pub exported_at: DateTime<Utc>,
    /// The round it covers (its number there); absent: the whole consultation.
    pub round: Option<i32>,
    pub document: BundleDocument,
    pub sections: Vec<BundleSection>,
    pub comments: Vec<BundleComment>,
    pub manifest: Manifest,
}

/// Which draft, and which version of its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleDocument {
    pub code: Option<String>,
    pub title: String,
    pub version: i32,
}

/// A section by its stable id: the hash of its path, the same wherever the draft is loaded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleSection {
    pub key: String,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleComment {
    /// Its id where it was made (with the sending body, what makes a second import a no-op).
    pub id: i64,
    /// The section's key; absent: the whole draft.
    pub section: Option<String>,
    /// The unit it came from there (or the body it came from, if rolled up before).
    pub unit: Option<String>,
    pub on_behalf_of_unit: bool,
    pub body: String,
    pub proposed_text: Option<String>,
    pub created_at: DateTime<Utc>,
    /// How that body handled it, if it recorded a response.
    pub response: Option<BundleResponse>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleResponse {
    pub decision: Decision,
    pub rationale: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `sha256`.
    pub algorithm: String,
    pub document: String,
    pub sections: String,
    pub comments: String,
    /// Over the format, organisation, time, round and the three above.
    pub bundle: String,
}

fn sha(value: &impl Serialize) -> Result<String, serde_json::Error> {
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(value)?)))
}

/// The stable id of a section path.
pub fn section_key(path: &str) -> String {
    hex::encode(&Sha256::digest(path.as_bytes())[..12])
}

impl Bundle {
    /// The manifest of this bundle's content as it stands.
    pub fn compute_manifest(&self) -> Result<Manifest, serde_json::Error> {
        let (document, sections, comments) = (
            sha(&self.document)?,
            sha(&self.sections)?,
            sha(&self.comments)?,
        );
        let bundle = sha(&(
            &self.format,
            &self.organisation,
            &self.exported_at,
            &self.round,
            &document,
            &sections,
            &comments,
        ))?;
        Ok(Manifest {
            algorithm: "sha256".to_owned(),
            document,
            sections,
            comments,
            bundle,
        })
    }

    /// Whether the content still hashes to the manifest.
    pub fn intact(&self) -> bool {
        self.compute_manifest().is_ok_and(|m| m == self.manifest)
    }
}

/// A bundle from its JSON, or 422 saying where it is not one.
pub fn parse(bytes: &[u8]) -> Result<Bundle, crate::error::AppError> {
    serde_json::from_slice(bytes).map_err(|e| {
        crate::error::AppError::field(
            "bundle",
            format!("không phải gói góp ý của gopy (not a gopy bundle): {e}"),
        )
    })
}
