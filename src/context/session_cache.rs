//! A short-lived, in-process cache of authenticated sessions, so that most requests need no
//! database round trip (and no hop to a blocking thread) to learn who is calling.
//!
//! Changes made through this process (sign-out, password, roles, deactivation) drop the
//! affected entries at once; changes made by another gopy process reach this one within
//! `auth.session_cache_secs` (0 turns the cache off).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::identity::Actor;

/// Past this many entries the cache starts over (a bound on memory, not a tuning knob).
const MAX_ENTRIES: usize = 50_000;

pub struct SessionCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Actor)>>,
}

impl SessionCache {
    pub fn new(ttl_secs: u64) -> Self {
        Self {
            ttl: Duration::from_secs(ttl_secs),
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, token_hash: &str) -> Option<Actor> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        entries
            .get(token_hash)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, user)| user.clone())
    }

    pub fn put(&self, token_hash: String, user: Actor) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(token_hash, (Instant::now(), user));
        }
    }

    /// Forget every session of a user (after a change to their sessions or account).
    pub fn forget_user(&self, user_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, u)| u.id != user_id);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}
