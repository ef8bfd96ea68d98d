//! A plan to the interview date: goals per track, today's agenda within the day's
//! minutes, and the readiness forecast with what to change to reach a target.

pub mod agenda;
pub mod forecast;
pub mod model;
pub mod routes;
pub mod service;
pub mod store;
