//! Turns actix's extractor failures (bad JSON, bad query, bad path, wrong media type,
//! oversized body) into the same problem+json as every other error.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};

use crate::error::ApiError;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(move |err, _req: &HttpRequest| json_error(err, limit).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| query_error(&err).into())
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| path_error(&err).into())
}

pub fn json_error(err: JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("the request body must be JSON (Content-Type: application/json)".to_owned())
        }
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge(format!("the request body is larger than the limit of {limit} bytes"))
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let message = e.to_string();
            let field = unknown_field(&message)
                .or_else(|| missing_field(&message))
                .unwrap_or_else(|| format!("line {} column {}", e.line(), e.column()));
            ApiError::Validation {
                detail: format!("the JSON body is invalid: {message}"),
                errors: vec![crate::error::FieldError::new(field, message)],
            }
        }
        JsonPayloadError::Deserialize(e) => ApiError::BadRequest(format!("the request body is not valid JSON: {e}")),
        JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow) => {
            ApiError::PayloadTooLarge(format!("the request body is larger than the limit of {limit} bytes"))
        }
        other => ApiError::BadRequest(format!("the request body could not be read: {other}")),
    }
}

/// The field named by serde's "unknown field `x`" message.
fn unknown_field(message: &str) -> Option<String> {
    message.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next()).map(str::to_owned)
}

/// The field named by serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<String> {
    message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()).map(str::to_owned)
}

fn query_error(err: &QueryPayloadError) -> ApiError {
    match err {
        QueryPayloadError::Deserialize(e) => ApiError::BadRequest(format!("invalid query string: {e}")),
        other => ApiError::BadRequest(format!("invalid query string: {other}")),
    }
}

fn path_error(err: &PathError) -> ApiError {
    match err {
        PathError::Deserialize(e) => ApiError::BadRequest(format!("invalid path parameter: {e}")),
        other => ApiError::BadRequest(format!("invalid path parameter: {other}")),
    }
}
