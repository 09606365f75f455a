//! argon2id hashing on a small pool of its own threads: as many as there are cores (or
//! `auth.max_concurrent_hashes`), run at a lower scheduling priority so that a flood of
//! sign-ins cannot starve ordinary requests, with a bounded queue beyond which sign-ins are
//! refused with 503 instead of piling up. The queue is bounded twice: by `auth.hash_queue`
//! places, and by the time the last place would wait (`auth.hash_max_wait_ms`, estimated from
//! how long the recent hashes took), so that a refused sign-in learns it at once and an
//! admitted one is answered within about that time however slow the machine is under load.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::config::AuthSettings;
use crate::error::AppError;

type Job = Box<dyn FnOnce() + Send>;

/// A place in the hashing queue; given back when dropped.
pub struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    jobs: SyncSender<Job>,
    /// Jobs queued or running, and how many may be.
    busy: Arc<AtomicUsize>,
    shed: Arc<AtomicU64>,
    /// Most places, hashing threads included.
    limit: usize,
    threads: usize,
    /// A moving average of how long one hash takes on its thread (µs).
    hash_micros: Arc<AtomicU64>,
    max_wait_micros: u64,
    /// Verified against when the account does not exist, so both cases cost the same.
    dummy_hash: Arc<String>,
}

/// Lower this thread's priority (Linux: per-thread nice value).
fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on our own thread id only changes this thread's nice value.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
}

impl Hasher {
    pub fn new(settings: &AuthSettings) -> anyhow::Result<Self> {
        let params = params(settings)?;
        let threads = match settings.max_concurrent_hashes {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let limit = threads + settings.hash_queue.max(1);
        let (jobs, queue) = sync_channel::<Job>(limit);
        let queue = Arc::new(Mutex::new(queue));
        let nice = settings.hash_nice.clamp(0, 19);
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority(nice);
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the Hasher is gone
                        }
                    }
                })?;
        }
        let started = Instant::now();
        let dummy_hash = hash_with(&params, "gopy dummy password for timing")?;
        let first = started.elapsed().as_micros() as u64;
        Ok(Self {
            params,
            jobs,
            busy: Arc::new(AtomicUsize::new(0)),
            shed: Arc::new(AtomicU64::new(0)),
            limit,
            threads,
            hash_micros: Arc::new(AtomicU64::new(first.max(1))),
            max_wait_micros: settings.hash_max_wait_ms.saturating_mul(1000),
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    /// Places that can be admitted now: the threads, plus as many waiting as they get through
    /// within the longest wait at the recent speed, at most `limit`.
    fn admissible(&self) -> usize {
        let per_hash = self.hash_micros.load(Ordering::Relaxed).max(1);
        let waiting =
            (self.max_wait_micros.saturating_mul(self.threads as u64) / per_hash) as usize;
        (self.threads + waiting).min(self.limit)
    }

    /// Claim a place in the hashing queue before doing any other work for a request, so that
    /// a flood is refused (503) at the cost of one atomic operation.
    pub fn reserve(&self) -> Result<Slot, AppError> {
        let taken = self.busy.fetch_add(1, Ordering::AcqRel);
        let slot = Slot(self.busy.clone());
        if taken >= self.admissible() {
            self.shed.fetch_add(1, Ordering::Relaxed);
            return Err(AppError::Busy);
        }
        Ok(slot)
    }

    /// Sign-ins (and other hashing) queued or running now.
    pub fn queued(&self) -> usize {
        self.busy.load(Ordering::Relaxed)
    }

    /// Sign-ins refused with 503 since start, the queue being full.
    pub fn shed(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }

    /// Run `f` on the hashing threads in the reserved place.
    async fn run<T: Send + 'static>(
        &self,
        slot: Slot,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let average = self.hash_micros.clone();
        let job: Job = Box::new(move || {
            let started = Instant::now();
            let _ = tx.send(f());
            drop(slot);
            let took = started.elapsed().as_micros() as u64;
            // An average over the last ~8 hashes; a lost race between threads loses one sample.
            let old = average.load(Ordering::Relaxed);
            average.store((old * 7 + took) / 8, Ordering::Relaxed);
        });
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => {
                self.shed.fetch_add(1, Ordering::Relaxed);
                AppError::Busy
            }
            TrySendError::Disconnected(_) => {
                AppError::Internal(anyhow::anyhow!("hashing threads stopped"))
            }
        })?;
        rx.await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("hashing job lost")))
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let params = self.params.clone();
        Ok(self
            .run(self.reserve()?, move || hash_with(&params, &password))
            .await??)
    }

    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        self.verify_in(self.reserve()?, password, stored).await
    }

    /// `stored` is `None` for an unknown account or one without a password: a dummy hash is
    /// verified instead and the answer is `false`.
    pub async fn verify_in(
        &self,
        slot: Slot,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, AppError> {
        let real = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let ok = self
            .run(slot, move || {
                MEMORY.with(|m| verify_in_memory(&mut m.borrow_mut(), password.as_bytes(), &stored))
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

thread_local! {
    /// The argon2 working memory of a hashing thread (`argon2_memory_kib`), kept between
    /// verifications: allocating it afresh for each one cost a sixth of the thread's time in
    /// page faults and zeroing.
    static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Verify `password` against a stored PHC string as `PasswordVerifier::verify_password` does
/// (the algorithm, version, parameters and salt the string names; a constant-time comparison
/// of the outputs), but in `memory`, which is grown to the size the string asks for and
/// reused: argon2 writes every block before it reads it.
pub fn verify_in_memory(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed
            .version
            .map_or(Ok(Version::default()), Version::try_from),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let argon2 = Argon2::new(algorithm, version, params);
    Output::init_with(expected.len(), |out| {
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut memory[..])
            .map_err(|_| argon2::password_hash::Error::Password)
    })
    // `Output`'s comparison is constant-time.
    .is_ok_and(|computed| computed == expected)
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

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    fn small(m_kib: u32) -> Params {
        Params::new(m_kib, 1, 1, None).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The library's own verification, which allocates its memory every time.
    fn library_verifies(password: &str, stored: &str) -> bool {
        let parsed = PasswordHash::new(stored).unwrap_or_else(|e| panic!("{e}"));
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    }

    #[test]
    fn verifying_in_kept_memory_agrees_with_the_library() {
        let mut memory = Vec::new();
        // A larger hash first, then a smaller one in the same (now oversized, dirty) memory.
        for m_kib in [64, 8] {
            let stored =
                hash_with(&small(m_kib), "mật khẩu đúng").unwrap_or_else(|e| panic!("{e}"));
            for password in ["mật khẩu đúng", "mat khau dung", ""] {
                assert_eq!(
                    verify_in_memory(&mut memory, password.as_bytes(), &stored),
                    library_verifies(password, &stored),
                    "{password:?} against m={m_kib}"
                );
            }
        }
    }

    #[test]
    fn a_malformed_hash_verifies_nothing() {
        assert!(!verify_in_memory(
            &mut Vec::new(),
            b"x",
            "$argon2id$v=19$m=8"
        ));
    }
}
