//! Quizzes for cold-answer practice: attempts drawn from a scope with a bias toward
//! weak and unseen items, snapshotted, and graded by the server.

pub mod grading;
pub mod model;
pub mod routes;
mod schema;
pub mod store;
