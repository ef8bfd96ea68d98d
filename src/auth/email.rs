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
        if display.chars().any(is_invisible) {
            return Err("must not contain invisible or direction-changing characters");
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

/// Characters that render as nothing (or reorder what follows) and that NFKC keeps:
/// Unicode's default-ignorable code points and the bidirectional controls. In an
/// address they only serve to make a second account that looks exactly like someone
/// else's (`ann\u{200B}@example.com` shows as `ann@example.com`).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
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
    fn invisible_characters_cannot_make_a_look_alike() {
        for bad in [
            "an\u{200B}n@example.com",
            "ann\u{200D}@example.com",
            "\u{FEFF}ann@example.com",
            "ann@exam\u{AD}ple.com",
            "\u{202E}moc.elpmaxe@nna",
            "ann\u{2060}@example.com",
            "ann\u{FE0F}@example.com",
            "ann\u{E0041}@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
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
