//! Each learner's figures per track, kept in memory between their writes.
//!
//! Progress is read far more often than a learner writes, and computing it is one SQL
//! statement over all of the learner's marks, answers and cards. An entry is used only
//! while three things still hold: the account's progress version is the one the entry
//! was computed under (it moves in the database with every change progress depends on,
//! whichever instance or tool made it, and is read with the account on every
//! authenticated request anyway); the content has not changed since (same content
//! cache generation, and the cache is subscribed); and no flashcard has since become
//! due or overdue (`valid_until`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use time::OffsetDateTime;
use uuid::Uuid;

use super::fill::TopicInput;

/// A learner's figures for one track's topics.
pub type Inputs = Arc<HashMap<Uuid, TopicInput>>;

/// What an entry was computed under, and until when it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub progress_version: i64,
    pub content_generation: u64,
    /// The next moment a flashcard becomes due or overdue; `None` when none will.
    pub valid_until: Option<OffsetDateTime>,
}

pub struct LearnerMemo {
    entries: moka::sync::Cache<(Uuid, String), (Stamp, Inputs)>,
    /// Reads answered from memory, for `/metrics`.
    pub hits: AtomicU64,
    /// Reads that had to query (nothing kept, or kept under an older stamp).
    pub misses: AtomicU64,
}

impl LearnerMemo {
    /// `max_bytes` bounds the memory (about 200 bytes per topic of an entry).
    pub fn new(max_bytes: u64) -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|(_, track): &(Uuid, String), (_, inputs): &(Stamp, Inputs)| {
                u32::try_from(64 + track.len() + inputs.len() * 200).unwrap_or(u32::MAX)
            })
            .build();
        LearnerMemo { entries, hits: AtomicU64::new(0), misses: AtomicU64::new(0) }
    }

    /// The kept figures, if computed under this version and generation and still valid at `now`.
    pub fn get(&self, user: Uuid, track: &str, version: i64, generation: u64, now: OffsetDateTime) -> Option<Inputs> {
        let kept = self.entries.get(&(user, track.to_owned())).filter(|(stamp, _)| {
            stamp.progress_version == version
                && stamp.content_generation == generation
                && stamp.valid_until.is_none_or(|until| now < until)
        });
        let counter = if kept.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        kept.map(|(_, inputs)| inputs)
    }

    pub fn put(&self, user: Uuid, track: &str, stamp: Stamp, inputs: Inputs) {
        self.entries.insert((user, track.to_owned()), (stamp, inputs));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_holds_only_under_its_version_generation_and_time() {
        let memo = LearnerMemo::new(1 << 20);
        let user = Uuid::new_v4();
        let now = OffsetDateTime::now_utc();
        let until = now + time::Duration::hours(1);
        let stamp = Stamp { progress_version: 3, content_generation: 7, valid_until: Some(until) };
        memo.put(user, "python", stamp, Arc::new(HashMap::new()));
        assert!(memo.get(user, "python", 3, 7, now).is_some());
        assert!(memo.get(user, "python", 4, 7, now).is_none(), "the learner wrote since");
        assert!(memo.get(user, "python", 3, 8, now).is_none(), "the content changed since");
        assert!(memo.get(user, "python", 3, 7, until).is_none(), "a card fell due since");
        assert!(memo.get(user, "fastapi", 3, 7, now).is_none());
        assert!(memo.get(Uuid::new_v4(), "python", 3, 7, now).is_none());
    }
}
