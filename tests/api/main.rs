//! Black-box tests: the real server on port 0, a real PostgreSQL database per test
//! (`#[sqlx::test]` creates, migrates and drops it), requests over HTTP.

mod admin;
mod annotations;
mod attack;
mod auth;
mod cache;
mod catalog;
mod editorial;
mod errors;
mod feed;
mod health;
mod helpers;
mod hostile;
mod hygiene;
mod interviews;
mod limits;
mod mail;
#[path = "../support/nginx.rs"]
mod nginx;
mod offline;
mod openapi;
mod optimizer;
mod pagination;
mod plan;
mod profiles;
mod progress;
mod properties;
mod proxy;
mod quizzes;
mod registration;
mod reminders;
mod reviews;
mod seed;
mod smtp;
mod sync;
mod verification;
mod webhooks;
mod xapi;
