//! Email addresses, parsed once at the edge.
//!
//! Uniqueness uses the NFKC-normalised, lower-cased form, so `Ann@Example.com` and
//! full-width look-alikes of the same address cannot open a second account.

use unicode_normalization::UnicodeNormalization;

/// Longest address accepted (RFC 5321 path limit).
pub const MAX_LEN: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// As the user typed it, trimmed (for display).
    pub display: String,
    /// The comparison key.
    pub normalized: String,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let display = raw.trim();
        if display.is_empty() {
            return Err("is required");
        }
        if display.len() > MAX_LEN {
            return Err("must be at most 254 characters");
        }
        if display.chars().any(char::is_control) {
            return Err("must not contain control characters");
        }
        let normalized = normalize(display);
        if normalized.len() > MAX_LEN || !email_address::EmailAddress::is_valid(&normalized) {
            return Err("is not a valid email address");
        }
        let domain = normalized.rsplit('@').next().unwrap_or_default();
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err("is not a valid email address");
        }
        Ok(Email { display: display.to_owned(), normalized })
    }
}

/// NFKC then lower case: folds compatibility look-alikes (full-width letters, ligatures).
pub fn normalize(raw: &str) -> String {
    raw.trim().nfkc().collect::<String>().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_normalise() {
        let e = Email::parse("  Ann.Lee@Example.COM ").unwrap();
        assert_eq!(e.display, "Ann.Lee@Example.COM");
        assert_eq!(e.normalized, "ann.lee@example.com");
    }

    #[test]
    fn full_width_look_alikes_fold_to_the_same_key() {
        let a = Email::parse("ann@example.com").unwrap();
        let b = Email::parse("ａｎｎ@ｅｘａｍｐｌｅ.ｃｏｍ").unwrap();
        assert_eq!(a.normalized, b.normalized);
    }

    #[test]
    fn invalid_addresses() {
        for bad in [
            "",
            "   ",
            "no-at-sign",
            "a@b",
            "@example.com",
            "a@.com",
            "a\0b@example.com",
            &format!("{}@example.com", "a".repeat(300)),
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
