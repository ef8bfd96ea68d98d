//! Slugs: the keys content is addressed by in URLs and seed files. A leaf, so every
//! layer may use it. A [`Slug`] is parsed once where a key enters (a path segment, a
//! query filter); the services and stores below take it as it is, and a string that
//! cannot be a slug never reaches them (nor PostgreSQL, nor a cache key).

use std::fmt;
use std::ops::Deref;

/// True for `lowercase-words-and-digits` up to 80 characters.
pub fn is_slug(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 80
        && value
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A string known to be a slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// `None` when `value` cannot be a slug (callers answer as for an unknown key).
    pub fn parse(value: &str) -> Option<Slug> {
        is_slug(value).then(|| Slug(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Slug {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_slugs_parse() {
        assert_eq!(Slug::parse("fundamentals").map(|s| s.to_string()), Some("fundamentals".to_owned()));
        assert_eq!(Slug::parse("python-3").as_deref(), Some("python-3"));
        for bad in ["", "A", "a--b", "-a", "a-", "a_b", "é", "a\0", &"a".repeat(81)] {
            assert!(Slug::parse(bad).is_none(), "{bad:?}");
        }
    }
}
