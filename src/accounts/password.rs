//! argon2id hashing off the async workers, with a bound on how many hashes run at once
//! (each takes ~19 MiB and tens of milliseconds of a core).

use std::sync::Arc;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::AuthSettings;
use crate::error::AppError;

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so both cases cost the same.
    dummy_hash: Arc<String>,
}

impl Hasher {
    pub fn new(settings: &AuthSettings) -> anyhow::Result<Self> {
        let params = params(settings)?;
        let permits = match settings.max_concurrent_hashes {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let dummy_hash = hash_with(&params, "gopy dummy password for timing")?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(permits)),
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        let params = self.params.clone();
        let hash = actix_web::web::block(move || hash_with(&params, &password)).await??;
        Ok(hash)
    }

    /// `stored` is `None` for an unknown account or one without a password: a dummy hash is
    /// verified instead and the answer is `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        let real = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let ok = actix_web::web::block(move || {
            PasswordHash::new(&stored)
                .map(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await?;
        Ok(ok && real)
    }
}

impl Hasher {
    /// True when `stored` was made with other parameters (or another algorithm) than the
    /// configured ones, so that it should be re-hashed at the next successful sign-in.
    pub fn needs_rehash(&self, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return true;
        };
        let same_algorithm = parsed.algorithm == Algorithm::Argon2id.ident();
        match Params::try_from(&parsed) {
            Ok(p) => {
                !same_algorithm
                    || p.m_cost() != self.params.m_cost()
                    || p.t_cost() != self.params.t_cost()
                    || p.p_cost() != self.params.p_cost()
            }
            Err(_) => true,
        }
    }
}

/// Blocking hash, for the CLI and the demo seed.
pub fn hash_with(params: &Params, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 failed: {e}"))
}

pub fn params(settings: &AuthSettings) -> anyhow::Result<Params> {
    Params::new(
        settings.argon2_memory_kib,
        settings.argon2_iterations,
        settings.argon2_parallelism,
        None,
    )
    .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))
}
