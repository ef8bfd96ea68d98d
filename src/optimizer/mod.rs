//! A scheduler tuned to each learner: fit FSRS parameters to their own review log in a
//! background job, report the fit before and after, and let them apply the result.

pub mod fit;
pub mod model;
pub mod routes;
pub mod service;
pub mod store;
pub mod worker;
