//! Helpers for reading and checking what clients send.

use serde::{Deserialize, Deserializer};

use crate::error::AppError;

/// `Some(None)` when the field is present as `null`, `None` when it is absent.
pub fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Check input as sent, normalise it, and check it again: limits (maximum lengths) hold for
/// what the client sent, as the document states them, and "required" holds for what is left
/// once invisible characters and surrounding space are gone.
pub fn validated<T: validator::Validate>(
    raw: T,
    normalize: impl FnOnce(T) -> T,
) -> Result<T, AppError> {
    raw.validate()?;
    let clean = normalize(raw);
    clean.validate()?;
    Ok(clean)
}
