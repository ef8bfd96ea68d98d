//! Quizzes for cold-answer practice: attempts drawn from a scope with a bias toward
//! weak and unseen items, snapshotted, and graded by the server.

mod docs;
pub mod grading;
pub mod model;
pub mod offline;
pub mod routes;
pub mod service;
pub mod store;
