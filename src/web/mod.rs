//! HTTP plumbing shared by every route: conditional responses, extractor error
//! mapping, the 404/405 fallback and the request-id header.

pub mod etag;
pub mod extractors;
pub mod fallback;
pub mod request_id;
