//! Previews on the public reads: a request carrying a preview token (`?preview=` or the
//! `Preview-Token` header) is answered from a transaction in which the drafts the token
//! covers are applied, never from the cache, and `private, no-store`.
//!
//! The drafts and their engine belong to the admin side (`admin::editorial`), which the
//! read side must not depend on; the app registers the hook that opens a preview
//! ([`PreviewHook`]) and the reads only see a transaction.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use futures_util::future::BoxFuture;
use sqlx::{PgPool, Postgres, Transaction};
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::state::AppState;

/// The header that carries a preview token.
pub const HEADER: &str = "preview-token";

/// Opens a preview: (pool, token, now) to a transaction holding the token's drafts, or
/// 401 when the token is invalid, revoked or expired.
pub type OpenPreview = dyn Fn(PgPool, String, OffsetDateTime) -> BoxFuture<'static, Result<Transaction<'static, Postgres>, ApiError>>
    + Send
    + Sync;

/// The registered way to open a preview (app data).
#[derive(Clone)]
pub struct PreviewHook(pub Arc<OpenPreview>);

/// The preview a public read was asked for, documented on each read that takes one.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewParams {
    /// A preview token (`stp_…`, from `POST /api/v1/admin/preview-tokens`): answer with
    /// the drafts it covers applied, as publishing would, `Cache-Control: private,
    /// no-store`. 401 when the token is invalid, revoked or expired. The header
    /// `Preview-Token` does the same and keeps the token out of URLs and logs.
    #[param(max_length = 100)]
    pub preview: Option<String>,
}

/// A public read's preview: the transaction to read from, or `None` without a token.
/// Dropping it rolls the drafts back.
pub struct Preview(pub Option<Transaction<'static, Postgres>>);

impl FromRequest for Preview {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let from_header = req.headers().get(HEADER).map(|v| v.to_str().map(str::to_owned));
        // Almost every read carries no preview: skip parsing the query string then.
        let query = req.query_string();
        let from_query = if query.contains("preview") {
            web::Query::<PreviewParams>::from_query(query).ok().and_then(|q| q.into_inner().preview)
        } else {
            None
        };
        if from_header.is_none() && from_query.is_none() {
            return Box::pin(std::future::ready(Ok(Preview(None))));
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let hook = req.app_data::<web::Data<PreviewHook>>().cloned();
        Box::pin(async move {
            let token = match from_header {
                Some(Ok(token)) => Some(token),
                Some(Err(_)) => return Err(ApiError::Unauthorized("the preview token is invalid".into())),
                None => from_query,
            };
            let Some(token) = token else { return Ok(Preview(None)) };
            let (Some(state), Some(hook)) = (state, hook) else {
                return Err(ApiError::Internal(anyhow::anyhow!("previews are not registered")));
            };
            let tx = (hook.0)(state.db.clone(), token.trim().to_owned(), state.clock.now()).await?;
            Ok(Preview(Some(tx)))
        })
    }
}

/// A preview read's answer: never stored by a shared cache, never revalidated.
pub fn respond<T: serde::Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::VARY, "Preview-Token"))
        .json(body)
}
