//! Every environment variable the service reads, declared once with its default, its
//! bounds and a line of help: clap parses and types them, and `studytrack --help`
//! lists them all. [`super::Settings`] adds the rules that tie several together.
//!
//! Values come from a lookup (the process environment, or a test's map) rather than
//! from clap's own environment reading, so an empty variable means "unset" (as in
//! `.env.example`) and tests never touch the real environment.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// `true` or `false`, nothing else: a typo in a switch stops the start.
fn strict_bool(value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("must be true or false, got {other:?}")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EnvName {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormatName {
    Json,
    Pretty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ForwardedHeaderName {
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    Forwarded,
}

const DAY: u64 = 24 * 3600;

/// The service's settings as the environment gives them (see `.env.example`).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Settings (environment variables)")]
pub struct EnvVars {
    /// PostgreSQL connection string; the database is created if missing.
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// A streaming replica for public content reads (unset: all on the primary).
    #[arg(long, env = "DATABASE_READ_URL", value_name = "URL")]
    pub database_read_url: Option<String>,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "STUDYTRACK_BIND", default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub bind: String,
    /// Seed directory loaded into an empty database by `serve`.
    #[arg(long, env = "STUDYTRACK_SEED_DIR", default_value = "seed", value_name = "DIR")]
    pub seed_dir: PathBuf,
    /// Seed an empty database on `serve`.
    #[arg(long, env = "STUDYTRACK_AUTO_SEED", default_value = "true", value_parser = strict_bool, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub auto_seed: bool,
    /// `*` for any origin, or a comma-separated list of allowed origins.
    #[arg(long, env = "STUDYTRACK_CORS_ORIGINS", value_name = "LIST")]
    pub cors_origins: Option<String>,
    /// Largest request body, in bytes (413 above it).
    #[arg(long, env = "STUDYTRACK_BODY_LIMIT_BYTES", default_value_t = 256 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..), value_name = "BYTES")]
    pub body_limit_bytes: u64,
    /// Largest body of an admin request (a whole track's import bundle), in bytes.
    #[arg(long, env = "STUDYTRACK_IMPORT_LIMIT_BYTES", default_value_t = 32 * 1024 * 1024, value_name = "BYTES")]
    pub import_limit_bytes: u64,
    /// Database pool size.
    #[arg(long, env = "STUDYTRACK_DB_MAX_CONNECTIONS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub db_max_connections: u32,
    /// How long a request waits for a pooled connection before a 503.
    #[arg(long, env = "STUDYTRACK_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 1000, value_name = "MS")]
    pub db_acquire_timeout_ms: u64,
    /// Server-side cap on one SQL statement.
    #[arg(long, env = "STUDYTRACK_DB_STATEMENT_TIMEOUT_MS", default_value_t = 5000, value_name = "MS")]
    pub db_statement_timeout_ms: u64,
    /// Time from SIGTERM/SIGINT to exit.
    #[arg(long, env = "STUDYTRACK_SHUTDOWN_GRACE_SECS", default_value_t = 30, value_name = "SECS")]
    pub shutdown_grace_secs: u64,
    /// How long requests are still accepted after the signal while readiness says 503.
    #[arg(long, env = "STUDYTRACK_SHUTDOWN_DELAY_SECS", default_value_t = 0, value_name = "SECS")]
    pub shutdown_delay_secs: u64,
    /// HTTP worker threads; 0 means one per core.
    #[arg(long, env = "STUDYTRACK_WORKERS", default_value_t = 0, value_name = "N")]
    pub workers: u64,
    /// `json` or `pretty`; unset: json in production, pretty in development.
    #[arg(long, env = "STUDYTRACK_LOG_FORMAT", value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormatName>,
    /// Longest a request may run before it is answered 503.
    #[arg(long, env = "STUDYTRACK_REQUEST_TIMEOUT_MS", default_value_t = 15_000, value_name = "MS")]
    pub request_timeout_ms: u64,
    /// Memory for the rendered-content cache, in bytes (0 turns it off).
    #[arg(long, env = "STUDYTRACK_CONTENT_CACHE_BYTES", default_value_t = 64 * 1024 * 1024, value_name = "BYTES")]
    pub content_cache_bytes: u64,
    /// Requests per minute per client address on /api/v1 (0 turns the limit off).
    #[arg(long, env = "STUDYTRACK_RATE_LIMIT_PER_MINUTE", default_value_t = 600, value_name = "N")]
    pub rate_limit_per_minute: u32,
    /// Requests a client may send at once before the per-minute rate applies.
    #[arg(long, env = "STUDYTRACK_RATE_LIMIT_BURST", default_value_t = 60, value_name = "N")]
    pub rate_limit_burst: u32,
    /// `production` or `development` (which only relaxes the signing-key rule).
    #[arg(long, env = "STUDYTRACK_ENV", value_enum, default_value = "production", value_name = "ENV")]
    pub env: EnvName,
    /// HS256 signing key, at least 32 random bytes; required outside development.
    #[arg(long, env = "STUDYTRACK_JWT_SECRET", hide_env_values = true, value_name = "KEY")]
    pub jwt_secret: Option<String>,
    /// Access-token lifetime (60 s to a day).
    #[arg(long, env = "STUDYTRACK_ACCESS_TOKEN_TTL_SECS", default_value_t = 15 * 60,
          value_parser = clap::value_parser!(u64).range(60..=DAY), value_name = "SECS")]
    pub access_token_ttl_secs: u64,
    /// Refresh-token lifetime (60 s to 366 days).
    #[arg(long, env = "STUDYTRACK_REFRESH_TOKEN_TTL_SECS", default_value_t = 30 * DAY,
          value_parser = clap::value_parser!(u64).range(60..=366 * DAY), value_name = "SECS")]
    pub refresh_token_ttl_secs: u64,
    /// How long a refresh whose answer was lost may be retried by the same client (0 to 300).
    #[arg(long, env = "STUDYTRACK_REFRESH_GRACE_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=300), value_name = "SECS")]
    pub refresh_grace_secs: u64,
    /// Failed logins allowed per account within the window.
    #[arg(long, env = "STUDYTRACK_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = 5, value_name = "N")]
    pub login_failures_per_account: u32,
    /// Failed logins allowed per client address within the window.
    #[arg(long, env = "STUDYTRACK_LOGIN_FAILURES_PER_ADDRESS", default_value_t = 20, value_name = "N")]
    pub login_failures_per_address: u32,
    /// The failed-login window (1 s to a day).
    #[arg(long, env = "STUDYTRACK_LOGIN_WINDOW_SECS", default_value_t = 15 * 60,
          value_parser = clap::value_parser!(u64).range(1..=super::MAX_THROTTLE_WINDOW.as_secs()), value_name = "SECS")]
    pub login_window_secs: u64,
    /// Registrations allowed per client address per hour.
    #[arg(long, env = "STUDYTRACK_REGISTRATIONS_PER_ADDRESS", default_value_t = 20, value_name = "N")]
    pub registrations_per_address: u32,
    /// Password hashes computed at once (19 MiB each); default: cores - 1, at least 1.
    #[arg(long, env = "STUDYTRACK_HASH_CONCURRENCY",
          value_parser = clap::value_parser!(u64).range(1..), value_name = "N")]
    pub hash_concurrency: Option<u64>,
    /// Our own proxies: a hop count, or addresses and CIDR networks.
    #[arg(long, env = "STUDYTRACK_TRUSTED_PROXIES", value_name = "LIST")]
    pub trusted_proxies: Option<String>,
    /// The header those proxies name the client in.
    #[arg(
        long,
        env = "STUDYTRACK_FORWARDED_HEADER",
        value_enum,
        default_value = "x-forwarded-for",
        value_name = "HEADER"
    )]
    pub forwarded_header: ForwardedHeaderName,
    /// The old switch for one proxy in front; replaced by STUDYTRACK_TRUSTED_PROXIES=1.
    #[arg(long, env = "STUDYTRACK_TRUST_FORWARDED", default_value = "false", value_parser = strict_bool, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub trust_forwarded: bool,
    /// Bearer token `/metrics` asks for; without one `/metrics` is not served.
    #[arg(long, env = "STUDYTRACK_METRICS_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub metrics_token: Option<String>,
    /// How often expired tokens and old throttle rows are deleted (1 s to a day).
    #[arg(long, env = "STUDYTRACK_PRUNE_INTERVAL_SECS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=DAY), value_name = "SECS")]
    pub prune_interval_secs: u64,
    /// SMTP server (`smtp://user:pass@host:587?tls=required`); unset logs mails instead.
    #[arg(long, env = "STUDYTRACK_SMTP_URL", hide_env_values = true, value_name = "URL")]
    pub smtp_url: Option<String>,
    /// The `From` of every mail.
    #[arg(
        long,
        env = "STUDYTRACK_MAIL_FROM",
        default_value = "studytrack <no-reply@localhost>",
        value_name = "ADDRESS"
    )]
    pub mail_from: String,
    /// The front end links in mails point to.
    #[arg(long, env = "STUDYTRACK_APP_URL", default_value = "http://127.0.0.1:8080/demo", value_name = "URL")]
    pub app_url: String,
    /// How often an idle job worker looks for due jobs.
    /// (kept between 10 ms and a minute)
    #[arg(long, env = "STUDYTRACK_JOB_POLL_MS", default_value_t = 500, value_name = "MS")]
    pub job_poll_ms: u64,
    /// First retry delay of a failed job (then doubling, up to an hour).
    /// (kept between 10 ms and 10 minutes)
    #[arg(long, env = "STUDYTRACK_JOB_RETRY_BASE_MS", default_value_t = 2000, value_name = "MS")]
    pub job_retry_base_ms: u64,
    /// Change sets need approval by an admin other than their author before they
    /// publish; `false` lets an admin publish their own (editors' always need it).
    #[arg(long, env = "STUDYTRACK_REQUIRE_APPROVAL", default_value = "true", value_parser = strict_bool, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub require_approval: bool,
    /// Let webhook endpoints point at loopback and private addresses (tests,
    /// single-host setups); off, only public addresses are called.
    #[arg(long, env = "STUDYTRACK_WEBHOOK_ALLOW_PRIVATE", default_value = "false", value_parser = strict_bool, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub webhook_allow_private: bool,
    /// One webhook call's time limit, connecting included (100 ms to 60 s).
    #[arg(long, env = "STUDYTRACK_WEBHOOK_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(100..=60_000), value_name = "MS")]
    pub webhook_timeout_ms: u64,
    /// Webhook calls in flight to one endpoint from one instance (1 to 16).
    #[arg(long, env = "STUDYTRACK_WEBHOOK_CONCURRENCY", default_value_t = 2,
          value_parser = clap::value_parser!(u64).range(1..=16), value_name = "N")]
    pub webhook_concurrency: u64,
    /// Failed calls in a row after which an endpoint is disabled (1 to 1000).
    #[arg(long, env = "STUDYTRACK_WEBHOOK_DISABLE_AFTER", default_value_t = 50,
          value_parser = clap::value_parser!(i64).range(1..=1000), value_name = "N")]
    pub webhook_disable_after: i64,
    /// The learning-record store's xAPI base URL (statements go to `statements`
    /// under it); unset, no xAPI statements are made.
    #[arg(long, env = "STUDYTRACK_XAPI_ENDPOINT", value_name = "URL")]
    pub xapi_endpoint: Option<String>,
    /// The LRS's HTTP Basic user.
    #[arg(long, env = "STUDYTRACK_XAPI_USERNAME", default_value = "", value_name = "USER")]
    pub xapi_username: String,
    /// The LRS's HTTP Basic password.
    #[arg(long, env = "STUDYTRACK_XAPI_PASSWORD", value_name = "PASSWORD", hide_env_values = true)]
    pub xapi_password: Option<String>,
    /// The `homePage` of learners' xAPI accounts and the base of activity ids
    /// (default: STUDYTRACK_PUBLIC_URL).
    #[arg(long, env = "STUDYTRACK_XAPI_HOMEPAGE", value_name = "URL")]
    pub xapi_homepage: Option<String>,
    /// How long a password-reset link works (60 s to a day).
    #[arg(long, env = "STUDYTRACK_RESET_TOKEN_TTL_SECS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(60..=DAY), value_name = "SECS")]
    pub reset_token_ttl_secs: u64,
    /// How long a sign-up's verification link works (10 minutes to 7 days).
    #[arg(long, env = "STUDYTRACK_VERIFY_TOKEN_TTL_SECS", default_value_t = DAY,
          value_parser = clap::value_parser!(u64).range(600..=7 * DAY), value_name = "SECS")]
    pub verify_token_ttl_secs: u64,
    /// Where clients reach this API (the unsubscribe address in reminder mails).
    #[arg(long, env = "STUDYTRACK_PUBLIC_URL", default_value = "http://127.0.0.1:8080", value_name = "URL")]
    pub public_url: String,
    /// How often the reminder scheduler looks for learners whose hour has come (kept
    /// between 10 ms and an hour).
    #[arg(long, env = "STUDYTRACK_REMINDER_INTERVAL_MS", default_value_t = 60_000, value_name = "MS")]
    pub reminder_interval_ms: u64,
}

/// Parses the variables `lookup` gives (empty or blank ones count as unset), naming
/// the variable in any error.
pub fn parse(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<EnvVars> {
    use clap::{CommandFactory as _, FromArgMatches as _};

    // Values are handed to clap as flags, so it never reads the real environment here.
    let command = Standalone::command().mut_args(|arg| arg.env(None));
    let mut argv = vec!["studytrack".to_owned()];
    let mut names = Vec::new();
    for arg in Standalone::command().get_arguments() {
        let (Some(name), Some(long)) = (arg.get_env().and_then(|n| n.to_str()), arg.get_long()) else { continue };
        names.push((format!("--{long}"), name.to_owned()));
        if let Some(value) = lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            argv.push(format!("--{long}={value}"));
        }
    }
    let matches = command.try_get_matches_from(argv).map_err(|err| {
        // clap names the flag ("invalid value 'ten' for '--db-max-connections <N>': ...");
        // the operator set a variable, so the message names that instead.
        let flag = err.get(clap::error::ContextKind::InvalidArg).map(|v| v.to_string()).unwrap_or_default();
        let rendered = err.render().to_string();
        let message = rendered.lines().next().unwrap_or("invalid setting").trim_start_matches("error: ");
        match names.iter().find(|(long, _)| flag.starts_with(&format!("{long} ")) || flag == *long) {
            Some((_, name)) => anyhow::anyhow!("{}", message.replace(&format!("'{flag}'"), name)),
            None => anyhow::anyhow!("{message}"),
        }
    })?;
    Ok(Standalone::from_arg_matches(&matches)?.vars)
}

/// The variables as a command of their own, to parse them and to print their help.
#[derive(clap::Parser, Debug)]
#[command(name = "studytrack")]
struct Standalone {
    #[command(flatten)]
    vars: EnvVars,
}

/// Every variable with its default and what it does (`studytrack settings`).
pub fn help() -> String {
    use clap::CommandFactory as _;
    use std::fmt::Write as _;
    let mut out = String::from("Settings, read from these environment variables (an empty value counts as unset):\n");
    for arg in Standalone::command().get_arguments() {
        let Some(name) = arg.get_env().and_then(|n| n.to_str()) else { continue };
        let value = arg.get_value_names().and_then(|v| v.first()).map_or("VALUE".to_owned(), |v| v.to_string());
        let default: Vec<String> = arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
        let _ = write!(out, "\n  {name}=<{value}>");
        if !default.is_empty() {
            let _ = write!(out, "  (default: {})", default.join(","));
        }
        let possible: Vec<String> = arg.get_possible_values().iter().map(|v| v.get_name().to_owned()).collect();
        if !possible.is_empty() {
            let _ = write!(out, "  [{}]", possible.join(", "));
        }
        if let Some(text) = arg.get_long_help().or_else(|| arg.get_help()) {
            for line in text.to_string().lines() {
                let _ = write!(out, "\n      {line}");
            }
        }
        out.push('\n');
    }
    out
}
