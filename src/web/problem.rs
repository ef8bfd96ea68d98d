//! How an [`ApiError`] goes out over HTTP: its status, the problem+json body, the
//! headers some statuses need (`Allow`, `Retry-After`, `WWW-Authenticate`), and the log
//! line of an internal cause.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

use crate::error::{ApiError, DatabaseUnavailable, PROBLEM_JSON};

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            ApiError::Unavailable => tracing::warn!("database unavailable"),
            ApiError::TimedOut(_) => tracing::warn!("request timed out"),
            _ => {}
        }
        let mut builder = HttpResponse::build(self.status());
        builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        builder.insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            ApiError::MethodNotAllowed { allow, .. } => {
                builder.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unavailable | ApiError::Busy | ApiError::TimedOut(_) => {
                builder.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::Unauthorized(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"studytrack\""));
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.max(&1).to_string()));
            }
            _ => {}
        }
        let mut res = builder.body(serde_json::to_vec(&self.problem()).unwrap_or_default());
        if matches!(self, ApiError::Unavailable) {
            res.extensions_mut().insert(DatabaseUnavailable);
        }
        res
    }
}
