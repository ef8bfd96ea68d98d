//! The password policy: length, the common-password list, not the email address.
//! Hashing is infrastructure below every domain (`crate::security::hashing`).

use std::collections::HashSet;
use std::sync::LazyLock;

pub const MIN_CHARS: usize = 8;
/// Long enough for any passphrase, short enough that hashing it costs nothing extra.
pub const MAX_BYTES: usize = 1024;

/// The shipped list of common passwords (`data/common-passwords.txt`), lower-cased.
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_lowercase)
        .collect()
});

/// Checks a new password against the policy; `Err` is the message for the client.
pub fn check_policy(password: &str, email: &str) -> Result<(), String> {
    if password.len() > MAX_BYTES {
        return Err(format!("must be at most {MAX_BYTES} bytes"));
    }
    if password.chars().count() < MIN_CHARS {
        return Err(format!("must be at least {MIN_CHARS} characters"));
    }
    if password.contains('\0') {
        return Err("must not contain NUL characters".to_owned());
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower) {
        return Err("is one of the most commonly used passwords; choose another".to_owned());
    }
    if !email.is_empty() && lower == email.to_lowercase() {
        return Err("must not be your email address".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(check_policy("short", "a@b.co").is_err());
        assert!(check_policy("password1", "a@b.co").is_err(), "common passwords are refused");
        assert!(check_policy("PASSWORD1", "a@b.co").is_err(), "case-insensitively");
        assert!(check_policy(&"x".repeat(1025), "a@b.co").is_err());
        assert!(check_policy(&"long passphrase ".repeat(64), "a@b.co").is_ok(), "1024 bytes are allowed");
        assert!(check_policy("ann@example.com", "ann@example.com").is_err());
        assert!(check_policy("tangerine-orbit-42", "a@b.co").is_ok());
        assert!(check_policy("ünïcödé-pässwörd", "a@b.co").is_ok());
    }

    #[test]
    fn the_common_list_is_large() {
        assert!(COMMON.len() >= 10_000, "only {} common passwords", COMMON.len());
    }
}
