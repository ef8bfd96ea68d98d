//! Accounts and authentication: password policy and hashing, JWT access tokens with
//! rotating refresh tokens, login throttling, and the extractors every protected
//! handler uses.

pub mod access;
pub mod api_tokens;
pub mod email;
pub mod extractor;
pub mod mailed_link;
pub mod model;
pub mod password;
pub mod pending;
pub mod prune;
pub mod recovery;
pub mod registration;
pub mod routes;
pub mod service;
pub mod store;
pub mod throttle;

pub use extractor::{AdminUser, AuthUser, MaybeUser};
pub use model::Role;
