//! `/admin/*`: operations for the admin role only. Every handler takes `AdminUser`,
//! so a missing token is 401 and a learner's token is 403 (OWASP API5).

use actix_web::middleware::from_fn;

use crate::auth::access::Permission;

pub mod access_docs;
pub mod audit;
pub mod content;
pub mod editorial;
pub mod model;
pub mod routes;
pub mod service;
pub mod tokens;
pub mod webhooks;
pub mod xapi;

/// Every admin route, under `/admin`, behind the admin check. The check runs as
/// middleware before any extractor, so a learner gets 403 (and an anonymous caller
/// 401) whatever the method or body; handlers still take `AdminUser` for the id.
/// Bodies may be larger here (a whole track's bundle).
pub fn scope(
    body_limit: usize,
) -> utoipa_actix_web::scope::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    utoipa_actix_web::scope::scope("/admin")
        .app_data(crate::web::extractors::json_config(body_limit))
        .wrap(from_fn(forget_cached_content))
        .wrap(from_fn(crate::auth::extractor::require_admin))
}

/// After a successful admin write, this instance drops its cached content at once.
/// Other instances hear of the change from the database (the content tables' trigger
/// notifies on commit); this only closes the few milliseconds before the notification
/// reaches our own listener, so an admin never reads their own write stale (from the
/// cache, or from a read replica that has not replayed it yet).
async fn forget_cached_content(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    // Drafts, change sets under review and tokens leave the published content alone
    // (and so the cache, and the ETags learners hold); publishing and direct edits
    // change it.
    let permission = crate::auth::access::required(req.method(), req.path());
    let drafts_only = matches!(permission, Permission::ContentRead | Permission::ContentDraft)
        || (permission == Permission::Import && req.query_string().contains("changeset="));
    let writes = !req.method().is_safe() && !drafts_only;
    let state = req.app_data::<actix_web::web::Data<crate::state::AppState>>().cloned();
    let res = next.call(req).await?;
    if writes
        && res.status().is_success()
        && let Some(state) = state
    {
        state.reads.require_primary_position().await;
        state.cache.invalidate();
    }
    Ok(res)
}
