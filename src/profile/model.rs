//! The handle newtype, and the request and response bodies of the profile endpoints.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::progress::model::Fill;

/// Handles nobody may take: names of the service's own paths and names a reader would
/// take for an official account.
const RESERVED: [&str; 24] = [
    "me",
    "admin",
    "administrator",
    "api",
    "root",
    "system",
    "support",
    "help",
    "staff",
    "moderator",
    "official",
    "studytrack",
    "profiles",
    "profile",
    "settings",
    "login",
    "logout",
    "register",
    "docs",
    "health",
    "metrics",
    "demo",
    "null",
    "undefined",
];

/// A public handle in its canonical form: 3 to 30 of `a-z`, `0-9`, `-`, `_`, starting
/// with a letter or digit, not reserved. Input is trimmed and lower-cased (ASCII only)
/// first, so `Ann` and `ann` are the same handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle(String);

impl Handle {
    pub const MIN: usize = 3;
    pub const MAX: usize = 30;

    /// The handle, or why it cannot be one (a message for the 422).
    pub fn parse(raw: &str) -> Result<Handle, &'static str> {
        let handle = raw.trim().to_ascii_lowercase();
        if !handle.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return Err("may only hold letters a-z, digits, '-' and '_'");
        }
        // ASCII from here on, so bytes are characters.
        if !(Self::MIN..=Self::MAX).contains(&handle.len()) {
            return Err("must be 3 to 30 characters long");
        }
        if !handle.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("must start with a letter or a digit");
        }
        if RESERVED.contains(&handle.as_str()) {
            return Err("is reserved; choose another");
        }
        Ok(Handle(handle))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who can see the profile.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Nobody but the owner; `GET /profiles/{handle}` answers 404.
    #[default]
    Private,
    /// Anyone with the handle, without signing in.
    Public,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Public => "public",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "private" => Some(Visibility::Private),
            "public" => Some(Visibility::Public),
            _ => None,
        }
    }
}

/// The whole profile setting. Omitted fields take their defaults (`private`, name
/// hidden), so a PUT can never publish anything by accident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"handle": "ann-lee", "visibility": "public", "show_display_name": false}))]
pub struct SetProfile {
    /// 3 to 30 of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit; sent in any
    /// case and stored lower-cased. Unique regardless of case; some names are reserved.
    #[schema(min_length = 3, max_length = 30, pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{2,29}$", example = "ann-lee")]
    pub handle: String,
    /// Default `private`.
    #[serde(default)]
    pub visibility: Visibility,
    /// Whether the public profile and cards show the account's display name. Default
    /// false: the handle alone identifies the learner.
    #[serde(default)]
    pub show_display_name: bool,
}

/// The caller's profile setting.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "handle": "ann-lee", "visibility": "public", "show_display_name": false,
    "url": "/api/v1/profiles/ann-lee"
}))]
pub struct MyProfile {
    /// Null until the learner picks one.
    #[schema(required)]
    pub handle: Option<String>,
    pub visibility: Visibility,
    pub show_display_name: bool,
    /// Where the public profile lives (404 to others while private); null without a
    /// handle. Cards are at `{url}/tracks/{track}/card.svg`.
    #[schema(required)]
    pub url: Option<String>,
}

/// One stage's fill on a public profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"slug": "foundations", "title": "Foundations", "fill": 0.5, "percent": 50}))]
pub struct PublicStage {
    pub slug: String,
    pub title: String,
    #[serde(flatten)]
    pub fill: Fill,
}

/// One started track on a public profile: the same fills as the owner's
/// `GET /me/tracks/{track}/progress`, without the per-topic detail.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "slug": "python", "title": "Python", "fill": 0.3125, "percent": 31,
    "stages": [{"slug": "foundations", "title": "Foundations", "fill": 0.625, "percent": 62},
               {"slug": "advanced", "title": "Advanced", "fill": 0.0, "percent": 0}],
    "card_url": "/api/v1/profiles/ann-lee/tracks/python/card.svg"
}))]
pub struct PublicTrack {
    pub slug: String,
    pub title: String,
    /// The track's overall fill (core topics plus started electives).
    #[serde(flatten)]
    pub fill: Fill,
    /// Stages in roadmap order.
    pub stages: Vec<PublicStage>,
    /// The SVG progress card of this track.
    pub card_url: String,
}

/// What anyone can see of a learner who made their profile public. Never the email,
/// quiz results, flashcards or the activity calendar.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "handle": "ann-lee", "display_name": null, "current_streak": 4,
    "tracks": [{
        "slug": "python", "title": "Python", "fill": 0.3125, "percent": 31,
        "stages": [{"slug": "foundations", "title": "Foundations", "fill": 0.625, "percent": 62},
                   {"slug": "advanced", "title": "Advanced", "fill": 0.0, "percent": 0}],
        "card_url": "/api/v1/profiles/ann-lee/tracks/python/card.svg"
    }]
}))]
pub struct PublicProfile {
    pub handle: String,
    /// Null unless the learner chose to show it.
    #[schema(required)]
    pub display_name: Option<String>,
    /// Consecutive active days up to today or yesterday, in the learner's time zone.
    pub current_streak: i64,
    /// Tracks the learner has started (any question or topic marked), by title.
    pub tracks: Vec<PublicTrack>,
}

pub fn profile_url(handle: &str) -> String {
    format!("/api/v1/profiles/{handle}")
}

pub fn card_url(handle: &str, track: &str) -> String {
    format!("/api/v1/profiles/{handle}/tracks/{track}/card.svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_canonical_lower_case() {
        assert_eq!(Handle::parse("Ann_Lee-42").unwrap().as_str(), "ann_lee-42");
        assert_eq!(Handle::parse("  abc ").unwrap().as_str(), "abc");
        assert_eq!(Handle::parse("9lives").unwrap().as_str(), "9lives");
        assert!(Handle::parse(&"a".repeat(30)).is_ok());
    }

    #[test]
    fn malformed_handles_are_refused() {
        for bad in ["ab", "", &"a".repeat(31), "ann lee", "ann!", "änn", "ann.lee", "-ann", "_ann", "ann/x", "a\u{0}b"]
        {
            assert!(Handle::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn reserved_handles_are_refused_in_any_case() {
        for reserved in ["admin", "API", "Studytrack", "profiles"] {
            assert_eq!(Handle::parse(reserved), Err("is reserved; choose another"), "{reserved}");
        }
    }
}
