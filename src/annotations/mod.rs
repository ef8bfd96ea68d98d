//! A learner's own notes (Markdown) and bookmarks ("revisit this") on topics and
//! questions.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
