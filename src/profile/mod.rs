//! Opt-in public profiles: a learner picks a handle and may make their track fills and
//! streak public, as JSON and as an SVG progress card for a README.
//!
//! Private is the default and a private profile is indistinguishable from a missing
//! one (404). What a public profile shows is deliberately small: handle, display name
//! only when chosen, per-track and per-stage fills, current streak. Never the email,
//! quiz results, flashcards or the activity calendar.

pub mod card;
pub mod docs;
pub mod model;
pub mod routes;
pub mod store;
