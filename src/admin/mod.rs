//! `/admin/*`: operations for the admin role only. Every handler takes `AdminUser`,
//! so a missing token is 401 and a learner's token is 403 (OWASP API5).

use actix_web::middleware::from_fn;

pub mod audit;
pub mod bundles;
pub mod content;
pub mod users;

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
        .configure(users::configure)
        .configure(bundles::configure)
        .configure(content::configure)
        .wrap(from_fn(crate::auth::extractor::require_admin))
}
