//! Secrets handed out once: session tokens and mailed single-use tokens (activation, reset).
//! 256 random bits each; only the SHA-256 hash is stored.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

crate::text_enum! {
    /// What a mailed token is for.
    pub enum Purpose {
        Activation = "activation",
        Reset = "reset",
    }
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}
