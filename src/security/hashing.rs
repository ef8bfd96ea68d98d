//! argon2id hashing on a fixed pool of dedicated threads.
//!
//! Each hash costs 19 MiB and tens of milliseconds of CPU. Running it on the async
//! executor would stall every other request; running it on tokio's growing blocking
//! pool lets a login burst hold memory without limit. So hashes queue for one of
//! `hash_concurrency` long-lived threads (see [`PasswordHasher`]).

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

/// OWASP's argon2id parameters: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// One unit of hashing work for the pool's threads.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// Hashes on a fixed set of dedicated threads fed by a queue.
///
/// Not tokio's blocking pool: it grows a thread per waiting task, and every thread
/// that allocates 19 MiB leaves it cached in its own malloc arena (glibc raises its
/// mmap threshold after the first free), so a burst of 100 logins held about 800 MB.
/// With `concurrency` long-lived threads the memory is at most that many blocks, a
/// burst queues, and the remaining cores keep serving other requests.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: std::sync::mpsc::SyncSender<Job>,
    /// Verified against when the account does not exist, so timing reveals nothing.
    dummy_hash: Arc<String>,
}

/// Nice value of the hashing threads. A login is worth ~50 ms of one core; at the
/// default priority a burst of them competes evenly with the workers serving every
/// other request, whose latency then triples. At nice 10 the scheduler gives a busy
/// worker about nine times the hashers' share, so a burst makes logins queue a little
/// longer instead of slowing everyone else; on an idle machine hashing still gets
/// whole cores.
const HASHER_NICE: i32 = 10;

#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: `setpriority` takes plain integers and touches no memory of ours. On Linux
    // the nice value is per thread, and `who = 0` names the calling thread only.
    let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, HASHER_NICE) };
    if result != 0 {
        tracing::debug!("could not lower the hashing thread's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> anyhow::Result<Self> {
        let dummy = hash_blocking("studytrack-dummy-password-for-timing")?;
        // Room for a large burst; beyond it senders wait (asynchronously, see `run`).
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(1024);
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..concurrency.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                lower_priority();
                loop {
                    let job = match queue.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return, // every sender is gone: shut down
                    }
                }
            })?;
        }
        Ok(PasswordHasher { jobs, dummy_hash: Arc::new(dummy) })
    }

    /// Runs `work` on a hashing thread and awaits its result.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            // 1024 jobs already queued: wait for room off the executor.
            Err(std::sync::mpsc::TrySendError::Full(job)) => {
                let jobs = self.jobs.clone();
                tokio::task::spawn_blocking(move || jobs.send(job))
                    .await?
                    .map_err(|_| anyhow::anyhow!("hashing pool is gone"))?;
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => anyhow::bail!("hashing pool is gone"),
        }
        Ok(result.await?)
    }

    pub async fn hash(&self, password: SecretString) -> anyhow::Result<SecretString> {
        self.run(move || hash_blocking(password.expose_secret()).map(SecretString::from)).await?
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is no
    /// account, taking the same time either way.
    pub async fn verify(&self, password: SecretString, hash: Option<SecretString>) -> anyhow::Result<bool> {
        let exists = hash.is_some();
        let hash = hash.unwrap_or_else(|| SecretString::from(self.dummy_hash.as_ref().clone()));
        let ok = self.run(move || verify_blocking(password.expose_secret(), hash.expose_secret())).await??;
        Ok(ok && exists)
    }
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h: PasswordHash| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

fn verify_blocking(password: &str, hash: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("stored hash is malformed: {e}"))?;
    Ok(argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let hash = hash_blocking("tangerine-orbit-42").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_blocking("tangerine-orbit-42", &hash).unwrap());
        assert!(!verify_blocking("tangerine-orbit-43", &hash).unwrap());
    }
}
