//! Mock interviews: questions answered cold, then the model answer and the rubric,
//! then a self-grade per rubric point; and a learner's past cold answers.

pub mod model;
pub mod routes;
pub mod service;
pub mod store;
