//! Webhooks: signed calls to URLs admins subscribe, for content changes and (with the
//! learner's consent) learning events.
//!
//! [`events`] queues a delivery per subscribed endpoint inside the transaction of the
//! change (an outbox: rolled back, nothing is sent; committed, nothing is lost);
//! [`delivery`] sends them from the shared job queue, signed per the Standard
//! Webhooks specification ([`signing`]), to URLs the [`target`] rule allows. The admin
//! API is under [`crate::admin::webhooks`].

pub mod delivery;
pub mod docs;
pub mod events;
pub mod model;
pub mod signing;
pub mod store;
pub mod target;
