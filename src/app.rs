//! Building the HTTP server from settings and a pool: the same code path for `serve`
//! and for the tests (which bind port 0).

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::http::{Method, header};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use sqlx::PgPool;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth;
use crate::cache::listener;
use crate::config::Settings;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::web::client_address::RequestSpan;
use crate::web::rate_limit::RateLimit;
use crate::web::{extractors, fallback, request_id};

/// The OpenAPI document, exactly as served at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(|cfg| crate::routes::register(cfg, 0))
        .split_for_parts();
    // Runs on the finished document: the derive's modifiers see it before the
    // handlers' paths are added.
    utoipa::Modify::modify(&crate::admin::access_docs::AdminAccess, &mut doc);
    utoipa::Modify::modify(&crate::openapi::RateLimited, &mut doc);
    utoipa::Modify::modify(&crate::openapi::SharedResponses, &mut doc);
    utoipa::Modify::modify(&crate::webhooks::docs::Webhooks, &mut doc);
    doc
}

/// A running-ready server and what a caller needs to reach and stop it.
pub struct Application {
    port: u16,
    /// The listening socket (a second handle on it), closed for new connections when
    /// the server stops.
    listening: TcpListener,
    server: Server,
    state: web::Data<AppState>,
    background: Background,
}

/// Tasks that live as long as the server: the content-change subscription and the
/// replica probe. Aborted when the application is dropped.
struct Background(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl Application {
    /// Binds the listener (port 0 picks a free one) and builds the server; it does not
    /// start serving until [`Application::run_until_stopped`] or the server is awaited.
    pub fn build(settings: Settings, db: PgPool) -> anyhow::Result<Self> {
        if let Some(problem) = &settings.jwt_secret_problem {
            anyhow::bail!("{problem}");
        }
        let listener = TcpListener::bind(&settings.bind).with_context(|| format!("cannot bind {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let listening = listener.try_clone().context("cannot duplicate the listening socket")?;
        let doc = openapi();
        let table = web::Data::new(fallback::RouteTable::from_openapi(
            &doc,
            &[("/openapi.json", &["GET"]), ("/docs", &["GET"]), ("/demo", &["GET"]), ("/app", &["GET"])],
        ));
        let doc = Arc::new(doc);
        let state = web::Data::new(AppState::new(db, settings.clone())?);
        let rate_limit = web::Data::new(RateLimit::new(&settings)?);
        let mailer = Arc::new(crate::mail::Mailer::from_settings(&settings)?);
        let webhooks = crate::webhooks::delivery::Sender::new(
            state.db.clone(),
            crate::webhooks::delivery::SenderConfig {
                allow_private: settings.webhook_allow_private,
                timeout: settings.webhook_timeout,
                per_endpoint: settings.webhook_concurrency,
                disable_after: settings.webhook_disable_after,
            },
        )?;
        let mut handlers: Vec<Arc<dyn crate::jobs::Handler>> =
            vec![Arc::new(crate::mail::MailHandler(Arc::clone(&mailer))), Arc::new(webhooks)];
        if let Some(lrs) = &settings.xapi {
            handlers.push(Arc::new(crate::xapi::forwarder::Forwarder::new(state.db.clone(), lrs.clone())?));
        }
        if matches!(*mailer, crate::mail::Mailer::Log) && settings.environment == crate::config::Environment::Production
        {
            tracing::warn!("STUDYTRACK_SMTP_URL is unset: mails (reset links) are only logged");
        }
        let rate_limit_cleanup = rate_limit.get_ref().clone().run_cleanup();
        let proxies = web::Data::new(settings.trusted_proxies.clone());
        // The public reads open previews through this (they cannot name the admin side).
        let previews = web::Data::new(crate::admin::editorial::preview::hook());
        let app_state = state.clone();
        let mut server = HttpServer::new(move || {
            let settings = &app_state.settings;
            App::new()
                .into_utoipa_app()
                .configure(|cfg| crate::routes::register(cfg, settings.import_limit))
                .into_app()
                .app_data(app_state.clone())
                .app_data(table.clone())
                .app_data(proxies.clone())
                .app_data(previews.clone())
                .app_data(rate_limit.clone())
                .app_data(extractors::json_config(settings.body_limit))
                .app_data(extractors::query_config())
                .app_data(extractors::path_config())
                .app_data(web::PayloadConfig::new(settings.body_limit))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", (*doc).clone()))
                .route(
                    "/docs",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
                    }),
                )
                .configure(crate::web::demo::configure)
                .configure(crate::web::client::configure)
                .default_service(web::to(fallback::not_found_or_not_allowed))
                .wrap(from_fn(crate::web::compress::dynamic))
                .wrap(from_fn(crate::web::head::as_get))
                .wrap(from_fn(crate::web::timeout::enforce))
                // Inside the request id and the metrics, so a contained panic is
                // answered with its id and counted as the 500 it is.
                .wrap(from_fn(crate::web::panic::contain))
                .wrap(from_fn(crate::web::metrics::record))
                .wrap(from_fn(request_id::add_header))
                .wrap(TracingLogger::<RequestSpan>::new())
                .wrap(cors(settings))
                // Outermost, so answers made by the middleware (CORS preflights) carry it too.
                .wrap(DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
        })
        .listen(listener)?
        .disable_signals()
        // The grace period counts from the signal; the readiness delay spends part of it.
        .shutdown_timeout(settings.shutdown_grace.saturating_sub(settings.shutdown_delay).as_secs());
        if settings.workers > 0 {
            server = server.workers(settings.workers);
        }
        let jobs_queued = Arc::new(tokio::sync::Notify::new());
        let background = Background(vec![
            tokio::spawn(listener::run(
                state.db.clone(),
                state.cache.clone(),
                state.reads.clone(),
                jobs_queued.clone(),
            )),
            tokio::spawn(state.reads.clone().probe()),
            tokio::spawn(auth::prune::run(state.db.clone(), settings.prune_interval)),
            tokio::spawn(crate::reminders::scheduler::run(state.clone().into_inner(), settings.reminder_interval)),
            tokio::spawn(crate::admin::editorial::scheduler::run(state.clone().into_inner(), settings.job_poll)),
            tokio::spawn(crate::optimizer::worker::run(state.clone().into_inner(), settings.job_poll)),
            tokio::spawn(rate_limit_cleanup),
            tokio::spawn(
                crate::jobs::Worker {
                    pool: state.db.clone(),
                    handlers,
                    outcomes: state.metrics.jobs.clone(),
                    idle_poll: settings.job_poll,
                    queued: jobs_queued,
                    retry_base: settings.job_retry_base,
                }
                .run(),
            ),
        ]);
        Ok(Application { port, listening, server: server.run(), state, background })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGTERM or SIGINT, then: readiness answers 503 at once; requests are
    /// still accepted for `shutdown_delay` (so a load balancer sees the 503 and stops
    /// routing here before connections are refused; a second signal cuts it short);
    /// then the listener closes and in-flight requests get the rest of the grace period.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let state = self.state.clone();
        let listening = self.listening;
        // Installed before serving, so a signal that arrives early is not fatal.
        let mut signals = Signals::install()?;
        tokio::spawn(async move {
            signals.recv().await;
            state.begin_shutdown();
            let delay = state.settings.shutdown_delay;
            tracing::info!(delay_secs = delay.as_secs(), "shutdown signal received; readiness now fails");
            if !delay.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = signals.recv() => tracing::info!("second signal; skipping the rest of the delay"),
                }
            }
            tracing::info!("no longer accepting; draining in-flight requests");
            // Closed at the socket first (see `web::listening`), then no longer accepted:
            // the other order leaves connections queued unaccepted, to be reset with
            // their requests when the socket closes.
            crate::web::listening::close_gracefully(&listening).await;
            handle.pause().await;
            // Connections accepted just before are still on their way to a worker, and
            // a worker told to stop drops those it has not started.
            tokio::time::sleep(HANDOFF).await;
            handle.stop(true).await;
        });
        let _background = self.background;
        self.server.await.context("server failed")
    }

    /// The server future, for tests that drive it themselves; the background tasks
    /// end with it.
    pub async fn into_server(self) -> std::io::Result<()> {
        let _background = self.background;
        self.server.await
    }
}

/// How long connections accepted just before a stop get to reach a worker (a worker
/// thread starved of CPU on a loaded machine can take a while to pick them up).
const HANDOFF: std::time::Duration = std::time::Duration::from_millis(300);

/// SIGTERM (orchestrators) and SIGINT (Ctrl-C), both meaning "shut down gracefully".
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
                int: signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// CORS for third-party front ends: bearer tokens, not cookies, so any origin may be
/// allowed safely; `STUDYTRACK_CORS_ORIGINS` narrows it to a list.
fn cors(settings: &Settings) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::ACCEPT,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static(request_id::HEADER),
        ])
        .max_age(3600);
    match &settings.cors_origins {
        None => cors = cors.allow_any_origin(),
        Some(origins) => {
            for origin in origins {
                cors = cors.allowed_origin(origin);
            }
        }
    }
    cors
}
