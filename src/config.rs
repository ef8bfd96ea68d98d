//! Settings read from the environment (`STUDYTRACK_*`, `DATABASE_URL`).
//!
//! Every knob has a default that works on a developer machine, documented in
//! `.env.example`; a malformed value stops the process at start rather than being
//! silently replaced. `Debug` redacts the database password so settings can be logged.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

/// The database used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/studytrack";

#[derive(Clone)]
pub struct Settings {
    /// PostgreSQL connection string; the database is created if missing.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    /// Seed directory loaded into an empty database on `serve`.
    pub seed_dir: PathBuf,
    /// Whether `serve` seeds an empty database.
    pub auto_seed: bool,
    /// Origins allowed by CORS; `None` means any origin.
    pub cors_origins: Option<Vec<String>>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Largest body of admin requests (a whole track's import bundle), in bytes.
    pub import_limit: usize,
    /// Connections in the pool.
    pub db_max_connections: u32,
    /// How long a request waits for a pooled connection before answering 503. While
    /// PostgreSQL is down every acquire waits this long (sqlx retries refused
    /// connections until then), so it bounds how fast an outage is answered.
    pub db_acquire_timeout: Duration,
    /// Server-side cap on any single SQL statement.
    pub db_statement_timeout: Duration,
    /// Time from SIGTERM/SIGINT to exit: the readiness delay, then in-flight requests finish.
    pub shutdown_grace: Duration,
    /// After SIGTERM/SIGINT, how long requests are still accepted while readiness answers
    /// 503, so a load balancer stops routing here before connections are refused.
    pub shutdown_delay: Duration,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// `json` for production log lines, `pretty` for humans.
    pub log_format: LogFormat,
    /// Development relaxes the signing-key rules (and nothing else).
    pub environment: Environment,
    /// HS256 key for access tokens: at least 256 bits.
    pub jwt_secret: Vec<u8>,
    /// Why the signing key is unusable (missing or weak outside development). Only
    /// `serve` needs a key, so only it refuses to start; `seed`, `export` and friends
    /// run without one.
    pub jwt_secret_problem: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Failed logins allowed per account, and per client address, within the window.
    pub login_failures_per_account: u32,
    pub login_failures_per_address: u32,
    pub login_window: Duration,
    /// Registrations allowed per client address per hour.
    pub registrations_per_address: u32,
    /// Password hashes computed at once (each takes 19 MiB); defaults to one less than
    /// the core count (at least one).
    pub hash_concurrency: usize,
    /// Take the client address from `Forwarded`/`X-Forwarded-For` (only behind a
    /// trusted proxy; otherwise clients could pick their own throttling key).
    pub trust_forwarded: bool,
    /// Optional streaming replica for public content reads; the primary serves them
    /// when unset or while the replica is unreachable or behind the last content change.
    pub database_read_url: Option<String>,
    /// Memory for rendered content responses, in bytes (0 turns the cache off).
    pub content_cache_bytes: u64,
    /// Requests per minute per client address on the public API (0 turns it off).
    pub rate_limit_per_minute: u32,
    /// Requests a client may send at once before the per-minute rate applies.
    pub rate_limit_burst: u32,
    /// Longest a request may take before it is answered 503 (its work is cancelled).
    pub request_timeout: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Shortest acceptable signing key: RFC 7518 asks for a key at least as long as the hash.
pub const MIN_SECRET_BYTES: usize = 32;

/// Checks a signing key's strength; `Err` says why it is weak.
pub fn check_secret(secret: &[u8]) -> Result<(), String> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(format!("it is {} bytes; at least {MIN_SECRET_BYTES} are required", secret.len()));
    }
    let distinct: std::collections::HashSet<&u8> = secret.iter().collect();
    if distinct.len() < 12 {
        return Err("it repeats too few distinct characters to be random".to_owned());
    }
    let lower = String::from_utf8_lossy(secret).to_lowercase();
    if ["changeme", "secret", "password", "example"].iter().any(|w| lower.contains(w)) {
        return Err("it contains a placeholder word".to_owned());
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the real environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let parse_num = |key: &str, default: u64| -> anyhow::Result<u64> {
            match get(key) {
                None => Ok(default),
                Some(v) => v.trim().parse().with_context(|| format!("{key} must be a whole number, got {v:?}")),
            }
        };
        let cors_origins = match get("STUDYTRACK_CORS_ORIGINS").as_deref().map(str::trim) {
            None | Some("*") => None,
            Some(list) => Some(list.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()),
        };
        let auto_seed = match get("STUDYTRACK_AUTO_SEED").as_deref() {
            None | Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(other) => bail!("STUDYTRACK_AUTO_SEED must be true or false, got {other:?}"),
        };
        let body_limit = parse_num("STUDYTRACK_BODY_LIMIT_BYTES", 256 * 1024)?;
        if body_limit < 1024 {
            bail!("STUDYTRACK_BODY_LIMIT_BYTES must be at least 1024");
        }
        let db_max_connections = parse_num("STUDYTRACK_DB_MAX_CONNECTIONS", 10)?;
        if db_max_connections == 0 {
            bail!("STUDYTRACK_DB_MAX_CONNECTIONS must be at least 1");
        }
        let environment = match get("STUDYTRACK_ENV").as_deref() {
            None | Some("production") => Environment::Production,
            Some("development") => Environment::Development,
            Some(other) => bail!("STUDYTRACK_ENV must be development or production, got {other:?}"),
        };
        // Machines read production logs (one JSON object per line); people read development's.
        let log_format = match get("STUDYTRACK_LOG_FORMAT").as_deref() {
            None if environment == Environment::Production => LogFormat::Json,
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("STUDYTRACK_LOG_FORMAT must be json or pretty, got {other:?}"),
        };
        let mut jwt_secret_problem = None;
        let jwt_secret = match (get("STUDYTRACK_JWT_SECRET"), environment) {
            (Some(secret), env) => {
                if let Err(why) = check_secret(secret.as_bytes()) {
                    if env == Environment::Production {
                        jwt_secret_problem = Some(format!(
                            "STUDYTRACK_JWT_SECRET is too weak: {why} (generate one with `openssl rand -base64 48`)"
                        ));
                    } else {
                        eprintln!(
                            "warning: STUDYTRACK_JWT_SECRET is too weak ({why}); accepted only because STUDYTRACK_ENV=development"
                        );
                    }
                }
                secret.into_bytes()
            }
            (None, Environment::Development) => random_secret(),
            (None, Environment::Production) => {
                jwt_secret_problem = Some(format!(
                    "STUDYTRACK_JWT_SECRET is required outside development (at least {MIN_SECRET_BYTES} random bytes)"
                ));
                Vec::new()
            }
        };
        let shutdown_grace = Duration::from_secs(parse_num("STUDYTRACK_SHUTDOWN_GRACE_SECS", 30)?);
        let shutdown_delay = Duration::from_secs(parse_num("STUDYTRACK_SHUTDOWN_DELAY_SECS", 0)?);
        if shutdown_delay > shutdown_grace {
            bail!("STUDYTRACK_SHUTDOWN_DELAY_SECS must not exceed STUDYTRACK_SHUTDOWN_GRACE_SECS");
        }
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        // One core short of all of them: a login burst must leave room for other requests.
        let default_hashers = cores.saturating_sub(1).max(1) as u64;
        let hash_concurrency = usize::try_from(parse_num("STUDYTRACK_HASH_CONCURRENCY", default_hashers)?)
            .context("STUDYTRACK_HASH_CONCURRENCY is too large")?;
        if hash_concurrency == 0 {
            bail!("STUDYTRACK_HASH_CONCURRENCY must be at least 1");
        }
        let small = |key: &str, default: u64| -> anyhow::Result<u32> {
            u32::try_from(parse_num(key, default)?).with_context(|| format!("{key} is too large"))
        };
        Ok(Settings {
            environment,
            jwt_secret,
            jwt_secret_problem,
            access_token_ttl: Duration::from_secs(parse_num("STUDYTRACK_ACCESS_TOKEN_TTL_SECS", 15 * 60)?),
            refresh_token_ttl: Duration::from_secs(parse_num("STUDYTRACK_REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600)?),
            login_failures_per_account: small("STUDYTRACK_LOGIN_FAILURES_PER_ACCOUNT", 5)?,
            login_failures_per_address: small("STUDYTRACK_LOGIN_FAILURES_PER_ADDRESS", 20)?,
            login_window: Duration::from_secs(parse_num("STUDYTRACK_LOGIN_WINDOW_SECS", 15 * 60)?),
            registrations_per_address: small("STUDYTRACK_REGISTRATIONS_PER_ADDRESS", 20)?,
            hash_concurrency,
            trust_forwarded: matches!(get("STUDYTRACK_TRUST_FORWARDED").as_deref(), Some("true") | Some("1")),
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            bind: get("STUDYTRACK_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            seed_dir: get("STUDYTRACK_SEED_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("seed")),
            auto_seed,
            cors_origins,
            body_limit: usize::try_from(body_limit).context("STUDYTRACK_BODY_LIMIT_BYTES is too large")?,
            import_limit: usize::try_from(parse_num("STUDYTRACK_IMPORT_LIMIT_BYTES", 32 * 1024 * 1024)?)
                .context("STUDYTRACK_IMPORT_LIMIT_BYTES is too large")?,
            db_max_connections: u32::try_from(db_max_connections)
                .context("STUDYTRACK_DB_MAX_CONNECTIONS is too large")?,
            db_acquire_timeout: Duration::from_millis(parse_num("STUDYTRACK_DB_ACQUIRE_TIMEOUT_MS", 1000)?),
            db_statement_timeout: Duration::from_millis(parse_num("STUDYTRACK_DB_STATEMENT_TIMEOUT_MS", 5000)?),
            shutdown_grace,
            shutdown_delay,
            workers: usize::try_from(parse_num("STUDYTRACK_WORKERS", 0)?).context("STUDYTRACK_WORKERS is too large")?,
            log_format,
            database_read_url: get("DATABASE_READ_URL"),
            content_cache_bytes: parse_num("STUDYTRACK_CONTENT_CACHE_BYTES", 64 * 1024 * 1024)?,
            rate_limit_per_minute: small("STUDYTRACK_RATE_LIMIT_PER_MINUTE", 600)?,
            rate_limit_burst: small("STUDYTRACK_RATE_LIMIT_BURST", 60)?,
            request_timeout: Duration::from_millis(parse_num("STUDYTRACK_REQUEST_TIMEOUT_MS", 15_000)?),
        })
    }

    /// Defaults for tests: port 0, no auto-seed, a random signing key.
    pub fn for_tests(database_url: &str) -> Self {
        let secret = String::from_utf8(random_secret()).unwrap_or_default();
        let mut settings = Self::from_lookup(|key| match key {
            "STUDYTRACK_JWT_SECRET" => Some(secret.clone()),
            _ => None,
        })
        .expect("defaults are valid");
        settings.database_url = database_url.to_owned();
        settings.bind = "127.0.0.1:0".to_owned();
        settings.auto_seed = false;
        settings.workers = 2;
        // Per-address limits would make parallel test clients (all on 127.0.0.1) throttle
        // each other; the rate-limit tests switch it back on.
        settings.rate_limit_per_minute = 0;
        // The suite runs many servers at once on two cores; a short wait for a pooled
        // connection would turn machine load into spurious 503s.
        settings.db_acquire_timeout = Duration::from_secs(10);
        settings
    }
}

/// 48 random alphanumeric bytes (about 285 bits).
fn random_secret() -> Vec<u8> {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng().sample_iter(Alphanumeric).take(48).collect()
}

/// Hides the password in a connection string.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("seed_dir", &self.seed_dir)
            .field("auto_seed", &self.auto_seed)
            .field("cors_origins", &self.cors_origins)
            .field("body_limit", &self.body_limit)
            .field("import_limit", &self.import_limit)
            .field("db_max_connections", &self.db_max_connections)
            .field("db_acquire_timeout", &self.db_acquire_timeout)
            .field("db_statement_timeout", &self.db_statement_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("shutdown_delay", &self.shutdown_delay)
            .field("workers", &self.workers)
            .field("log_format", &self.log_format)
            .field("environment", &self.environment)
            .field("jwt_secret", &"<redacted>")
            .field("jwt_secret_problem", &self.jwt_secret_problem)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("login_failures_per_account", &self.login_failures_per_account)
            .field("login_failures_per_address", &self.login_failures_per_address)
            .field("login_window", &self.login_window)
            .field("registrations_per_address", &self.registrations_per_address)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("trust_forwarded", &self.trust_forwarded)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(key: &str) -> Option<String> {
        (key == "STUDYTRACK_ENV").then(|| "development".to_owned())
    }

    #[test]
    fn production_refuses_missing_or_weak_keys() {
        let problem = |secret: Option<&str>| {
            Settings::from_lookup(|k| if k == "STUDYTRACK_JWT_SECRET" { secret.map(str::to_owned) } else { None })
                .unwrap()
                .jwt_secret_problem
        };
        assert!(problem(None).is_some(), "no key in production");
        assert!(problem(Some("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")).is_some(), "repetitive key accepted");
        assert!(problem(Some("Zx8#kq2!")).is_some(), "short key accepted");
        assert!(problem(Some("q8F2mZr7LxP0vW4nK9sT1yB6hD3jG5cA")).is_none());
        let dev = Settings::from_lookup(dev).unwrap();
        assert!(dev.jwt_secret_problem.is_none() && dev.jwt_secret.len() >= 32, "development generates a key");
    }

    #[test]
    fn defaults_are_sane() {
        let s = Settings::from_lookup(dev).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert!(s.cors_origins.is_none());
    }

    #[test]
    fn bad_numbers_are_refused() {
        let err =
            Settings::from_lookup(|k| if k == "STUDYTRACK_DB_MAX_CONNECTIONS" { Some("ten".into()) } else { dev(k) });
        assert!(err.is_err());
    }

    #[test]
    fn the_shutdown_delay_fits_in_the_grace_period() {
        let with = |delay: &'static str| {
            Settings::from_lookup(move |k| match k {
                "STUDYTRACK_SHUTDOWN_DELAY_SECS" => Some(delay.into()),
                "STUDYTRACK_SHUTDOWN_GRACE_SECS" => Some("10".into()),
                _ => dev(k),
            })
        };
        assert_eq!(with("3").unwrap().shutdown_delay, Duration::from_secs(3));
        assert!(with("11").is_err(), "a delay longer than the grace period is refused");
        assert_eq!(Settings::from_lookup(dev).unwrap().shutdown_delay, Duration::ZERO);
    }

    #[test]
    fn password_is_redacted() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        let s =
            Settings::from_lookup(
                |k| if k == "DATABASE_URL" { Some("postgres://u:hunter2@h/db".into()) } else { dev(k) },
            )
            .unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn cors_list_is_split() {
        let s = Settings::from_lookup(|k| {
            if k == "STUDYTRACK_CORS_ORIGINS" { Some("https://a.dev, https://b.dev".into()) } else { dev(k) }
        })
        .unwrap();
        assert_eq!(s.cors_origins, Some(vec!["https://a.dev".to_owned(), "https://b.dev".to_owned()]));
    }
}
