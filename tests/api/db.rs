//! One database per test: a SQLite file in a temporary folder, or a PostgreSQL database
//! cloned from a template migrated once.

use std::path::PathBuf;
use std::sync::OnceLock;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_query;
use diesel_migrations::MigrationHarness;
use sha2::{Digest, Sha256};

/// A database of its own for one test.
pub enum TestDb {
    Borrowed {
        url: String,
    },
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("GOPY_TEST_DATABASE_URL is a URL");
    u.set_path(&format!("/{db}"));
    // Loopback needs no TLS, and libpq's OpenSSL teardown at process exit can race with pool
    // threads still connecting (seen as "free(): invalid pointer" in a short-lived process).
    if !u.query_pairs().any(|(k, _)| k == "sslmode") {
        u.query_pairs_mut().append_pair("sslmode", "disable");
    }
    u.to_string()
}

/// Name of a template database holding the current migrations; built once, under a lock.
fn pg_template(admin_url: &str) -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let mut hasher = Sha256::new();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
        let mut files: Vec<_> = walk(&dir);
        files.sort();
        for f in files {
            hasher.update(f.to_string_lossy().as_bytes());
            hasher.update(std::fs::read(&f).expect("read migration"));
        }
        let name = format!("gopy_tpl_{}", &hex::encode(hasher.finalize())[..16]);
        let mut admin = PgConnection::establish(admin_url).expect("connect to PostgreSQL");
        sql_query("SELECT pg_advisory_lock(72834510)")
            .execute(&mut admin)
            .expect("lock");
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let exists = sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
        ))
        .get_result::<N>(&mut admin)
        .expect("query pg_database")
        .n > 0;
        if !exists {
            let building = format!("{name}_build");
            sql_query(format!("DROP DATABASE IF EXISTS {building}"))
                .execute(&mut admin)
                .expect("drop");
            sql_query(format!("CREATE DATABASE {building}"))
                .execute(&mut admin)
                .expect("create");
            {
                let mut c = PgConnection::establish(&with_db(admin_url, &building))
                    .expect("connect template");
                c.run_pending_migrations(gopy::db::PG_MIGRATIONS)
                    .expect("migrate template");
            }
            sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut admin)
                .expect("rename");
        }
        sql_query("SELECT pg_advisory_unlock(72834510)")
            .execute(&mut admin)
            .expect("unlock");
        name
    })
    .clone()
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("read migrations dir")
        .flatten()
    {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

impl TestDb {
    pub fn new() -> Self {
        match std::env::var("GOPY_TEST_DATABASE_URL") {
            Ok(admin_url) if admin_url.starts_with("postgres") => {
                let template = pg_template(&admin_url);
                let name = format!("gopy_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
                sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let url = with_db(&admin_url, &name);
                TestDb::Postgres {
                    admin_url,
                    name,
                    url,
                }
            }
            _ => Self::sqlite(),
        }
    }

    /// A new PostgreSQL database without gopy's schema (None in the SQLite suite).
    pub fn empty_postgres() -> Option<Self> {
        let admin_url = std::env::var("GOPY_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))?;
        let name = format!("gopy_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
        sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let url = with_db(&admin_url, &name);
        Some(TestDb::Postgres {
            admin_url,
            name,
            url,
        })
    }

    /// A fresh embedded database whichever suite runs (for what only SQLite has: backups).
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("gopy.sqlite3").display());
        TestDb::Sqlite { _dir: dir, url }
    }

    /// A handle on a database that belongs to someone else (not dropped with this value).
    pub fn existing(url: &str) -> Self {
        TestDb::Borrowed {
            url: url.to_owned(),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Borrowed { url } => url,
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres {
            admin_url, name, ..
        } = self
        {
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
        }
    }
}
