//! Settings read from the environment (`STUDYTRACK_*`, `DATABASE_URL`).
//!
//! Every knob is declared once in [`env::EnvVars`] (clap: type, default, bounds, help;
//! `studytrack --help` lists them), has a default that works on a developer machine
//! (documented in `.env.example`), and a malformed value stops the process at start
//! rather than being silently replaced. `Debug` redacts the secrets so settings can be
//! logged.

pub mod env;
mod secrets;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use secrecy::{SecretSlice, SecretString};

use self::env::EnvVars;
use self::secrets::random_secret;
pub use self::secrets::{DatabaseUrl, MIN_SECRET_BYTES, check_secret, redact_url};
use crate::proxy::{ForwardedHeader, ProxyTrust};

/// The database used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/studytrack";

/// The longest window any throttle budget uses (the login window may not exceed it);
/// throttle rows older than this are pruned.
pub const MAX_THROTTLE_WINDOW: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone, Debug)]
pub struct Settings {
    /// PostgreSQL connection string; the database is created if missing.
    pub database_url: DatabaseUrl,
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
    pub jwt_secret: SecretSlice<u8>,
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
    /// Which peers are our own proxies, whose forwarding header names the client
    /// (`STUDYTRACK_TRUSTED_PROXIES`, `STUDYTRACK_FORWARDED_HEADER`); see [`ProxyTrust`].
    pub trusted_proxies: ProxyTrust,
    /// How long a refresh token already exchanged may be presented again by the same
    /// client (its answer was lost) and still get a pair, instead of ending the session.
    pub refresh_grace: Duration,
    /// Bearer token `/metrics` asks for; without one `/metrics` is not served.
    pub metrics_token: Option<SecretString>,
    /// How often expired refresh tokens and throttle rows are deleted.
    pub prune_interval: Duration,
    /// SMTP server for outgoing mail (`smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`); `None` logs mails instead (development only).
    pub smtp_url: Option<SecretString>,
    /// The `From` of every mail.
    pub mail_from: String,
    /// Where links in mails point: the front end that handles `/reset-password?token=`.
    pub app_url: String,
    /// How often an idle job worker looks for due jobs.
    pub job_poll: Duration,
    /// First retry delay of a failed job (then doubling, up to an hour).
    pub job_retry_base: Duration,
    /// Change sets need another admin's approval before they publish.
    pub require_approval: bool,
    /// Webhook endpoints may be loopback or private addresses.
    pub webhook_allow_private: bool,
    /// One webhook call's limit.
    pub webhook_timeout: Duration,
    /// Calls in flight per endpoint per instance.
    pub webhook_concurrency: usize,
    /// Failed calls in a row that disable an endpoint.
    pub webhook_disable_after: i32,
    /// The learning-record store statements go to; `None`: no xAPI.
    pub xapi: Option<crate::xapi::forwarder::LrsConfig>,
    /// How long a password reset link works.
    pub reset_token_ttl: Duration,
    /// How long a sign-up's verification link works.
    pub verify_token_ttl: Duration,
    /// Where clients reach this API (the one-click unsubscribe address in reminder mails).
    pub public_url: String,
    /// How often the reminder scheduler looks for learners whose local hour has come.
    pub reminder_interval: Duration,
    /// Optional streaming replica for public content reads; the primary serves them
    /// when unset or while the replica is unreachable or behind the last content change.
    pub database_read_url: Option<DatabaseUrl>,
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
    /// An empty or blank value counts as unset; values are trimmed.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        Self::from_vars(env::parse(lookup)?)
    }

    /// The settings the variables describe, with the rules that tie several together.
    fn from_vars(vars: EnvVars) -> anyhow::Result<Self> {
        let cors_origins = match vars.cors_origins.as_deref() {
            None | Some("*") => None,
            Some(list) => Some(list.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()),
        };
        let header = match vars.forwarded_header {
            env::ForwardedHeaderName::XForwardedFor => ForwardedHeader::XForwardedFor,
            env::ForwardedHeaderName::Forwarded => ForwardedHeader::Forwarded,
        };
        let trusted_proxies = match (vars.trust_forwarded, vars.trusted_proxies.as_deref()) {
            (true, Some(_)) => bail!(
                "STUDYTRACK_TRUST_FORWARDED is replaced by STUDYTRACK_TRUSTED_PROXIES; set only STUDYTRACK_TRUSTED_PROXIES"
            ),
            // The old switch meant "one proxy in front": the rightmost entry is the client.
            (true, None) => ProxyTrust::Hops { hops: 1, header },
            (false, Some(list)) => {
                ProxyTrust::parse(list, header).map_err(|e| anyhow::anyhow!("STUDYTRACK_TRUSTED_PROXIES: {e}"))?
            }
            (false, None) => ProxyTrust::None,
        };
        let environment = match vars.env {
            env::EnvName::Production => Environment::Production,
            env::EnvName::Development => Environment::Development,
        };
        // Machines read production logs (one JSON object per line); people read development's.
        let log_format = match vars.log_format {
            None if environment == Environment::Production => LogFormat::Json,
            None | Some(env::LogFormatName::Pretty) => LogFormat::Pretty,
            Some(env::LogFormatName::Json) => LogFormat::Json,
        };
        let mut jwt_secret_problem = None;
        let jwt_secret = match (vars.jwt_secret, environment) {
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
                SecretSlice::from(secret.into_bytes())
            }
            (None, Environment::Development) => SecretSlice::from(random_secret()),
            (None, Environment::Production) => {
                jwt_secret_problem = Some(format!(
                    "STUDYTRACK_JWT_SECRET is required outside development (at least {MIN_SECRET_BYTES} random bytes)"
                ));
                SecretSlice::from(Vec::new())
            }
        };
        if vars.shutdown_delay_secs > vars.shutdown_grace_secs {
            bail!("STUDYTRACK_SHUTDOWN_DELAY_SECS must not exceed STUDYTRACK_SHUTDOWN_GRACE_SECS");
        }
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        // One core short of all of them: a login burst must leave room for other requests.
        let default_hashers = cores.saturating_sub(1).max(1) as u64;
        let size = |key: &str, value: u64| usize::try_from(value).with_context(|| format!("{key} is too large"));
        let url = |u: String| u.trim_end_matches('/').to_owned();
        Ok(Settings {
            environment,
            jwt_secret,
            jwt_secret_problem,
            // Bounded (by the variables' ranges) so token expiry arithmetic cannot
            // overflow, and so a typo cannot hand out access tokens that outlive every
            // revocation check.
            access_token_ttl: Duration::from_secs(vars.access_token_ttl_secs),
            refresh_token_ttl: Duration::from_secs(vars.refresh_token_ttl_secs),
            refresh_grace: Duration::from_secs(vars.refresh_grace_secs),
            metrics_token: vars.metrics_token.map(SecretString::from),
            prune_interval: Duration::from_secs(vars.prune_interval_secs),
            smtp_url: vars.smtp_url.map(SecretString::from),
            mail_from: vars.mail_from,
            app_url: url(vars.app_url),
            job_poll: Duration::from_millis(vars.job_poll_ms.clamp(10, 60_000)),
            job_retry_base: Duration::from_millis(vars.job_retry_base_ms.clamp(10, 600_000)),
            require_approval: vars.require_approval,
            webhook_allow_private: vars.webhook_allow_private,
            webhook_timeout: Duration::from_millis(vars.webhook_timeout_ms),
            webhook_concurrency: usize::try_from(vars.webhook_concurrency).unwrap_or(2),
            webhook_disable_after: i32::try_from(vars.webhook_disable_after).unwrap_or(50),
            xapi: vars.xapi_endpoint.filter(|e| !e.trim().is_empty()).map(|endpoint| {
                crate::xapi::forwarder::LrsConfig {
                    endpoint,
                    username: vars.xapi_username,
                    password: SecretString::from(vars.xapi_password.unwrap_or_default()),
                    home_page: vars.xapi_homepage.unwrap_or_else(|| vars.public_url.clone()),
                    timeout: Duration::from_millis(vars.webhook_timeout_ms),
                }
            }),
            reset_token_ttl: Duration::from_secs(vars.reset_token_ttl_secs),
            verify_token_ttl: Duration::from_secs(vars.verify_token_ttl_secs),
            public_url: url(vars.public_url),
            reminder_interval: Duration::from_millis(vars.reminder_interval_ms.clamp(10, 3_600_000)),
            login_failures_per_account: vars.login_failures_per_account,
            login_failures_per_address: vars.login_failures_per_address,
            login_window: Duration::from_secs(vars.login_window_secs),
            registrations_per_address: vars.registrations_per_address,
            hash_concurrency: size("STUDYTRACK_HASH_CONCURRENCY", vars.hash_concurrency.unwrap_or(default_hashers))?,
            trusted_proxies,
            database_url: DatabaseUrl::new(vars.database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())),
            bind: vars.bind,
            seed_dir: vars.seed_dir,
            auto_seed: vars.auto_seed,
            cors_origins,
            body_limit: size("STUDYTRACK_BODY_LIMIT_BYTES", vars.body_limit_bytes)?,
            import_limit: size("STUDYTRACK_IMPORT_LIMIT_BYTES", vars.import_limit_bytes)?,
            db_max_connections: vars.db_max_connections,
            db_acquire_timeout: Duration::from_millis(vars.db_acquire_timeout_ms),
            db_statement_timeout: Duration::from_millis(vars.db_statement_timeout_ms),
            shutdown_grace: Duration::from_secs(vars.shutdown_grace_secs),
            shutdown_delay: Duration::from_secs(vars.shutdown_delay_secs),
            workers: size("STUDYTRACK_WORKERS", vars.workers)?,
            log_format,
            database_read_url: vars.database_read_url.map(DatabaseUrl::new),
            content_cache_bytes: vars.content_cache_bytes,
            rate_limit_per_minute: vars.rate_limit_per_minute,
            rate_limit_burst: vars.rate_limit_burst,
            request_timeout: Duration::from_millis(vars.request_timeout_ms),
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
        settings.database_url = DatabaseUrl::new(database_url.to_owned());
        settings.bind = "127.0.0.1:0".to_owned();
        settings.auto_seed = false;
        settings.workers = 2;
        // Per-address limits would make parallel test clients (all on 127.0.0.1) throttle
        // each other; the rate-limit tests switch it back on.
        settings.rate_limit_per_minute = 0;
        // The suite runs many servers at once on two cores; a short wait for a pooled
        // connection would turn machine load into spurious 503s.
        settings.db_acquire_timeout = Duration::from_secs(10);
        settings.metrics_token = Some(SecretString::from(TEST_METRICS_TOKEN));
        settings
    }
}

/// The `/metrics` token of [`Settings::for_tests`].
pub const TEST_METRICS_TOKEN: &str = "test-metrics-token-0123456789";

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

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
        assert!(
            dev.jwt_secret_problem.is_none() && dev.jwt_secret.expose_secret().len() >= 32,
            "development generates a key"
        );
    }

    #[test]
    fn defaults_are_sane() {
        let s = Settings::from_lookup(dev).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database_url.expose(), DEFAULT_DATABASE_URL);
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

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let key = "q8F2mZr7LxP0vW4nK9sT1yB6hD3jG5cA-unique-key";
        let s = Settings::from_lookup(|k| match k {
            "DATABASE_URL" => Some("postgres://u:db-pass-7731@h/db".into()),
            "DATABASE_READ_URL" => Some("postgres://u:replica-pass-5521@h/db".into()),
            "STUDYTRACK_JWT_SECRET" => Some(key.into()),
            "STUDYTRACK_METRICS_TOKEN" => Some("metrics-token-9913".into()),
            "STUDYTRACK_SMTP_URL" => Some("smtp://mailer:smtp-pass-6620@mail.example:587".into()),
            _ => None,
        })
        .unwrap();
        let printed = format!("{s:?} {s:#?}");
        for secret in [key, "db-pass-7731", "replica-pass-5521", "metrics-token-9913", "smtp-pass-6620"] {
            assert!(!printed.contains(secret), "{secret} printed in {printed}");
        }
        assert!(printed.contains("trusted_proxies"), "Debug is derived, every field is listed");
    }

    #[test]
    fn booleans_are_true_or_false_only() {
        for bad in ["yes", "1", "TRUE", "on"] {
            let err = Settings::from_lookup(|k| if k == "STUDYTRACK_AUTO_SEED" { Some(bad.into()) } else { dev(k) });
            assert!(err.is_err(), "STUDYTRACK_AUTO_SEED={bad} was accepted");
            let err =
                Settings::from_lookup(|k| if k == "STUDYTRACK_TRUST_FORWARDED" { Some(bad.into()) } else { dev(k) });
            assert!(err.is_err(), "STUDYTRACK_TRUST_FORWARDED={bad} was accepted");
        }
    }

    #[test]
    fn trusted_proxies_replace_trust_forwarded() {
        let with = |pairs: &'static [(&'static str, &'static str)]| {
            Settings::from_lookup(move |k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| (*v).to_owned()))
        };
        assert_eq!(with(&[]).unwrap().trusted_proxies, ProxyTrust::None);
        let legacy = with(&[("STUDYTRACK_TRUST_FORWARDED", "true")]).unwrap();
        assert_eq!(legacy.trusted_proxies, ProxyTrust::Hops { hops: 1, header: ForwardedHeader::XForwardedFor });
        let both = with(&[("STUDYTRACK_TRUST_FORWARDED", "true"), ("STUDYTRACK_TRUSTED_PROXIES", "10.0.0.0/8")]);
        assert!(both.unwrap_err().to_string().contains("STUDYTRACK_TRUSTED_PROXIES"));
        assert!(with(&[("STUDYTRACK_TRUSTED_PROXIES", "not-an-ip")]).is_err());
        let forwarded =
            with(&[("STUDYTRACK_TRUSTED_PROXIES", "::1, 10.0.0.0/8"), ("STUDYTRACK_FORWARDED_HEADER", "forwarded")])
                .unwrap();
        assert_eq!(forwarded.trusted_proxies.header(), Some(ForwardedHeader::Forwarded));
    }

    #[test]
    fn token_lifetimes_are_bounded() {
        let ttl = |v: &'static str| {
            Settings::from_lookup(
                move |k| if k == "STUDYTRACK_REFRESH_TOKEN_TTL_SECS" { Some(v.into()) } else { dev(k) },
            )
        };
        assert!(ttl("18446744073709551615").is_err(), "a TTL that overflows date arithmetic");
        assert!(ttl("0").is_err());
        assert!(ttl("86400").is_ok());
    }

    #[test]
    fn every_documented_variable_is_declared_and_errors_name_it() {
        let listed = env::help();
        let example = include_str!("../../.env.example");
        let documented: Vec<&str> = example
            .lines()
            .filter_map(|line| line.trim_start_matches("# ").split('=').next())
            .filter(|name| name.starts_with("STUDYTRACK_") || name.starts_with("DATABASE_"))
            .collect();
        assert!(documented.len() > 30, "only {} variables found in .env.example", documented.len());
        for name in documented {
            assert!(listed.contains(&format!("  {name}=")), "{name} is in .env.example but not declared");
        }
        let err = Settings::from_lookup(|k| (k == "STUDYTRACK_WORKERS").then(|| "many".into())).unwrap_err();
        assert!(err.to_string().contains("STUDYTRACK_WORKERS"), "{err}");
        let blank = Settings::from_lookup(|k| (k == "STUDYTRACK_WORKERS").then(|| "  ".into())).unwrap();
        assert_eq!(blank.workers, 0, "a blank value counts as unset");
    }
}
