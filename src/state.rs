//! The state every handler and background task shares: pools, caches, settings,
//! keys and the clock. A leaf of the module graph: it names the parts it holds and
//! nothing that uses them, so any layer can take `&AppState` without a cycle through
//! the composition root (`app.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use secrecy::ExposeSecret;
use sqlx::PgPool;

use crate::cache::ContentCache;
use crate::clock::Clock;
use crate::config::Settings;
use crate::replica::ContentReads;
use crate::security::hashing::PasswordHasher;
use crate::security::tokens::TokenKeys;

/// Shared by every handler.
pub struct AppState {
    pub db: PgPool,
    /// Where public content reads go (a replica when configured and fit).
    pub reads: Arc<ContentReads>,
    pub cache: Arc<ContentCache>,
    pub metrics: crate::metrics::Metrics,
    /// Learners' progress figures between their writes.
    pub learners: crate::cache::learners::LearnerMemo,
    pub settings: Settings,
    pub tokens: TokenKeys,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    shutting_down: AtomicBool,
}

impl AppState {
    pub fn new(db: PgPool, settings: Settings) -> anyhow::Result<Self> {
        Ok(AppState {
            reads: Arc::new(ContentReads::new(db.clone(), crate::db::replica_pool(&settings)?)),
            cache: Arc::new(ContentCache::new(settings.content_cache_bytes)),
            metrics: crate::metrics::Metrics::new()?,
            learners: crate::cache::learners::LearnerMemo::new(settings.content_cache_bytes),
            tokens: TokenKeys::new(settings.jwt_secret.expose_secret()),
            hasher: PasswordHasher::new(settings.hash_concurrency)?,
            clock: Clock::default(),
            db,
            settings,
            shutting_down: AtomicBool::new(false),
        })
    }

    /// Set once a shutdown signal arrives, so readiness fails while requests drain.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }

    /// Readiness fails from now on, so load balancers stop sending new requests.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
    }
}
