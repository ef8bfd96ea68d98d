//! Bodies of the admin bundle and account endpoints.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::model::Account;
use crate::content::report::{Changes, Counts};

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "dry_run": true,
    "counts": {"questions": {"created": 1, "updated": 2, "unchanged": 190, "retired": 0}},
    "changes": {"questions": {"created": ["functions/new-question"], "updated": ["fundamentals/is-vs-equality", "oop/slots"], "retired": []}}
}))]
pub struct ImportReport {
    pub dry_run: bool,
    pub counts: BTreeMap<String, Counts>,
    pub changes: BTreeMap<String, Changes>,
}

/// A page of accounts, ordered by email.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "id": "3c37e844-4907-4f4e-a1cc-88c23fbc5cb2", "email": "ann@example.com", "display_name": "Ann",
    "role": "learner", "email_verified": false, "created_at": "2026-11-01T09:00:00Z",
    "timezone": "Europe/Berlin", "desired_retention": 0.9, "new_cards_per_day": 20
}], "next_cursor": null}))]
pub struct AccountPage {
    pub items: Vec<Account>,
    /// Pass as `cursor` to get the next page; null on the last page.
    #[schema(required)]
    pub next_cursor: Option<String>,
}
