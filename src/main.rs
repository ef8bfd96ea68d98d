//! The `studytrack` command line: serve, migrate, seed, openapi.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use studytrack::app::{self, Application};
use studytrack::auth::email::Email;
use studytrack::auth::password;
use studytrack::auth::{Role, store};
use studytrack::config::Settings;
use studytrack::security::hashing::PasswordHasher;
use studytrack::{content, db, telemetry};

#[derive(Parser)]
#[command(
    name = "studytrack",
    version,
    about = "Study tracks for technical interview preparation",
    after_help = "Settings come from the environment; `studytrack settings` lists every one."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API (creates and migrates the database, seeds it when empty).
    Serve,
    /// Create the database if missing and apply migrations.
    Migrate,
    /// Validate the seed files and upsert them in one transaction.
    Seed {
        /// Validate and report what would change, but write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Seed directory (default: STUDYTRACK_SEED_DIR or ./seed).
        dir: Option<PathBuf>,
    },
    /// Write a track's live content as seed files (the same bundle as GET /admin/export/{track}).
    Export {
        /// Track slug.
        track: String,
        /// Directory to write the seed layout into (created if missing).
        dir: PathBuf,
    },
    /// Print the OpenAPI document (the same one the server serves at /openapi.json).
    Openapi,
    /// List every setting: its environment variable, default, bounds and meaning.
    Settings,
    /// Manage admin accounts (the only way to make an admin).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// The roles the CLI grants.
#[derive(Clone, Copy, clap::ValueEnum)]
enum GrantedRole {
    Admin,
    Editor,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin account; the password is read from standard input (one line).
    Create {
        #[arg(long)]
        email: String,
        /// Display name (default: the part of the email before the @).
        #[arg(long)]
        name: Option<String>,
    },
    /// Make an existing account an admin (or, with `--role editor`, an editor: writes
    /// drafts and submits change sets, never publishes).
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value = "admin")]
        role: GrantedRole,
    },
    /// Make an admin or editor a learner again.
    Revoke {
        #[arg(long)]
        email: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Settings = cli.command {
        print!("{}", studytrack::config::env::help());
        return ExitCode::SUCCESS;
    }
    if let Command::Openapi = cli.command {
        return match app::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("configuration error: {err:#}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, "info");
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => {
            if let Some(problem) = &settings.jwt_secret_problem {
                anyhow::bail!("{problem}");
            }
            if settings.environment == studytrack::config::Environment::Development
                && std::env::var_os("STUDYTRACK_JWT_SECRET").is_none()
            {
                tracing::warn!("STUDYTRACK_JWT_SECRET is unset; using a random key (tokens end on restart)");
            }
            let started = Instant::now();
            let pool = db::connect_and_migrate(&settings).await?;
            if settings.auto_seed
                && let Some(report) = content::seed_if_empty(&pool, &settings.seed_dir).await?
            {
                tracing::info!(dir = %settings.seed_dir.display(), "seeded an empty database\n{report}");
            }
            // Learner events become xAPI statements only where an LRS is configured.
            studytrack::xapi::set_enabled(&pool, settings.xapi.is_some()).await?;
            let app = Application::build(settings.clone(), pool)?;
            tracing::info!(
                bind = %settings.bind, port = app.port(), ready_ms = started.elapsed().as_millis() as u64,
                "listening; docs at /docs"
            );
            app.run_until_stopped().await?;
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            db::connect_and_migrate(&settings).await?;
            println!("database is migrated");
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed { dry_run, dir } => {
            let dir = dir.unwrap_or(settings.seed_dir.clone());
            let bundle = match content::load_dir(&dir) {
                Ok(bundle) => bundle,
                Err(invalid) => {
                    eprint!("{invalid}");
                    return Ok(ExitCode::from(1));
                }
            };
            let pool = db::connect_and_migrate(&settings).await?;
            let started = Instant::now();
            let report = content::apply(&pool, &bundle, dry_run).await?;
            print!("{report}");
            let verb = if dry_run { "dry run (nothing written)" } else { "seeded" };
            println!("{verb} from {} in {} ms", dir.display(), started.elapsed().as_millis());
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { command } => admin(command, &settings).await,
        Command::Export { track, dir } => {
            let pool = db::connect_and_migrate(&settings).await?;
            let Some(bundle) = content::export::track(&pool, &track).await? else {
                eprintln!("no live track with slug {track:?}");
                return Ok(ExitCode::from(1));
            };
            let written = content::files::write_dir(&bundle, &dir)?;
            println!("wrote {written} files for track {track} to {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi | Command::Settings => Ok(ExitCode::SUCCESS),
    }
}

async fn admin(command: AdminCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    let pool = db::connect_and_migrate(settings).await?;
    match command {
        AdminCommand::Create { email, name } => {
            let email = Email::parse(&email).map_err(|m| anyhow::anyhow!("email {m}"))?;
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let secret = line.trim_end_matches(['\r', '\n']).to_owned();
            password::check_policy(&secret, &email.normalized).map_err(|m| anyhow::anyhow!("password {m}"))?;
            let name = name.unwrap_or_else(|| email.display.split('@').next().unwrap_or("admin").to_owned());
            let hash = PasswordHasher::new(1)?.hash(secret.into()).await?;
            // The operator at the command line vouches for the address.
            let account = store::NewAccount {
                email: &email.display,
                normalized: &email.normalized,
                display_name: &name,
                password_hash: &hash,
                role: Role::Admin,
                email_verified: true,
            };
            match store::insert(&pool, account).await? {
                Some(user) => println!("created admin {} ({})", email.display, user.user_id),
                None => {
                    eprintln!("an account with this email exists; use `studytrack admin grant --email ...`");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        AdminCommand::Grant { email, .. } | AdminCommand::Revoke { email } if Email::parse(&email).is_err() => {
            eprintln!("not a valid email address: {email}");
            return Ok(ExitCode::from(1));
        }
        AdminCommand::Grant { email, role } => {
            let role = match role {
                GrantedRole::Admin => Role::Admin,
                GrantedRole::Editor => Role::Editor,
            };
            return set_role(&pool, &email, role).await;
        }
        AdminCommand::Revoke { email } => return set_role(&pool, &email, Role::Learner).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn set_role(pool: &sqlx::PgPool, email: &str, role: Role) -> anyhow::Result<ExitCode> {
    let normalized = studytrack::auth::email::normalize(email);
    if store::set_role(pool, &normalized, role).await? {
        println!("{email} is now {}; their existing access tokens no longer work", role.as_str());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("no account with email {email}");
        Ok(ExitCode::from(1))
    }
}
