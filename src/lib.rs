//! studytrack: a JSON REST API for interview-prep study tracks.
//!
//! The binary (`src/main.rs`) only parses the command line; everything else lives here
//! so the integration tests in `tests/` drive the same server users get.

pub mod account;
pub mod admin;
pub mod annotations;
pub mod app;
pub mod auth;
pub mod cache;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod content;
pub mod db;
pub mod error;
pub mod feed;
pub mod interview;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod offline;
pub mod openapi;
pub mod optimizer;
pub mod pagination;
pub mod plan;
pub mod preview;
pub mod profile;
pub mod progress;
pub mod proxy;
pub mod quiz;
pub mod reminders;
pub mod replica;
pub mod request_context;
pub mod review;
pub mod routes;
pub mod secret;
pub mod security;
pub mod slug;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod web;
pub mod webhooks;
pub mod wire;
pub mod xapi;
