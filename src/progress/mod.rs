//! Per-user progress: marks on questions and topics, the filled-in roadmap, what to
//! study next, soft spots and the daily activity record.

pub mod activity;
pub mod fill;
pub mod model;
pub mod routes;
pub mod service;
pub mod soft_spots;
pub mod store;
pub mod verification;
