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

/// A free-form JSON body (`web::Json<UniqueKeys>`) that refuses an object with the
/// same key twice, at any depth. `serde_json::Value` keeps the last of two equal keys,
/// while other parsers (a proxy, a WAF, a client library) may keep the first: a
/// request that means different things to different readers is refused instead (422),
/// as typed bodies already are by serde's "duplicate field" check.
#[derive(Debug)]
pub struct UniqueKeys(pub serde_json::Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            let UniqueKeys(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::UniqueKeys;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        let ok: UniqueKeys = serde_json::from_str(r#"{"a": [1, {"b": 2.5, "c": null}], "d": "x"}"#).unwrap();
        assert_eq!(ok.0, serde_json::json!({"a": [1, {"b": 2.5, "c": null}], "d": "x"}));
        for bad in [r#"{"a": 1, "a": 2}"#, r#"{"x": [{"b": 1, "b": 1}]}"#, r#"[{"k": {"z": 0, "z": 0}}]"#] {
            let err = serde_json::from_str::<UniqueKeys>(bad).unwrap_err();
            assert!(err.is_data() && err.to_string().contains("duplicate field"), "{bad}: {err}");
        }
    }
}
