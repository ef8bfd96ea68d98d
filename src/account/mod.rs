//! `/me`: the caller's own account — read, rename, change password, delete, export.

pub mod consent;
pub mod email_change;
pub mod email_verification;
pub mod model;
pub mod routes;
pub mod service;
