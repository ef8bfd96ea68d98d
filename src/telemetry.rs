//! Log setup: JSON lines in production, readable lines in development; `RUST_LOG`
//! overrides the level.

use std::sync::atomic::{AtomicBool, Ordering};

use tracing::subscriber::Interest;
use tracing_subscriber::filter::DynFilterFn;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Layer, fmt};

use crate::config::LogFormat;

/// Where actix's accept thread logs.
const ACCEPT_TARGET: &str = "actix_server::accept";

/// Set when the server closes its listening socket on purpose at shutdown (see
/// `app::refuse_new_connections`). actix's accept thread then logs "Error accepting
/// connection: Invalid argument" at ERROR, which is the closing itself, not a fault;
/// from then on that target is silenced. Before it, its errors (out of descriptors,
/// say) are logged as they should be.
static LISTENER_CLOSED: AtomicBool = AtomicBool::new(false);

pub fn listener_closed() {
    LISTENER_CLOSED.store(true, Ordering::Release);
}

pub fn init(format: LogFormat, default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let layer = match format {
        LogFormat::Json => fmt::layer().json().flatten_event(true).with_writer(std::io::stderr).boxed(),
        LogFormat::Pretty => fmt::layer().compact().with_writer(std::io::stderr).boxed(),
    };
    // Decided per event only for the accept thread's callsites; every other callsite
    // is left to the level filter, cached as usual.
    let after_close =
        DynFilterFn::new(|meta, _| meta.target() != ACCEPT_TARGET || !LISTENER_CLOSED.load(Ordering::Acquire))
            .with_callsite_filter(|meta| {
                if meta.target() == ACCEPT_TARGET { Interest::sometimes() } else { Interest::always() }
            });
    // A second init (tests) is harmless; keep the first subscriber.
    let _ = tracing_subscriber::registry().with(layer.with_filter(filter).with_filter(after_close)).try_init();
}
