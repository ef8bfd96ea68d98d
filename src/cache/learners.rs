//! Each learner's figures per track, kept in memory between their writes. The memo
//! holds them type-erased: what the figures are is progress's business.
//!
//! Progress is read far more often than a learner writes, and computing it is one SQL
//! statement over all of the learner's marks, answers and cards. An entry is used only
//! while three things still hold: the account's progress version is the one the entry
//! was computed under (it moves in the database with every change progress depends on,
//! whichever instance or tool made it, and is read with the account on every
//! authenticated request anyway); the content has not changed since (same content
//! cache generation, and the cache is subscribed); and no flashcard has since become
//! due or overdue (`valid_until`).

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;
use uuid::Uuid;

/// Figures as the memo holds them, with the weight they were put in with.
type Held = (Stamp, Arc<dyn Any + Send + Sync>, u32);

/// What an entry was computed under, and until when it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub progress_version: i64,
    pub content_generation: u64,
    /// The next moment a flashcard becomes due or overdue; `None` when none will.
    pub valid_until: Option<OffsetDateTime>,
}

pub struct LearnerMemo {
    entries: moka::sync::Cache<(Uuid, String), Held>,
    /// Reads answered from memory, for `/metrics`.
    pub hits: AtomicU64,
    /// Reads that had to query (nothing kept, or kept under an older stamp).
    pub misses: AtomicU64,
}

impl LearnerMemo {
    /// `max_bytes` bounds the memory, as the weights given to [`LearnerMemo::put`] say.
    pub fn new(max_bytes: u64) -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|(_, track): &(Uuid, String), (_, _, weight): &Held| {
                u32::try_from(64 + track.len()).unwrap_or(u32::MAX).saturating_add(*weight)
            })
            .build();
        LearnerMemo { entries, hits: AtomicU64::new(0), misses: AtomicU64::new(0) }
    }

    /// The kept figures, if computed under this version and generation, still valid at
    /// `now`, and of type `T`.
    pub fn get<T: Any + Send + Sync>(
        &self,
        user: Uuid,
        track: &str,
        version: i64,
        generation: u64,
        now: OffsetDateTime,
    ) -> Option<Arc<T>> {
        self.get_until(user, track, version, generation, now).map(|(figures, _)| figures)
    }

    /// As [`LearnerMemo::get`], with the moment the kept figures stop holding (what a
    /// view built from them can be kept until).
    pub fn get_until<T: Any + Send + Sync>(
        &self,
        user: Uuid,
        track: &str,
        version: i64,
        generation: u64,
        now: OffsetDateTime,
    ) -> Option<(Arc<T>, Option<OffsetDateTime>)> {
        let kept = self
            .entries
            .get(&(user, track.to_owned()))
            .filter(|(stamp, _, _)| {
                stamp.progress_version == version
                    && stamp.content_generation == generation
                    && stamp.valid_until.is_none_or(|until| now < until)
            })
            .and_then(|(stamp, figures, _)| figures.downcast::<T>().ok().map(|f| (f, stamp.valid_until)));
        let counter = if kept.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        kept
    }

    /// Keeps `figures` (about `weight` bytes) under `stamp`.
    pub fn put<T: Any + Send + Sync>(&self, user: Uuid, track: &str, stamp: Stamp, figures: Arc<T>, weight: usize) {
        let weight = u32::try_from(weight).unwrap_or(u32::MAX);
        self.entries.insert((user, track.to_owned()), (stamp, figures, weight));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    type Figures = HashMap<Uuid, u32>;

    #[test]
    fn an_entry_holds_only_under_its_version_generation_and_time() {
        let memo = LearnerMemo::new(1 << 20);
        let user = Uuid::new_v4();
        let now = OffsetDateTime::now_utc();
        let until = now + time::Duration::hours(1);
        let stamp = Stamp { progress_version: 3, content_generation: 7, valid_until: Some(until) };
        memo.put(user, "python", stamp, Arc::new(Figures::new()), 0);
        assert!(memo.get::<Figures>(user, "python", 3, 7, now).is_some());
        assert!(memo.get::<Figures>(user, "python", 4, 7, now).is_none(), "the learner wrote since");
        assert!(memo.get::<Figures>(user, "python", 3, 8, now).is_none(), "the content changed since");
        assert!(memo.get::<Figures>(user, "python", 3, 7, until).is_none(), "a card fell due since");
        assert!(memo.get::<Figures>(user, "fastapi", 3, 7, now).is_none());
        assert!(memo.get::<Figures>(Uuid::new_v4(), "python", 3, 7, now).is_none());
        assert!(memo.get::<String>(user, "python", 3, 7, now).is_none(), "figures of another type");
    }
}
