//! The time the domain logic sees. Production reads the system clock; tests can move
//! it forward (to drill flashcards "for a week" in a second) without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::{Duration, OffsetDateTime};

#[derive(Clone, Default)]
pub struct Clock {
    /// Seconds added to the system clock; only tests ever set it.
    offset: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::seconds(self.offset.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every copy of it) forward.
    pub fn advance(&self, by: Duration) {
        self.offset.fetch_add(by.whole_seconds(), Ordering::Relaxed);
    }
}
