//! `/admin/*`: operations for the admin role only. Every handler takes `AdminUser`,
//! so a missing token is 401 and a learner's token is 403 (OWASP API5).

pub mod users;
