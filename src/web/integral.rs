//! Integer fields that also accept integral JSON numbers such as `10.0`.
//!
//! The OpenAPI document is 3.1, whose JSON Schema counts any number with a zero
//! fractional part as an `integer`: `{"size": 10.0}` is valid against the published
//! schema, and some clients (JavaScript's `JSON.stringify` of a computed float, Python's
//! `json.dumps(10.0)`, schema fuzzers) send exactly that. serde refuses a float for an
//! integer field, so the server would reject a schema-valid request. These helpers, used
//! with `#[serde(deserialize_with = ...)]` on request fields, accept an integer or an
//! integral float inside the target type's range and refuse everything else (`10.5`,
//! `1e300`, `NaN`) with serde's usual "invalid type/value" error, i.e. a 422.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// An integer of type `T` read from an integer or an integral float.
struct Integral<T>(T);

impl<'de, T: TryFrom<i64> + TryFrom<u64>> Deserialize<'de> for Integral<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_i64` hands whatever number is there (integer or float) to the
        // visitor in serde_json and toml; it does not coerce or fail early.
        deserializer.deserialize_i64(IntegralVisitor(PhantomData)).map(Integral)
    }
}

struct IntegralVisitor<T>(PhantomData<T>);

impl<T: TryFrom<i64> + TryFrom<u64>> Visitor<'_> for IntegralVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&format!("an integer that fits in {}", std::any::type_name::<T>()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        // 2^63 is exactly representable; every integral float strictly inside
        // (-2^63 - 1, 2^63) converts to i64 without loss.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if v.is_finite() && v.fract() == 0.0 && (-LIMIT..LIMIT).contains(&v) {
            // Checked above: integral and in range, so the cast is exact.
            return self.visit_i64(v as i64);
        }
        Err(E::invalid_type(de::Unexpected::Float(v), &self))
    }
}

/// For `T` fields: `#[serde(deserialize_with = "crate::web::integral::int")]`.
pub fn int<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    Integral::deserialize(deserializer).map(|i| i.0)
}

/// For `Option<T>` fields; pair with `#[serde(default)]` so a missing field is `None`.
pub fn opt<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    Option::<Integral<T>>::deserialize(deserializer).map(|o| o.map(|i| i.0))
}

/// For `Vec<T>` fields.
pub fn vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64>,
{
    Vec::<Integral<T>>::deserialize(deserializer).map(|v| v.into_iter().map(|i| i.0).collect())
}

/// For `Vec<T>` fields the schema declares a set (`uniqueItems`): a repeated value is a
/// malformed body, refused with the rest of it.
pub fn distinct_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + TryFrom<u64> + PartialEq,
{
    let values = vec(deserializer)?;
    if values.iter().enumerate().any(|(i, v)| values[..i].contains(v)) {
        return Err(serde::de::Error::custom("the values must be distinct"));
    }
    Ok(values)
}

/// For the option indices of an answer: a set (`uniqueItems`) of `int32` values from
/// 0, as the schema states; anything else refuses the body.
pub fn option_indices<'de, D>(deserializer: D) -> Result<Vec<u32>, D::Error>
where
    D: Deserializer<'de>,
{
    let values: Vec<u32> = distinct_vec(deserializer)?;
    if values.iter().any(|v| i32::try_from(*v).is_err()) {
        return Err(serde::de::Error::custom("an index is out of range"));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sample {
        #[serde(deserialize_with = "super::int")]
        size: i32,
        #[serde(default, deserialize_with = "super::opt")]
        limit: Option<i64>,
        #[serde(default, deserialize_with = "super::vec")]
        picks: Vec<i32>,
    }

    fn parse(json: &str) -> Result<Sample, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_and_integral_floats_are_the_same_value() {
        let plain = parse(r#"{"size": 10, "limit": 3, "picks": [0, 2]}"#).unwrap();
        let floats = parse(r#"{"size": 10.0, "limit": 3.0, "picks": [0.0, 2e0]}"#).unwrap();
        assert_eq!(plain, floats);
        assert_eq!(plain, Sample { size: 10, limit: Some(3), picks: vec![0, 2] });
        assert_eq!(parse(r#"{"size": -0.0}"#).unwrap().size, 0);
    }

    #[test]
    fn missing_and_null_options_are_none() {
        assert_eq!(parse(r#"{"size": 1}"#).unwrap().limit, None);
        assert_eq!(parse(r#"{"size": 1, "limit": null}"#).unwrap().limit, None);
    }

    #[test]
    fn fractions_overflow_and_other_types_are_refused() {
        for bad in [
            r#"{"size": 10.5}"#,
            r#"{"size": 1e300}"#,
            r#"{"size": 2147483648}"#,
            r#"{"size": 2147483648.0}"#,
            r#"{"size": "10"}"#,
            r#"{"size": true}"#,
            r#"{"size": 1, "limit": 9223372036854775808.0}"#,
            r#"{"size": 1, "picks": [0.5]}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn toml_seed_files_read_the_same_way() {
        let sample: Sample = toml::from_str("size = 4\nlimit = 2.0\npicks = [1]").unwrap();
        assert_eq!(sample, Sample { size: 4, limit: Some(2), picks: vec![1] });
    }
}
