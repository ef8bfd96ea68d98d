//! The learner's change feed: everything that changed in their own state since a
//! cursor, in an order no late commit can slip behind, for clients that sync.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
