//! Study reminders: a learner who opts in gets one short mail a day at a local hour
//! of their choosing (cards due, the streak at risk, the next topic), and every client
//! can read the same summary from `GET /me/summary`.
//!
//! The scheduler runs on every instance; the `reminder_sent` key (learner, local date)
//! makes "at most one a day" hold across instances and restarts, and looking for every
//! learner whose hour has passed (not only those whose hour is now) means a reminder
//! delayed by a restart still goes out later that day.

pub mod model;
pub mod routes;
pub mod scheduler;
pub mod store;
pub mod summary;
pub mod unsubscribe;
