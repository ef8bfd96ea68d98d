//! The request a task is handling, for code far from the handler that must name it
//! (a 500's problem body). A leaf: `web::request_id` sets it for each request, and
//! `error` reads it, without the error type depending on the web layer.

use tracing_actix_web::RequestId;

tokio::task_local! {
    /// The id of the request being handled (see [`current`]).
    static CURRENT: RequestId;
}

/// The id of the request this task is handling, if any: a 500 puts it in its body so
/// the client has something to quote, without learning anything else.
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(|id| *id).ok()
}

/// Runs `work` with `id` as the current request.
pub async fn scope<F: std::future::Future>(id: RequestId, work: F) -> F::Output {
    CURRENT.scope(id, work).await
}

/// Runs `work` (synchronous) with `id` as the current request.
pub fn sync_scope<T>(id: RequestId, work: impl FnOnce() -> T) -> T {
    CURRENT.sync_scope(id, work)
}
