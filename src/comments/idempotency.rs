//! `Idempotency-Key` for comment submission: a retry with the same key from the same person
//! returns the first result and creates nothing; the same key with another body is refused.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use diesel::QueryResult;
use sha2::{Digest, Sha256};

use crate::comments::store;
use crate::comments::types::{Comment, NewComment};
use crate::comments::writer::Submission;
use crate::db::DbConn;
use crate::error::AppError;

pub const HEADER: &str = "Idempotency-Key";
/// Keys are kept this long (the promise is at least 24 h).
pub const KEEP_HOURS: i64 = 48;

/// Whose keys the comment writer looks up before it writes a batch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup<'a> {
    /// The keys this process answered lately (`seen[i]`), and those of submissions that will
    /// not be written (refused by the rules or the hourly limit: they must still get their
    /// first answer). Any other key used before makes the insert of the keys fail, and the
    /// batch is written again with `All`. Retries are rare, so most batches save the statement.
    Refused(&'a [bool]),
    /// Every submission's key, before anything is checked.
    All,
}

/// Keys this process answered lately, each hashed with its person: a retry it sees again is
/// looked up before its batch is written, so a client sending one key over and over cannot
/// make each batch it lands in be written twice. A collision only costs a lookup.
#[derive(Default)]
pub(crate) struct Recent {
    ids: HashSet<u64>,
    order: VecDeque<u64>,
}

/// Keys remembered at most (the oldest are forgotten first): seconds to minutes of submissions.
const RECENT: usize = 65_536;

impl Recent {
    fn id(user: i64, key: &str) -> u64 {
        let mut h = DefaultHasher::new();
        (user, key).hash(&mut h);
        h.finish()
    }

    fn remember(&mut self, user: i64, key: &str) {
        let id = Recent::id(user, key);
        if self.ids.insert(id) {
            self.order.push_back(id);
        }
        while self.order.len() > RECENT {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
    }

    /// For each submission: whether its key was answered lately.
    pub(crate) fn seen(recent: &Mutex<Recent>, jobs: &[Submission]) -> Vec<bool> {
        let Ok(recent) = recent.lock() else {
            return vec![true; jobs.len()];
        };
        let seen = |j: &Submission| {
            j.key
                .as_ref()
                .is_some_and(|k| recent.ids.contains(&Recent::id(j.author.id, k)))
        };
        jobs.iter().map(seen).collect()
    }

    /// The keys of a batch just answered.
    pub(crate) fn remember_all(recent: &Mutex<Recent>, jobs: &[Submission]) {
        if let Ok(mut recent) = recent.lock() {
            for j in jobs {
                if let Some(k) = &j.key {
                    recent.remember(j.author.id, k);
                }
            }
        }
    }
}

/// A key's first request: its hash and the comment it created.
pub(crate) type Known = HashMap<(i64, String), (String, i64)>;

/// The keys of the submissions `pick` chooses that were used before.
pub(crate) fn known(
    conn: &mut DbConn,
    jobs: &[Submission],
    pick: impl Fn(usize) -> bool,
) -> QueryResult<Known> {
    let pairs: Vec<(i64, String)> = jobs
        .iter()
        .enumerate()
        .filter(|(i, _)| pick(*i))
        .filter_map(|(_, j)| j.key.clone().map(|k| (j.author.id, k)))
        .collect();
    Ok(store::known_keys(conn, &pairs)?
        .into_iter()
        .map(|k| ((k.user_id, k.key), (k.request_hash, k.comment_id)))
        .collect())
}

/// The first answer again, if `job`'s key is among the `known` (`hash`: this request's).
pub(crate) fn first_answer(
    known: &Known,
    job: &Submission,
    hash: &str,
) -> Option<Result<Created, AppError>> {
    let key = job.key.as_ref()?;
    let (first_hash, comment) = known.get(&(job.author.id, key.clone()))?;
    Some(replay(first_hash, hash, *comment))
}

/// The answer to a request whose key was used before: its comment again if it is the same
/// request (`hash`), 422 if the key was used for something else.
pub(crate) fn replay(first_hash: &str, hash: &str, comment: i64) -> Result<Created, AppError> {
    if first_hash == hash {
        Ok(Created::Replayed(comment))
    } else {
        Err(AppError::field(
            HEADER,
            "this key was already used for a different comment",
        ))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_keys_forget_the_oldest_beyond_their_bound() {
        let mut recent = Recent::default();
        for n in 0..=RECENT {
            recent.remember(7, &format!("key-{n}"));
        }
        assert!(!recent.ids.contains(&Recent::id(7, "key-0")));
        assert!(recent.ids.contains(&Recent::id(7, "key-1")));
        assert!(!recent.ids.contains(&Recent::id(8, "key-1")));
        assert_eq!(recent.ids.len(), RECENT);
    }
}
