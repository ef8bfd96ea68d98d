//! The editorial endpoints, one file per resource: drafts, revisions, change sets and
//! preview tokens. Each handler extracts, calls the use case and answers (with the
//! draft's ETag where there is one).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::admin::editorial::model::Draft;

mod changesets;
mod drafts;
mod previews;
mod revisions;

pub use changesets::*;
pub use drafts::*;
pub use previews::*;
pub use revisions::*;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    id: Uuid,
}

fn if_match(req: &HttpRequest) -> Option<&str> {
    req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

/// A draft with its ETag, never stored by a cache.
fn draft_response(status: StatusCode, (draft, tag): (Draft, String)) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(draft)
}
