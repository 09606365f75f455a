//! Pages of a section's approved comments, kept in-process and shared by every reader who has
//! nothing of their own there. Each is kept with the section's `comments_revision`, which the
//! database moves in the same transaction as any change to an approved comment of the
//! section (a moderation decision on any node, an edit, a withdrawal); a reader's page is
//! served from here only when one cheap query finds the revision unchanged, so no node ever
//! serves a page older than the database's. Names joined into a page (an author or a unit
//! renamed, a section renumbered) are not part of the revision: a kept page is dropped after
//! `MAX_AGE` at the latest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;

/// Past this many bytes of pages the cache starts over (a bound on memory: a page of 50 is
/// ~30 KB, so this keeps about 500).
const MAX_BYTES: usize = 16 << 20;

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
    pages: Mutex<Pages>,
}

#[derive(Default)]
struct Pages {
    kept: HashMap<PageKey, Kept>,
    bytes: usize,
}

impl PageCache {
    /// The kept page, if it was read at `revision` and is not too old.
    pub fn get(&self, key: &PageKey, revision: i64) -> Option<Bytes> {
        let pages = self.pages.lock().ok()?;
        pages
            .kept
            .get(key)
            .filter(|k| k.revision == revision && k.at.elapsed() < MAX_AGE)
            .map(|k| k.page.clone())
    }

    /// Keep `page`, read after the section was seen at `revision` (so a change in between
    /// makes it older than it says, never newer).
    pub fn put(&self, key: PageKey, revision: i64, page: Bytes) {
        let Ok(mut pages) = self.pages.lock() else {
            return;
        };
        if pages.bytes + page.len() > MAX_BYTES {
            pages.kept.retain(|_, k| k.at.elapsed() < MAX_AGE);
            pages.bytes = pages.kept.values().map(|k| k.page.len()).sum();
            if pages.bytes + page.len() > MAX_BYTES {
                pages.kept.clear();
                pages.bytes = 0;
            }
        }
        let kept = Kept {
            revision,
            at: Instant::now(),
            page,
        };
        pages.bytes += kept.page.len();
        if let Some(old) = pages.kept.insert(key, kept) {
            pages.bytes -= old.page.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(section: i64) -> PageKey {
        PageKey {
            section,
            after: None,
            limit: 50,
        }
    }

    #[test]
    fn a_page_is_served_only_at_the_revision_it_was_read_at() {
        let cache = PageCache::default();
        cache.put(key(1), 7, Bytes::from_static(b"{}"));
        assert_eq!(cache.get(&key(1), 7), Some(Bytes::from_static(b"{}")));
        assert_eq!(cache.get(&key(1), 8), None);
        assert_eq!(cache.get(&key(2), 7), None);
    }

    #[test]
    fn kept_pages_stay_within_the_byte_budget() {
        let cache = PageCache::default();
        let page = Bytes::from(vec![b' '; 300 * 1024]);
        for section in 0..200 {
            cache.put(key(section), 1, page.clone());
            let pages = cache.pages.lock().unwrap();
            let held: usize = pages.kept.values().map(|k| k.page.len()).sum();
            assert_eq!(pages.bytes, held);
            assert!(held <= MAX_BYTES, "{held} bytes after {section}");
        }
        assert!(cache.get(&key(199), 1).is_some());
    }
}
