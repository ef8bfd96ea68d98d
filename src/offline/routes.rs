//! The offline-copy handler.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::model::TrackBundle;
use super::service;
use crate::catalog::service::track_slug;
use crate::error::ApiError;
use crate::openapi::responses::{NotFound, NotModified, Unauthorized};
use crate::preview::{self, Preview, PreviewParams};
use crate::state::AppState;
use crate::web::etag;

/// Download a whole track for offline study.
///
/// The roadmap, every topic with its questions and full answers, its flashcards, its
/// quiz items (without answers: practice offline and send the choices through
/// `POST /me/sync` as `quiz_submission` events) and its article links, in one
/// document. Made once per content change and kept compressed: send
/// `Accept-Encoding: br` (or `gzip`) to receive it that way, and `If-None-Match` with
/// the ETag to get a 304 when nothing changed. Each coding has its own ETag. Keep
/// `changes_cursor` to follow later changes through `GET /tracks/{track}/changes`
/// instead of downloading the copy again.
#[utoipa::path(
    tag = "catalog",
    operation_id = "get_track_bundle",
    security(()),
    params(
        ("track" = String, Path, description = "Track slug, e.g. `python`.", example = "python"),
        PreviewParams,
        ("Preview-Token" = Option<String>, Header, description = "A preview token; see `preview`"),
    ),
    responses(
        (status = 401, response = inline(Unauthorized)),
        (status = 200, description = "The track's offline copy", body = TrackBundle,
         headers(("ETag" = String, description = "Strong tag of the representation sent (per coding)"),
                 ("Content-Encoding" = String, description = "`br` or `gzip` when the body is compressed"))),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/bundle")]
pub async fn get_track_bundle(
    req: HttpRequest,
    state: web::Data<AppState>,
    track: web::Path<String>,
    preview: Preview,
) -> Result<HttpResponse, ApiError> {
    let track = track_slug(&track)?;
    if let Some(mut tx) = preview.0 {
        let bundle = service::preview(&mut tx, &track, state.clock.now()).await?;
        tx.rollback().await?;
        return Ok(preview::respond(&bundle));
    }
    let rendered = service::bundle(&state, &track).await?;
    Ok(etag::cached(&req, &rendered))
}
