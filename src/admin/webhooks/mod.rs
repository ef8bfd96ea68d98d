//! `/admin/webhooks`: endpoints, their secrets and their deliveries. The sending side
//! lives in [`crate::webhooks`].

pub mod routes;
mod service;
