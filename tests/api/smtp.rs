//! The SMTP server the tests deliver to: aiosmtpd from PyPI (installed by
//! scripts/ensure-tools) with `tests/support/mail_sink.py`, started on a loopback
//! port. One is shared by every app a test binary spawns (each app sends from an
//! address of its own and reads only its own mail); tests that take the server down
//! start their own.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Where each running server files its mail, by port: an [`Inbox`] looks its folder up
/// when it reads, so an app can be started before its server (the outage test).
static FOLDERS: Mutex<Option<HashMap<u16, PathBuf>>> = Mutex::new(None);

fn folder_of(port: u16) -> Option<PathBuf> {
    FOLDERS.lock().ok()?.as_ref()?.get(&port).cloned()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        SmtpServer::start_on(free_port())
    }

    pub fn start_on(port: u16) -> SmtpServer {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = manifest.join("target/tools-venv/bin/python");
        assert!(python.exists(), "aiosmtpd is not installed: run scripts/ensure-tools");
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("mail");
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "mail_sink.Sink"])
            .arg(&root)
            .env("PYTHONPATH", manifest.join("tests/support"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start aiosmtpd");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Ok(mut folders) = FOLDERS.lock() {
            folders.get_or_insert_with(HashMap::new).insert(port, root.clone());
        }
        SmtpServer { child, port, root, _dir: dir }
    }

    /// The server every app of this test binary delivers to unless told otherwise. It
    /// lives as long as the binary (the sink exits when its parent does).
    pub fn shared() -> &'static SmtpServer {
        static SHARED: OnceLock<SmtpServer> = OnceLock::new();
        SHARED.get_or_init(SmtpServer::start)
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits (at most 20 s) until the messages from any sender satisfy `done`.
    pub async fn wait_until(&self, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages();
            if done(&messages) {
                return messages;
            }
            assert!(Instant::now() < deadline, "waited 20 s; the server holds {} mails", messages.len());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Every message this server received, from any sender.
    pub fn messages(&self) -> Vec<String> {
        let Ok(senders) = std::fs::read_dir(&self.root) else { return Vec::new() };
        senders.filter_map(|s| Some(read_folder(&s.ok()?.path()))).flatten().collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Ok(mut folders) = FOLDERS.lock()
            && let Some(folders) = folders.as_mut()
        {
            folders.remove(&self.port);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Messages in a sender's folder, oldest first.
fn read_folder(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect();
    files.sort();
    files.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect()
}

/// One app's mail: what the server on `port` received from `sender`.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub port: u16,
    pub sender: String,
}

impl Inbox {
    /// Every message so far, oldest first.
    pub fn messages(&self) -> Vec<String> {
        folder_of(self.port).map(|root| read_folder(&root.join(&self.sender))).unwrap_or_default()
    }

    /// Waits (at most 20 s) until the messages satisfy `done`; returns them.
    pub async fn wait_until(&self, what: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages();
            if done(&messages) {
                return messages;
            }
            assert!(Instant::now() < deadline, "waited 20 s for {what}; the inbox holds {messages:#?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until `count` messages have arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        self.wait_until(&format!("{count} mails"), |m| m.len() >= count).await
    }

    /// Waits until `count` messages to `to` with `subject` have arrived; returns those.
    pub async fn wait_for_mail(&self, to: &str, subject: &str, count: usize) -> Vec<String> {
        let matching = |m: &[String]| -> Vec<String> {
            m.iter().filter(|m| is_to(m, to) && subject_of(m) == Some(subject)).cloned().collect()
        };
        let what = format!("{count} mails to {to} about {subject:?}");
        matching(&self.wait_until(&what, |m| matching(m).len() >= count).await)
    }
}

/// The body of a raw message with quoted-printable soft breaks and `=3D` undone.
pub fn decoded(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// The token in a link of `path` (`verify-email`, `reset-password`, `confirm-email`).
pub fn link_token(raw: &str, path: &str) -> String {
    let body = decoded(raw);
    let marker = format!("{path}?token=");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no {path} link in the mail: {body}")) + marker.len();
    body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

pub fn to_of(raw: &str) -> Option<&str> {
    raw.lines().find_map(|l| l.strip_prefix("To: "))
}

pub fn subject_of(raw: &str) -> Option<&str> {
    raw.lines().find_map(|l| l.strip_prefix("Subject: "))
}

/// Whether a message is addressed to `to` (compared as the server compares logins).
pub fn is_to(raw: &str, to: &str) -> bool {
    to_of(raw).is_some_and(|t| t.eq_ignore_ascii_case(to))
}
