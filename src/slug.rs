//! Slugs: the keys content is addressed by in URLs and seed files. A leaf, so every
//! layer that reads a slug from a request can check it without depending on the
//! content loader.

/// True for `lowercase-words-and-digits` up to 80 characters.
pub fn is_slug(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 80
        && value
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}
