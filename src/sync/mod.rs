//! Offline-first sync: a batch of what a device recorded offline, applied at once with
//! one result per event.

pub mod model;
pub mod routes;
pub mod service;
