//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//!
//! Every handler returns `Result<_, ApiError>`, and the extractor error handlers in
//! [`crate::web::extractors`] map actix's own errors into it, so a client sees the same
//! shape for a bad query string as for a missing question. The taxonomy and the
//! problem document live here, free of actix; `crate::web::problem` renders them as a
//! response (and logs internal causes, which never reach the client).

use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input field, reported in `errors` of a validation problem.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({"field": "limit", "message": "must be between 1 and 100"}))]
pub struct FieldError {
    /// The offending field, parameter or JSON pointer.
    pub field: String,
    /// What is wrong with it, in words a developer can act on.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// The body of every error response (RFC 9457 problem details).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://studytrack.dev/problems/not-found",
    "title": "Not Found",
    "status": 404,
    "detail": "no track with slug 'cobol'"
}))]
pub struct Problem {
    /// A URI naming the problem class; stable, safe to switch on.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short, human-readable summary of the problem class.
    pub title: String,
    /// The HTTP status code, repeated for convenience (always an error: 4xx or 5xx).
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// Per-field problems, present on validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub errors: Vec<FieldError>,
}

/// Marks a response as "the database could not be reached" for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseUnavailable;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{method} is not allowed here")]
    MethodNotAllowed { method: String, allow: Vec<String> },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Validation { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("too many attempts; retry in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("the database is unavailable")]
    Unavailable,
    /// The database refused this attempt for a reason that passes (a statement
    /// timeout, a serialization failure, a deadlock): the same request may succeed
    /// when retried.
    #[error("the database could not complete the request in time; retry shortly")]
    Busy,
    #[error("the request took longer than {0} ms and was cancelled; retry later")]
    TimedOut(u128),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Unavailable | ApiError::Busy | ApiError::TimedOut(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A 422 for a single bad field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        ApiError::Validation { detail: format!("{}: {}", error.field, error.message), errors: vec![error] }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Validation { .. } => "validation",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::PreconditionRequired(_) => "precondition-required",
            ApiError::Unavailable => "unavailable",
            ApiError::Busy => "busy",
            ApiError::TimedOut(_) => "timeout",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The problem document sent to the client (never the internal cause).
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let detail = match self {
            ApiError::Internal(_) => match crate::request_context::current() {
                Some(id) => format!("an unexpected error occurred; it has been logged with request id {id}"),
                None => "an unexpected error occurred; it has been logged".to_owned(),
            },
            ApiError::Unavailable => "the service cannot reach its database; retry shortly".to_owned(),
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation { errors, .. } => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            problem_type: format!("https://studytrack.dev/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            return ApiError::Unavailable;
        }
        let (code, constraint) = match &err {
            sqlx::Error::Database(db) => (db.code().map(|c| c.into_owned()), db.constraint().map(str::to_owned)),
            _ => (None, None),
        };
        if code.as_deref().is_some_and(is_transient) {
            tracing::warn!(error = %err, "transient database error");
            return ApiError::Busy;
        }
        // A NUL character is the one value PostgreSQL refuses in any text column, and
        // only a client can put one in a request.
        if code.as_deref() == Some("22021") {
            return ApiError::invalid("body", "text must not contain NUL (\\u0000) characters");
        }
        // Constraint violations a client can cause are named; any other one is a bug in
        // the server (validation should have refused the input first), so it is a
        // logged 500 rather than a 4xx that blames the client.
        if let Some(mapped) = constraint.as_deref().and_then(client_constraint) {
            tracing::info!(constraint = constraint.as_deref(), "constraint refused a client's write");
            return mapped;
        }
        ApiError::Internal(err.into())
    }
}

/// SQLSTATEs that mean "try again": 57014 statement timeout or cancel, 40001
/// serialization failure, 40P01 deadlock, 55P03 lock not available.
fn is_transient(code: &str) -> bool {
    matches!(code, "57014" | "40001" | "40P01" | "55P03")
}

/// The answer to a violated constraint that a client's input can trip, by name.
fn client_constraint(name: &str) -> Option<ApiError> {
    let conflict = |what: &str| Some(ApiError::Conflict(what.to_owned()));
    match name {
        "app_user_email_normalized_key" => conflict("an account with this email already exists"),
        "profile_handle_key" => conflict("this handle is taken"),
        _ => None,
    }
}

/// Errors that mean "the database cannot be reached right now" rather than a bug:
/// answered with 503 so clients and load balancers retry instead of giving up, and
/// the reason a read on the replica is retried on the primary.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now,
            // 53300 too many connections, 08xxx connection exceptions.
            db.code()
                .is_some_and(|c| matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300") || c.starts_with("08"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::http::header;

    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::Internal(anyhow::anyhow!("relation \"secret_table\" does not exist"));
        let body = serde_json::to_string(&err.problem()).unwrap();
        assert!(!body.contains("secret_table"), "internal cause leaked: {body}");
        assert_eq!(err.problem().status, 500);
    }

    #[test]
    fn validation_lists_fields() {
        let problem = ApiError::invalid("limit", "must be between 1 and 100").problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors, vec![FieldError::new("limit", "must be between 1 and 100")]);
    }

    #[test]
    fn pool_timeout_is_503() {
        assert!(matches!(ApiError::from(sqlx::Error::PoolTimedOut), ApiError::Unavailable));
    }

    #[test]
    fn broken_connections_are_503_not_500() {
        use std::io::{Error, ErrorKind};
        for kind in
            [ErrorKind::ConnectionReset, ErrorKind::BrokenPipe, ErrorKind::UnexpectedEof, ErrorKind::ConnectionRefused]
        {
            let err = ApiError::from(sqlx::Error::Io(Error::new(kind, "gone")));
            assert!(matches!(err, ApiError::Unavailable), "{kind:?} gave {err:?}");
        }
        assert!(matches!(ApiError::from(sqlx::Error::PoolClosed), ApiError::Unavailable));
    }

    /// A database error with a SQLSTATE and (optionally) a constraint name, as the
    /// driver reports it.
    #[derive(Debug)]
    struct FakeDbError {
        code: &'static str,
        constraint: Option<&'static str>,
    }

    impl std::fmt::Display for FakeDbError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "database error {}", self.code)
        }
    }

    impl std::error::Error for FakeDbError {}

    impl sqlx::error::DatabaseError for FakeDbError {
        fn message(&self) -> &str {
            "fake"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.code.into())
        }
        fn constraint(&self) -> Option<&str> {
            self.constraint
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn db_error(code: &'static str, constraint: Option<&'static str>) -> ApiError {
        ApiError::from(sqlx::Error::Database(Box::new(FakeDbError { code, constraint })))
    }

    #[test]
    fn database_errors_are_classed_by_cause() {
        // Transient: 503 with Retry-After, the client should simply retry.
        for code in ["57014", "40001", "40P01", "55P03"] {
            let err = db_error(code, None);
            assert!(matches!(err, ApiError::Busy), "{code} gave {err:?}");
            let res = err.error_response();
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "1");
        }
        // Connection trouble: 503 and counted as an outage.
        for code in ["57P01", "08006", "53300"] {
            assert!(matches!(db_error(code, None), ApiError::Unavailable), "{code}");
        }
        // A constraint a client can trip, by name: 409.
        assert!(matches!(db_error("23505", Some("profile_handle_key")), ApiError::Conflict(_)));
        // Any other violation is the server's bug: 500, not a 4xx blaming the client.
        for (code, constraint) in
            [("23505", Some("some_other_key")), ("23503", Some("x_fkey")), ("23514", None), ("22P02", None)]
        {
            let err = db_error(code, constraint);
            assert!(matches!(err, ApiError::Internal(_)), "{code} {constraint:?} gave {err:?}");
        }
        // NUL in text can only come from a client.
        assert!(matches!(db_error("22021", None), ApiError::Validation { .. }));
    }
}
