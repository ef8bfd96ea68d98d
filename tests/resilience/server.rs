//! The real `studytrack` binary as a child process: signals, exits and database
//! restarts are then the operating system's, not a simulation inside the test.

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::smtp::{Inbox, SmtpServer};

/// A running server process and where it listens.
pub struct Server {
    child: Child,
    pub base: String,
    /// The mail it sent, as the shared SMTP server received it.
    pub inbox: Inbox,
    log: PathBuf,
    _dir: TempDir,
}

/// A free TCP port on the loopback interface (bound, read, released).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind a probe socket");
    listener.local_addr().expect("probe socket has no address").port()
}

impl Server {
    /// Starts `studytrack serve` on `database_url` (created, migrated and seeded with
    /// the fixture catalogue on first start) and waits until `/health/ready` is 200.
    /// `env` adds or overrides settings.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Server {
        Server::start_on(free_port(), database_url, env).await
    }

    /// [`Server::start`] on a given port (a restart behind a proxy keeps its address).
    pub async fn start_on(port: u16, database_url: &str, env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("cannot create a log directory");
        let log = dir.path().join("server.log");
        let out = File::create(&log).expect("cannot create the server log");
        let err = out.try_clone().expect("cannot share the server log");
        let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed");
        // Servers on one database share a sender (any of them may send what another
        // queued), and so an inbox.
        let smtp = SmtpServer::shared();
        let database = database_url.rsplit('/').next().unwrap_or("studytrack").to_lowercase();
        let inbox = Inbox { port: smtp.port, sender: format!("{database}@studytrack.test") };
        let mut command = Command::new(env!("CARGO_BIN_EXE_studytrack"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("STUDYTRACK_ENV", "development")
            .env("STUDYTRACK_JWT_SECRET", "rEs1l1ence-T3st-k3y-9f8e7d6c5b4a3210ZyXwVuTs")
            .env("STUDYTRACK_BIND", format!("127.0.0.1:{port}"))
            .env("STUDYTRACK_SEED_DIR", &seed)
            .env("STUDYTRACK_WORKERS", "2")
            // Load generators: no per-address throttles (they are tested elsewhere).
            .env("STUDYTRACK_REGISTRATIONS_PER_ADDRESS", "100000")
            .env("STUDYTRACK_RATE_LIMIT_PER_MINUTE", "0")
            .env("STUDYTRACK_SMTP_URL", smtp.url())
            .env("STUDYTRACK_MAIL_FROM", &inbox.sender)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("cannot start the studytrack binary");
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}"), inbox, log, _dir: dir };
        server.wait_ready(Duration::from_secs(90)).await;
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_ready(&mut self, within: Duration) {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited during start-up ({status}):\n{}", self.log_tail());
            }
            if let Ok(res) = client.get(self.url("/health/ready")).send().await
                && res.status().is_success()
            {
                return;
            }
            assert!(started.elapsed() < within, "the server was not ready within {within:?}:\n{}", self.log_tail());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends SIGTERM, as an orchestrator stopping the container does.
    pub fn terminate(&self) {
        let pid = libc::pid_t::try_from(self.pid()).expect("pid fits pid_t");
        // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped).
        let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(rc, 0, "kill(SIGTERM) failed: {}", std::io::Error::last_os_error());
    }

    /// SIGKILL: the process dies mid-request, as on a crashed node.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.base.rsplit(':').next().and_then(|p| p.parse().ok()).expect("the base URL ends in a port")
    }

    /// Waits up to `within` for the process to exit; `None` if it is still running.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if started.elapsed() >= within {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The last lines the server logged, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
