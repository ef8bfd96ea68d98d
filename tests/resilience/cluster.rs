//! A throwaway PostgreSQL cluster of the test's own, so stopping it cannot disturb
//! any other test or the shared server on 5432.
//!
//! Built with the installed server binaries (`/usr/lib/postgresql/<version>/bin`),
//! trust authentication, a free port and a Unix socket inside its own temporary
//! directory. PostgreSQL refuses to run as root, so when the tests run as root every
//! command runs as the `postgres` user (`runuser`), in a directory that user owns.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use crate::netns::Netns;
use crate::server::free_port;

pub struct Cluster {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
    /// Server settings beyond the port and socket (`-c name=value ...`).
    settings: &'static str,
    /// The address it listens on and clients connect to.
    host: String,
    /// The network namespace it runs in (`ip netns exec`), if not the host's.
    netns: Option<[String; 4]>,
}

/// Quick and unsafe for a crash, which these throwaway clusters never need to survive.
const THROWAWAY: &str = "-c fsync=off -c full_page_writes=off";
/// A primary a replica is copied from: `pg_basebackup` needs full-page writes.
const REPLICATED: &str = "-c fsync=off -c wal_level=replica -c max_wal_senders=5";

/// The newest installed PostgreSQL server binaries (Debian's layout, else PATH).
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = e.path().join("bin");
                    bin.join("initdb").exists().then_some((version, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    let on_path = || {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
    };
    found.pop().map(|(_, bin)| bin).or_else(on_path).expect(
        "the outage test runs a PostgreSQL cluster of its own and needs the server binaries \
         (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on PATH; on Debian: apt-get install postgresql",
    )
}

fn running_as_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The numeric uid and gid of `user`.
fn ids_of(user: &str) -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, user]).output().expect("cannot run id");
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or_else(|_| panic!("no user {user}"))
    };
    (id("-u"), id("-g"))
}

impl Cluster {
    /// `initdb` into a fresh temporary directory and start the server.
    pub fn start_new() -> Cluster {
        Cluster::init(THROWAWAY)
    }

    /// Like [`Cluster::start_new`], set up for a streaming replica ([`Cluster::replica_of`]).
    pub fn start_primary() -> Cluster {
        Cluster::init(REPLICATED)
    }

    /// A streaming replica of `primary`: a base backup taken with `pg_basebackup -R`
    /// (which writes `standby.signal` and the connection to the primary), started as a
    /// hot standby on a port of its own.
    pub fn replica_of(primary: &Cluster) -> Cluster {
        let cluster = Cluster {
            bin: bin_dir(),
            port: free_port(),
            dir: owned_temp_dir(),
            settings: THROWAWAY,
            host: "127.0.0.1".to_owned(),
            netns: None,
        };
        let data = cluster.data_dir();
        let port = primary.port.to_string();
        cluster.run(
            "pg_basebackup",
            &["-D", path(&data), "-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-R", "-X", "stream", "-c", "fast"],
        );
        cluster.start();
        cluster
    }

    /// Like [`Cluster::start_new`], inside `netns`, listening on its inside address and
    /// accepting the host's side of the link.
    pub fn start_in(netns: &Netns) -> Cluster {
        let prefix = netns.prefix().map(str::to_owned);
        let cluster = Cluster::new(THROWAWAY, netns.inside.clone(), Some(prefix));
        cluster.initdb();
        let hba = cluster.data_dir().join("pg_hba.conf");
        let mut rules = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
        rules.push_str("host all all 10.231.0.0/16 trust\n");
        std::fs::write(&hba, rules).expect("write pg_hba.conf");
        cluster.start();
        cluster
    }

    fn init(settings: &'static str) -> Cluster {
        let cluster = Cluster::new(settings, "127.0.0.1".to_owned(), None);
        cluster.initdb();
        cluster.start();
        cluster
    }

    fn new(settings: &'static str, host: String, netns: Option<[String; 4]>) -> Cluster {
        Cluster { bin: bin_dir(), port: free_port(), dir: owned_temp_dir(), settings, host, netns }
    }

    fn initdb(&self) {
        let data = self.data_dir();
        self.run(
            "initdb",
            &["-D", path(&data), "-U", "postgres", "-A", "trust", "--no-sync", "--no-locale", "-E", "UTF8"],
        );
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A connection string for `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@{}:{}/{database}", self.host, self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses={} {}",
            self.port,
            path(self.dir.path()),
            self.host,
            self.settings
        );
        let log = self.dir.path().join("postgres.log");
        self.run(
            "pg_ctl",
            &["-D", path(&self.data_dir()), "-l", path(&log), "-o", &options, "-w", "-t", "60", "start"],
        );
    }

    /// `pg_ctl stop -m fast`: open connections are terminated, new ones refused.
    pub fn stop_fast(&self) {
        self.run("pg_ctl", &["-D", path(&self.data_dir()), "-m", "fast", "-w", "-t", "60", "stop"]);
    }

    /// `[ip netns exec NS] [runuser -u postgres --] <bin>/program`.
    fn command(&self, program: &str) -> Command {
        let mut argv: Vec<std::ffi::OsString> = Vec::new();
        if let Some(prefix) = &self.netns {
            argv.extend(prefix.iter().map(Into::into));
        }
        if running_as_root() {
            argv.extend(["runuser", "-u", "postgres", "--"].map(Into::into));
        }
        argv.push(self.bin.join(program).into_os_string());
        let mut command = Command::new(&argv[0]);
        command.args(&argv[1..]);
        command
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = self.command(program).args(args).current_dir(self.dir.path()).output().expect("cannot run");
        assert!(
            out.status.success(),
            "{program} {args:?} failed ({}):\n{}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
        );
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.command("pg_ctl").args(["-D", path(&data), "-m", "immediate", "stop"]).output();
    }
}

/// A temporary directory the server may write: PostgreSQL refuses to run as root, so
/// under root it belongs to `postgres`.
fn owned_temp_dir() -> TempDir {
    let dir = tempfile::Builder::new().prefix("studytrack-pg-").tempdir().expect("temp dir");
    if running_as_root() {
        let (uid, gid) = ids_of("postgres");
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("cannot hand the directory to postgres");
    }
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}
