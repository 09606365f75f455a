//! Whether a gopy process has an embedded (SQLite) database open: every process that opens one
//! holds a shared `flock` on `<file>.lock` beside it, and `gopy restore` replaces a database
//! only once it gets the lock exclusively. The kernel drops a lock when its process ends, so a
//! process killed with SIGKILL leaves nothing stale behind.
//!
//! A file of its own rather than the database: SQLite locks the database with `fcntl`, which
//! on NFS is what `flock` is emulated with, and the two must never meet.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The lock file of the database at `db`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open(db: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(db))
}

/// Mark `db` as in use for as long as the returned handle lives (shared: any number of gopy
/// processes may use one database). Waits while a restore holds it.
pub fn hold(db: &Path) -> std::io::Result<Arc<File>> {
    let file = open(db)?;
    file.lock_shared()?;
    Ok(Arc::new(file))
}

/// The database alone: no other gopy process has it open while the returned handle lives.
/// `None` when one has.
pub fn exclusive(db: &Path) -> std::io::Result<Option<File>> {
    let file = open(db)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e),
    }
}
