//! Request and response bodies of the reminder and summary operations.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::catalog::model::SlugRef;

/// A day of the week, as the learner's time zone counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// The bit of the stored day set (Monday is bit 0, as ISO numbers days from 1).
    pub fn bit(self) -> i16 {
        1 << (self as i16)
    }

    pub fn set_of(days: &[Weekday]) -> i16 {
        days.iter().fold(0, |set, day| set | day.bit())
    }

    pub fn list_of(set: i16) -> Vec<Weekday> {
        Weekday::ALL.into_iter().filter(|day| set & day.bit() != 0).collect()
    }
}

/// A learner's reminder settings. Off until they opt in.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "enabled": true, "local_hour": 18, "days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
    "timezone": "Europe/Berlin"
}))]
pub struct ReminderSettings {
    pub enabled: bool,
    /// The hour (0-23) in the account's time zone from which the day's reminder goes out.
    pub local_hour: u8,
    /// The days a reminder may go out, Monday first.
    pub days: Vec<Weekday>,
    /// The account's time zone (`PATCH /me` changes it), which the hour and days follow.
    pub timezone: String,
}

/// New reminder settings; every field is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true, "local_hour": 18, "days": ["monday", "wednesday", "friday"]}))]
pub struct SetReminders {
    pub enabled: bool,
    /// 0 to 23 (422 otherwise).
    #[schema(minimum = 0, maximum = 23)]
    pub local_hour: u8,
    /// One to seven distinct days (422 for none or a repeated day).
    #[schema(min_items = 1, max_items = 7)]
    pub days: Vec<Weekday>,
}

/// The learner's streak as of now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreakSummary {
    /// Consecutive active days up to today or yesterday.
    pub current: i64,
    /// Whether the learner has done something today (their time zone).
    pub active_today: bool,
    /// A streak that ends tonight unless the learner does something today.
    pub at_risk: bool,
}

/// Where the learner is on a track they have started.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackNextTopic {
    pub track: SlugRef,
    /// The first unfinished topic on the path (the same pick as `/me/tracks/{track}/next`).
    pub topic: SlugRef,
    /// How full that topic is.
    pub percent: i32,
}

/// What the day's reminder would say, for a home screen or a background refresh.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "as_of": "2026-12-04T17:00:00Z", "local_date": "2026-12-04", "timezone": "Europe/Berlin",
    "cards_due_now": 4, "cards_due_today": 9,
    "streak": {"current": 6, "active_today": false, "at_risk": true},
    "next_topics": [{"track": {"slug": "python", "title": "Python"},
                     "topic": {"slug": "functions", "title": "Functions"}, "percent": 40}],
    "something_to_do": true
}))]
pub struct Summary {
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
    /// Today in the account's time zone (YYYY-MM-DD).
    #[schema(format = Date, example = "2026-12-04")]
    pub local_date: String,
    pub timezone: String,
    /// Reviewed flashcards due now.
    pub cards_due_now: i64,
    /// Reviewed flashcards due by the end of the local day (includes those due now).
    pub cards_due_today: i64,
    pub streak: StreakSummary,
    /// The next topic on each track the learner has started, in track order.
    pub next_topics: Vec<TrackNextTopic>,
    /// Cards due today or a streak at risk: what a reminder is sent for.
    pub something_to_do: bool,
}

/// The answer to an unsubscribe.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"detail": "reminders are off; turn them on again in your settings"}))]
pub struct Unsubscribed {
    pub detail: String,
}
