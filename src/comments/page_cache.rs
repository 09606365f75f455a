//! Pages of a section's approved comments, kept in-process and shared by every reader who has
//! nothing of their own there. Each is kept with the section's `comments_revision`, which the
//! database moves in the same transaction as any change to an approved comment of the
//! section (a moderation decision on any node, an edit, a withdrawal); a reader's page is
//! served from here only when one cheap query finds the revision unchanged, so no node ever
//! serves a page older than the database's. Names joined into a page (an author renamed, a
//! unit) are not part of the revision: a kept page is dropped after `MAX_AGE` at the latest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// Past this many pages the cache starts over (a bound on memory: a page is ~30 KB).
const MAX_ENTRIES: usize = 2_000;

/// How long a kept page may show names changed since it was read.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// Which page: the section, the cursor it starts after, its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub section: i64,
    pub after: Option<i64>,
    pub limit: i64,
}

struct Kept {
    revision: i64,
    at: Instant,
    /// The page as the API writes it (JSON).
    page: Bytes,
}

#[derive(Default)]
pub struct PageCache {
    pages: Mutex<HashMap<PageKey, Kept>>,
}

impl PageCache {
    /// The kept page, if it was read at `revision` and is not too old.
    pub fn get(&self, key: &PageKey, revision: i64) -> Option<Bytes> {
        let pages = self.pages.lock().ok()?;
        pages
            .get(key)
            .filter(|k| k.revision == revision && k.at.elapsed() < MAX_AGE)
            .map(|k| k.page.clone())
    }

    /// Keep `page`, read after the section was seen at `revision` (so a change in between
    /// makes it older than it says, never newer).
    pub fn put(&self, key: PageKey, revision: i64, page: Bytes) {
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= MAX_ENTRIES && !pages.contains_key(&key) {
                pages.retain(|_, k| k.at.elapsed() < MAX_AGE);
                if pages.len() >= MAX_ENTRIES {
                    pages.clear();
                }
            }
            pages.insert(
                key,
                Kept {
                    revision,
                    at: Instant::now(),
                    page,
                },
            );
        }
    }
}
