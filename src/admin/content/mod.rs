//! Editing content one entity at a time (admin): read with an ETag, create, update
//! with `If-Match`, retire and restore. Every write builds a bundle and goes through
//! the same validation and upsert as the seed command, inside one transaction holding
//! the content lock, and is recorded in the audit log.

mod docs;
pub mod model;
pub mod routes;
pub mod service;
pub mod store;

pub use model::{ContentDoc, ContentEntity, ContentKind};
