//! gopy as a separate process: started, awaited until ready, killed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use crate::helpers::TestDb;

pub fn gopy(db: &TestDb, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gopy"));
    // Run from an empty directory: built-in defaults, no config files needed.
    cmd.current_dir(dir)
        .env("GOPY__DATABASE__URL", db.url())
        .env("GOPY__SERVER__PORT", "0")
        .env("GOPY__MAIL__DIR", dir.join("mail"))
        // Tests write many comments as one person; the tests of the limit set their own.
        .env("GOPY__COMMENTS__MAX_PER_HOUR", "100000")
        .env("RUST_LOG", "warn");
    cmd
}

/// Poll /healthz until the workers answer (the socket accepts before they run).
fn wait_ready(port: &str) {
    use std::io::Read;
    let mut last = String::new();
    for _ in 0..200 {
        match std::net::TcpStream::connect(format!("127.0.0.1:{port}")) {
            Ok(mut s) => {
                let _ =
                    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut buf = String::new();
                match s.read_to_string(&mut buf) {
                    Ok(_) if buf.starts_with("HTTP/1.1 200") => return,
                    Ok(_) => last = buf,
                    Err(e) => last = e.to_string(),
                }
            }
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("gopy on port {port} never became ready: {last}");
}

/// The port in gopy's "listening" line, as text or as a JSON line (`log.format = json`).
fn listening_port(line: &str) -> Option<String> {
    if let Some(rest) = line.split("listening port=").nth(1) {
        return Some(
            rest.trim()
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .to_owned(),
        );
    }
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    (v["fields"]["message"] == "listening").then(|| v["fields"]["port"].to_string())
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub stdout: Vec<String>,
    /// What the server writes to stderr after it reported its port.
    log: std::sync::mpsc::Receiver<String>,
}

impl Server {
    pub fn start(db: &TestDb, dir: &std::path::Path, demo: bool) -> Server {
        Self::start_with(db, dir, demo, &[])
    }

    /// Start `gopy serve` with extra `GOPY__…` settings (a fixed port, say).
    pub fn start_with(
        db: &TestDb,
        dir: &std::path::Path,
        demo: bool,
        env: &[(&str, String)],
    ) -> Server {
        let mut cmd = gopy(db, dir);
        cmd.arg("serve").env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Keep draining stderr on a thread so the server never writes into a closed pipe.
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut port = None;
        let mut log = Vec::new();
        while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(30)) {
            if let Some(p) = listening_port(&line) {
                port = Some(p);
                break;
            }
            log.push(line);
        }
        let Some(port) = port else {
            // A Child is not killed when dropped: a server that never said its port would
            // outlive the test.
            let _ = child.kill();
            let _ = child.wait();
            panic!("server did not report its port: {log:?}");
        };
        // Without --demo the pipe stays with the child, open, as before.
        let stdout_pipe = if demo { child.stdout.take() } else { None };
        // From here on, a panic drops the server, which stops it.
        let mut server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            stdout: Vec::new(),
            log: rx,
        };
        if let Some(pipe) = stdout_pipe {
            for line in BufReader::new(pipe).lines() {
                let line = line.unwrap();
                let blank = line.trim().is_empty() && server.stdout.len() > 2;
                server.stdout.push(line);
                if blank {
                    break;
                }
            }
        }
        wait_ready(&port);
        server
    }

    /// Stop the server and return everything it logged after start-up.
    pub fn stop_and_read_log(mut self) -> Vec<String> {
        self.stop();
        self.log.iter().collect()
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
