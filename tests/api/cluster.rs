//! A throwaway PostgreSQL cluster for the outage test.

use crate::smtp::free_port;

/// A PostgreSQL cluster of the test's own (initdb in a temporary folder, its own port),
/// so that stopping it never touches the machine's shared server.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: std::path::PathBuf,
    port: u16,
}

impl Cluster {
    fn bin_dir() -> Option<std::path::PathBuf> {
        let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .collect();
        dirs.sort();
        dirs.pop().filter(|d| d.join("initdb").exists())
    }

    /// Run a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root).
    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let status = if nix_is_root() {
            std::process::Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .status()
        } else {
            std::process::Command::new(&exe).args(args).status()
        }
        .unwrap();
        assert!(status.success(), "{tool} {args:?} failed");
    }

    pub fn create() -> Cluster {
        let bin = Self::bin_dir().expect("PostgreSQL server binaries under /usr/lib/postgresql");
        let dir = postgres_dir();
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster
    }

    /// A streaming standby of `primary` (`pg_basebackup -R`), started on a port of its own.
    pub fn standby_of(primary: &Cluster) -> Cluster {
        let dir = postgres_dir();
        let standby = Cluster {
            dir,
            bin: primary.bin.clone(),
            port: free_port(),
        };
        let (data, port) = (standby.data(), primary.port.to_string());
        standby.run(
            "pg_basebackup",
            &[
                "-D",
                &data,
                "-R",
                "-X",
                "stream",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "--no-sync",
                "--checkpoint=fast",
            ],
        );
        standby.start();
        standby
    }

    /// The URL of database `db` on this cluster.
    pub fn url_of(&self, db: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    pub fn start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-o", &opts, "-l", &log, "-w", "start"],
        );
    }

    /// Like a crash: no shutdown checkpoint, every connection cut.
    pub fn stop_immediate(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if nix_is_root() {
            std::process::Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .output()
        } else {
            std::process::Command::new(&exe).args(args).output()
        };
    }
}

/// A temporary folder the `postgres` user may write (initdb and pg_basebackup refuse root).
fn postgres_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if nix_is_root() {
        let ok = std::process::Command::new("chown")
            .args(["postgres:postgres"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(ok.success());
    }
    dir
}

fn nix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}
