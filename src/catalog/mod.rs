//! The public catalogue: tracks, roadmaps, topics, the question bank, flashcards and
//! articles, read-only and cacheable.

pub mod model;
pub mod roadmap;
pub mod routes;
pub mod service;
pub mod store;
pub mod views;
