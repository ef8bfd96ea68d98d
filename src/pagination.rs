//! Page size and opaque cursors shared by every list endpoint.
//!
//! A cursor is the sort key of the last item served, as base64url JSON: clients treat it
//! as an opaque string, the server decodes it back to typed values (a keyset), so pages
//! never skip or repeat rows however deep a client pages. A cursor that does not decode
//! is a 400, never a 500.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// Longest cursor accepted; real ones are far shorter.
const MAX_CURSOR_LEN: usize = 512;

/// Checks a requested page size: absent means the default; outside 1..=100 is a 422.
pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid("limit", format!("must be between 1 and {MAX_LIMIT}"))),
    }
}

pub fn encode<T: Serialize>(key: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The keyset to continue after: none for an absent or empty `cursor` (clients often
/// send `cursor=` for a null `next_cursor`), else the decoded cursor.
pub fn after<T: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<T>, ApiError> {
    cursor.filter(|c| !c.is_empty()).map(decode).transpose()
}

/// Decodes a cursor made by [`encode`]; anything else is a 400.
pub fn decode<T: DeserializeOwned>(cursor: &str) -> Result<T, ApiError> {
    let bad = || ApiError::BadRequest("cursor is not valid; use the next_cursor of a previous page".to_owned());
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).map_err(|_| bad())?;
    // No cursor the server makes holds a NUL; PostgreSQL would refuse it as text.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(bad());
    }
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// Trims `rows` (fetched with `limit + 1`) to `limit` and returns the cursor of the
/// last kept row when more exist: the one page-trimming rule of every list.
pub fn next_cursor<T>(rows: &mut Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(key)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(limit(None).unwrap(), 20);
        assert_eq!(limit(Some(1)).unwrap(), 1);
        assert_eq!(limit(Some(100)).unwrap(), 100);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
        assert!(limit(Some(-5)).is_err());
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = encode(&("abc", 3));
        assert_eq!(decode::<(String, i32)>(&c).unwrap(), ("abc".to_owned(), 3));
        assert!(decode::<(String, i32)>("!!!").is_err());
        assert!(decode::<(String, i32)>(&encode(&"wrong shape")).is_err());
        assert!(decode::<(String, i32)>(&"A".repeat(600)).is_err());
        assert!(decode::<(String, i32)>(&encode(&("a\0b", 1))).is_err(), "a NUL in a cursor is a 400, not a 422");
    }

    proptest::proptest! {
        /// Whatever a client sends as `cursor` or `limit` is a value or a 4xx, never a panic.
        #[test]
        fn any_cursor_decodes_or_is_a_400(cursor in proptest::prelude::any::<String>()) {
            if let Err(err) = decode::<(String, i64)>(&cursor) {
                proptest::prop_assert!(matches!(err, ApiError::BadRequest(_)), "{:?}", err);
            }
        }

        #[test]
        fn any_base64_cursor_decodes_or_is_a_400(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let cursor = URL_SAFE_NO_PAD.encode(&bytes);
            let _ = decode::<(time::OffsetDateTime, uuid::Uuid)>(&cursor);
        }

        #[test]
        fn any_limit_is_in_range_or_a_422(n in proptest::prelude::any::<i64>()) {
            match limit(Some(n)) {
                Ok(l) => proptest::prop_assert!((1..=MAX_LIMIT).contains(&l)),
                Err(err) => proptest::prop_assert!(matches!(err, ApiError::Validation { .. }), "{:?}", err),
            }
        }
    }
}
