//! The admins' blocked terms as each comment writer holds them: read again when this process
//! has changed them, and at least every `FRESH_FOR` (another node may have), rather than once
//! per batch — that read was one more round trip in every batch's transaction.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::QueryResult;

use crate::db::DbConn;

/// How long a writer keeps terms another node may have changed since.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

/// Bumped after every committed change of the terms in this process. Shared by every server
/// the process runs (tests run many): a change elsewhere only costs the others one read.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Call once a change of the terms has committed.
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// One writer's copy of the terms.
#[derive(Debug, Default)]
pub struct Terms {
    /// When they were read, and the generation then.
    read: Option<(Instant, u64)>,
    terms: Vec<String>,
}

impl Terms {
    pub fn get(&mut self, conn: &mut DbConn) -> QueryResult<&[String]> {
        // The generation before the read: a change committing meanwhile bumps it after, and
        // the next batch reads again.
        let generation = GENERATION.load(Ordering::SeqCst);
        let fresh =
            matches!(self.read, Some((at, g)) if g == generation && at.elapsed() < FRESH_FOR);
        if !fresh {
            self.terms = crate::comments::store::screening_terms(conn)?;
            self.read = Some((Instant::now(), generation));
        }
        Ok(&self.terms)
    }
}
