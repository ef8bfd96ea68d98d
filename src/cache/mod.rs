//! The in-process content cache: rendered JSON (with its ETag) and values derived from
//! content (a track's roadmap template, say), kept until the database says content
//! changed. It knows nothing of what the domains keep in it.
//!
//! Content is read on every visit and written a few times a day, so reads are served
//! from memory. Correctness across instances comes from the database, not from timers:
//! a trigger on every content table sends `NOTIFY studytrack_content` in the writing
//! transaction (see the `content_notify` migration), and [`listener`] turns each
//! notification into a new generation here. While the listener is not connected this
//! instance cannot know about changes, so the cache is bypassed rather than trusted.
//!
//! Entries carry the generation they were loaded under and are ignored once it has
//! moved on, so a load that raced a change can never be served after it.

pub mod compressed;
pub mod learners;
pub mod listener;

use std::any::Any;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;
use compressed::Compressed;
use sha2::{Digest, Sha256};

/// The strong ETag of a body: `"` + 32 hex digits of SHA-256 + `"`. Hashing the bytes
/// (rather than tracking versions) changes the tag the moment any visible byte changes,
/// whatever caused it, and equal bodies share a tag.
pub fn tag_for(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// A response body rendered once, with its strong ETag and, once it is kept in the
/// cache, its compressed forms.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub body: Bytes,
    pub etag: String,
    pub compressed: Arc<Compressed>,
}

impl Rendered {
    pub fn new(body: Vec<u8>) -> Self {
        let etag = tag_for(&body);
        Rendered { body: Bytes::from(body), etag, compressed: Arc::default() }
    }

    /// This body with its compressed forms made, on a blocking thread: brotli on a
    /// large body takes tens of milliseconds that must not stall an async worker.
    pub async fn compress(self) -> Self {
        let (body, etag) = (self.body.clone(), self.etag.clone());
        match tokio::task::spawn_blocking(move || Compressed::of(&body, &etag)).await {
            Ok(compressed) => Rendered { compressed: Arc::new(compressed), ..self },
            // Only a panic inside the compressor lands here; the plain body still serves.
            Err(_) => self,
        }
    }
}

/// A derived value as the cache holds it: any shareable type, named by the caller.
type Derived = Arc<dyn Any + Send + Sync>;

/// Which content changed last, and whether this instance is currently told about it.
#[derive(Debug, Default)]
struct Freshness {
    generation: AtomicU64,
    synced: AtomicBool,
}

/// Cache hit and miss counts, for `/metrics`.
#[derive(Debug, Default)]
pub struct CacheStats {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub bypasses: AtomicU64,
}

/// One map of values stamped with the generation they were loaded under.
struct Generational<K, V> {
    entries: moka::sync::Cache<K, (u64, V)>,
}

impl<K, V> Generational<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn new(max_bytes: u64, weigh: fn(&K, &V) -> u32) -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(move |k: &K, (_, v): &(u64, V)| weigh(k, v))
            .build();
        Generational { entries }
    }
}

/// The content cache shared by every worker of one instance.
pub struct ContentCache {
    freshness: Freshness,
    enabled: bool,
    rendered: Generational<String, Rendered>,
    derived: Generational<String, Derived>,
    pub stats: CacheStats,
}

impl ContentCache {
    /// `max_bytes` bounds the memory of each of the two maps; 0 disables caching.
    pub fn new(max_bytes: u64) -> Self {
        ContentCache {
            freshness: Freshness::default(),
            enabled: max_bytes > 0,
            rendered: Generational::new(max_bytes, |k, v| {
                weight(k.len() + v.body.len() + v.etag.len() + v.compressed.len())
            }),
            // A derived value (a roadmap template) is a few kilobytes of owned strings;
            // counting entries by a fixed estimate is enough to bound them (there is
            // one per track).
            derived: Generational::new(max_bytes, |k, _| weight(k.len() + 16 * 1024)),
            stats: CacheStats::default(),
        }
    }

    /// Forgets everything: content changed, or changes may have been missed.
    pub fn invalidate(&self) {
        self.freshness.generation.fetch_add(1, Ordering::AcqRel);
        self.rendered.entries.invalidate_all();
        self.derived.entries.invalidate_all();
    }

    /// Called by the listener: `true` once it is subscribed, `false` when the
    /// subscription is lost (and with it any guarantee of hearing about changes).
    pub fn set_synced(&self, synced: bool) {
        self.invalidate();
        self.freshness.synced.store(synced, Ordering::Release);
    }

    /// Moves on at every invalidation (tests wait on it).
    pub fn generation(&self) -> u64 {
        self.freshness.generation.load(Ordering::Acquire)
    }

    pub fn is_synced(&self) -> bool {
        self.freshness.synced.load(Ordering::Acquire)
    }

    /// The rendered response under `key`, loading (and keeping) it on a miss. A body
    /// that will be kept is compressed once here; one served while the cache is
    /// bypassed goes out plain rather than being compressed on every request.
    pub async fn rendered<E, F>(&self, key: &str, load: impl FnOnce() -> F) -> Result<Rendered, E>
    where
        F: Future<Output = Result<Rendered, E>>,
    {
        let load_and_compress = || async {
            let rendered = load().await?;
            Ok(if self.enabled && self.is_synced() { rendered.compress().await } else { rendered })
        };
        self.get_or_load(&self.rendered, key, load_and_compress, Rendered::clone, Some).await
    }

    /// The value derived from content under `key`, loading (and keeping) it on a miss.
    /// Held type-erased; an entry of another type under the same key counts as a miss.
    pub async fn derived<T, E, F>(&self, key: &str, load: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        T: Any + Send + Sync,
        F: Future<Output = Result<Arc<T>, E>>,
    {
        self.get_or_load(&self.derived, key, load, |value| Arc::clone(value) as Derived, |held| held.downcast().ok())
            .await
    }

    async fn get_or_load<V, S, E, F>(
        &self,
        map: &Generational<String, S>,
        key: &str,
        load: impl FnOnce() -> F,
        hold: impl FnOnce(&V) -> S,
        take: impl FnOnce(S) -> Option<V>,
    ) -> Result<V, E>
    where
        S: Clone + Send + Sync + 'static,
        F: Future<Output = Result<V, E>>,
    {
        if !self.enabled || !self.is_synced() {
            self.stats.bypasses.fetch_add(1, Ordering::Relaxed);
            return load().await;
        }
        // Read the generation before loading: if a change lands while we load, the
        // entry is stamped with the old generation and never served.
        let generation = self.freshness.generation.load(Ordering::Acquire);
        if let Some((stamp, held)) = map.entries.get(key)
            && stamp == generation
            && let Some(value) = take(held)
        {
            self.stats.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(value);
        }
        self.stats.misses.fetch_add(1, Ordering::Relaxed);
        let value = load().await?;
        if self.is_synced() && self.freshness.generation.load(Ordering::Acquire) == generation {
            map.entries.insert(key.to_owned(), (generation, hold(&value)));
        }
        Ok(value)
    }
}

fn weight(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Rendered {
        Rendered::new(text.as_bytes().to_vec())
    }

    async fn load(cache: &ContentCache, key: &str, text: &str) -> Rendered {
        cache.rendered(key, || async { Ok::<_, ()>(body(text)) }).await.unwrap_or_else(|()| body("error"))
    }

    #[tokio::test]
    async fn serves_from_memory_until_invalidated() {
        let cache = ContentCache::new(1 << 20);
        cache.set_synced(true);
        assert_eq!(load(&cache, "k", "one").await.body, "one");
        assert_eq!(load(&cache, "k", "two").await.body, "one", "a hit does not reload");
        cache.invalidate();
        assert_eq!(load(&cache, "k", "three").await.body, "three");
    }

    #[tokio::test]
    async fn bypassed_while_not_synced() {
        let cache = ContentCache::new(1 << 20);
        assert_eq!(load(&cache, "k", "one").await.body, "one");
        assert_eq!(load(&cache, "k", "two").await.body, "two", "nothing is kept while changes could be missed");
        cache.set_synced(true);
        assert_eq!(load(&cache, "k", "three").await.body, "three");
        cache.set_synced(false);
        assert_eq!(load(&cache, "k", "four").await.body, "four");
    }

    #[tokio::test]
    async fn a_load_that_races_a_change_is_not_kept() {
        let cache = ContentCache::new(1 << 20);
        cache.set_synced(true);
        let stale = cache
            .rendered("k", || async {
                // The content changes while this (old) answer is being rendered.
                cache.invalidate();
                Ok::<_, ()>(body("old"))
            })
            .await;
        assert_eq!(stale.map(|r| r.body), Ok(Bytes::from_static(b"old")));
        assert_eq!(load(&cache, "k", "new").await.body, "new");
    }

    #[tokio::test]
    async fn size_zero_disables_it() {
        let cache = ContentCache::new(0);
        cache.set_synced(true);
        assert_eq!(load(&cache, "k", "one").await.body, "one");
        assert_eq!(load(&cache, "k", "two").await.body, "two");
    }
}
