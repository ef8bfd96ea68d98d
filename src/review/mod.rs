//! Flashcard reviews on a spaced-repetition schedule (FSRS, via the `fsrs` crate).

pub mod model;
pub mod routes;
pub mod schedule;
pub mod service;
pub mod store;
