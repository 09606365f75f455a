//! The rules of backing up and restoring the embedded database.

use std::fs::File;
use std::path::{Path, PathBuf};

use diesel::migration::MigrationSource;
use diesel::{Connection, SqliteConnection};

use super::store;
use crate::config::DatabaseSettings;
use crate::db::{in_use, ConnectionManager, DbConn};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "gopy backup and gopy restore work on the embedded SQLite database; this one is \
         PostgreSQL. Use \
         PostgreSQL's own tools, which copy a running database consistently:\n  \
         pg_dump --format=custom --file=gopy.dump \"$GOPY__DATABASE__URL\"\n\
         and to bring it back into an empty database:\n  \
         pg_restore --dbname=\"$GOPY__DATABASE__URL\" --no-owner gopy.dump\n\
         (or continuous archiving with pg_basebackup for point-in-time recovery)"
    )]
    Postgres,
    #[error("{0} already exists: a backup never overwrites a file")]
    Exists(PathBuf),
    #[error(
        "the database {0} is in use by a running gopy process (stop every `gopy serve` and \
         command using it first): a restore never replaces a database in use"
    )]
    InUse(PathBuf),
    #[error("{path} is not a sound gopy database: {why}")]
    NotABackup { path: PathBuf, why: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

impl BackupError {
    /// The process's exit code: 2 where the command cannot apply (PostgreSQL), else 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            BackupError::Postgres => 2,
            _ => 1,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What a backup or a restore wrote.
#[derive(Debug)]
pub struct Copy {
    pub path: PathBuf,
    pub bytes: u64,
    pub comments: i64,
    /// Where the database that a restore replaced was moved (None when there was none).
    pub previous: Option<PathBuf>,
}

/// The database's file (without opening it: a restore must not hold it open itself).
fn sqlite_path(settings: &DatabaseSettings) -> Result<PathBuf, BackupError> {
    crate::db::sqlite_file(&settings.url)
        .map_err(anyhow::Error::from)?
        .ok_or(BackupError::Postgres)
}

/// Write a consistent copy of the database to `dest` (a new file) while the service may be
/// writing, then check the copy.
pub fn backup(settings: &DatabaseSettings, dest: &Path) -> Result<Copy, BackupError> {
    sqlite_path(settings)?;
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_owned()));
    }
    let manager = ConnectionManager::new(&settings.url).map_err(anyhow::Error::from)?;
    let DbConn::Sqlite(mut conn) = manager.establish().map_err(anyhow::Error::from)? else {
        return Err(BackupError::Postgres);
    };
    let target = dest.to_string_lossy();
    store::vacuum_into(&mut conn, &target).map_err(anyhow::Error::from)?;
    // VACUUM INTO does not sync what it wrote.
    File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(io(dest))?;
    let comments = check(dest)?;
    Ok(Copy {
        path: dest.to_owned(),
        bytes: std::fs::metadata(dest).map_err(io(dest))?.len(),
        comments,
        previous: None,
    })
}

/// Open `file` as a gopy database and check it: sound, with migrations this build knows.
/// Returns its comment count.
fn check(file: &Path) -> Result<i64, BackupError> {
    let not = |why: String| BackupError::NotABackup {
        path: file.to_owned(),
        why,
    };
    let mut conn =
        SqliteConnection::establish(&file.to_string_lossy()).map_err(|e| not(e.to_string()))?;
    let verdict = store::quick_check(&mut conn).map_err(|e| not(e.to_string()))?;
    if verdict != ["ok"] {
        return Err(not(verdict.join("; ")));
    }
    let applied = store::applied_migrations(&mut conn).map_err(|e| not(e.to_string()))?;
    if applied.is_empty() {
        return Err(not("it has no gopy migrations".into()));
    }
    let known: Vec<String> =
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&crate::db::SQLITE_MIGRATIONS)
            .map_err(|e| not(e.to_string()))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
    if let Some(newer) = applied.iter().find(|v| !known.contains(v)) {
        return Err(not(format!(
            "it was written by a newer gopy (migration {newer} is unknown to this one)"
        )));
    }
    store::comment_count(&mut conn).map_err(|e| not(e.to_string()))
}

/// `file` with `suffix` added to its name.
fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Replace the database with the backup `src`, once no gopy process has it open. The database
/// it replaces is kept beside it (`….before-restore-<time>`), never deleted.
pub fn restore(settings: &DatabaseSettings, src: &Path) -> Result<Copy, BackupError> {
    let db = sqlite_path(settings)?;
    if !src.is_file() {
        return Err(BackupError::Io {
            path: src.to_owned(),
            source: std::io::ErrorKind::NotFound.into(),
        });
    }
    let Some(_alone) = in_use::exclusive(&db).map_err(io(&db))? else {
        return Err(BackupError::InUse(db));
    };
    // Checked as the very bytes that become the database: a copy beside it, renamed into
    // place only when sound.
    let staged = with_suffix(&db, ".restoring");
    std::fs::copy(src, &staged).map_err(io(&staged))?;
    File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(io(&staged))?;
    let comments = match check(&staged) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    let previous = if db.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = with_suffix(&db, &format!(".before-restore-{stamp}"));
        // The write-ahead log and its index go with the file they belong to.
        for part in ["", "-wal", "-shm"] {
            let from = with_suffix(&db, part);
            if from.exists() {
                std::fs::rename(&from, with_suffix(&aside, part)).map_err(io(&from))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staged, &db).map_err(io(&db))?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
    }
    Ok(Copy {
        bytes: std::fs::metadata(&db).map_err(io(&db))?.len(),
        path: db,
        comments,
        previous,
    })
}
