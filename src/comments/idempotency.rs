//! `Idempotency-Key` for comment submission: a retry with the same key from the same person
//! returns the first result and creates nothing; the same key with another body is refused.

use sha2::{Digest, Sha256};

use crate::comments::types::{Comment, NewComment};
use crate::error::AppError;

pub const HEADER: &str = "Idempotency-Key";
/// Keys are kept this long (the promise is at least 24 h).
pub const KEEP_HOURS: i64 = 48;

pub enum Created {
    New(Box<Comment>),
    /// The key was used before for this very request: the comment it created.
    Replayed(i64),
}

/// A key is 1–255 visible ASCII characters (a UUID, say).
pub fn check_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(
            HEADER,
            "must be 1–255 visible ASCII characters",
        ));
    }
    Ok(())
}

pub(crate) fn request_hash(document_id: i64, new: &NewComment) -> String {
    let canonical = match new.on_behalf_of_unit {
        false => serde_json::json!([document_id, new.section_id, new.body, new.proposed_text]),
        true => {
            serde_json::json!([
                document_id,
                new.section_id,
                new.body,
                new.proposed_text,
                true
            ])
        }
    };
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}
