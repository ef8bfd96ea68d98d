//! The offline copy of a track: everything a mobile app needs to study a track with
//! the network off, in one cached, pre-compressed response, with the content-feed
//! cursor that keeps the copy current afterwards.

pub mod model;
pub mod routes;
mod service;
mod store;
