//! Notes and bookmarks: validate, write (notes last-writer-wins on the device's time),
//! read with the target's title and retirement, list.

use time::{Date, Duration};
use uuid::Uuid;

use super::model::*;
use super::store::{self, Deleted, Row};
use crate::error::ApiError;
use crate::state::AppState;

/// Notes, and bookmarks, a learner may keep (so either list fits on one page).
pub const MAX_PER_LEARNER: i64 = 1000;
const MAX_BODY_CHARS: usize = 20_000;
const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

fn not_found(kind: TargetKind, id: Uuid) -> ApiError {
    ApiError::NotFound(format!("no {} with id {id}", kind.as_str()))
}

fn note_of(row: Row) -> Note {
    Note {
        kind: row.kind,
        id: row.target_id,
        title: row.title,
        body: row.body.unwrap_or_default(),
        updated_at: row.updated_at,
        retired: row.retired,
    }
}

fn bookmark_of(row: Row, today: Date) -> Bookmark {
    Bookmark {
        kind: row.kind,
        id: row.target_id,
        title: row.title,
        revisit_on: row.revisit_on.map(|d| d.to_string()),
        due: row.revisit_on.is_some_and(|d| d <= today),
        updated_at: row.updated_at,
        retired: row.retired,
    }
}

/// Writes a note on a live topic or question.
pub async fn put_note(
    state: &AppState,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    body: &SetNote,
) -> Result<NoteWritten, ApiError> {
    let text = body.body.trim();
    if text.is_empty() {
        return Err(ApiError::invalid("body", "must not be empty (DELETE removes a note)"));
    }
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(ApiError::invalid("body", format!("at most {MAX_BODY_CHARS} characters")));
    }
    let now = state.clock.now();
    let at = match body.updated_at {
        Some(t) if t > now + MAX_CLOCK_SKEW => {
            return Err(ApiError::invalid("updated_at", "must not be in the future"));
        }
        Some(t) if t.year() < 2000 => return Err(ApiError::invalid("updated_at", "must be after 2000-01-01")),
        Some(t) => t,
        None => now,
    };
    let title = store::live_title(&state.db, kind, id).await?.ok_or_else(|| not_found(kind, id))?;
    let existing = store::rows(&state.db, user_id, true, Some((kind, id))).await?;
    if existing.is_empty() && store::counts(&state.db, user_id).await?.0 >= MAX_PER_LEARNER {
        return Err(ApiError::invalid("body", format!("at most {MAX_PER_LEARNER} notes; delete some first")));
    }
    let mut conn = state.db.acquire().await?;
    let (standing, applied) = store::put_note(&mut conn, user_id, kind, id, text, at).await?;
    let (body, updated_at) = standing.ok_or_else(later_delete)?;
    Ok(NoteWritten { note: Note { kind, id, title, body, updated_at, retired: false }, applied })
}

pub async fn note(state: &AppState, user_id: Uuid, kind: TargetKind, id: Uuid) -> Result<Note, ApiError> {
    let row = store::rows(&state.db, user_id, true, Some((kind, id))).await?.into_iter().next();
    row.map(note_of).ok_or_else(|| ApiError::NotFound(format!("no note on {} {id}", kind.as_str())))
}

pub async fn delete_note(state: &AppState, user_id: Uuid, kind: TargetKind, id: Uuid) -> Result<(), ApiError> {
    let now = deleted_now(state, user_id, true, kind, id).await?;
    match store::delete_note(&mut *state.db.acquire().await?, user_id, kind, id, now).await? {
        Deleted::Removed => Ok(()),
        Deleted::Superseded => Err(later_edit()),
        Deleted::Absent => Err(ApiError::NotFound(format!("no note on {} {id}", kind.as_str()))),
    }
}

/// The time of an online delete: now, or just after the note's (`notes`) or
/// bookmark's own time when a device with a clock ahead of the server's stamped it
/// later. The learner deletes what they see; a delete with no time of its own must not
/// lose to the very edit it removes.
async fn deleted_now(
    state: &AppState,
    user_id: Uuid,
    notes: bool,
    kind: TargetKind,
    id: Uuid,
) -> Result<time::OffsetDateTime, ApiError> {
    let now = state.clock.now();
    let standing = store::rows(&state.db, user_id, notes, Some((kind, id))).await?.into_iter().next();
    Ok(standing.map_or(now, |row| now.max(row.updated_at)))
}

/// A write outvoted by a delete stamped later by another device (a clock a little
/// ahead of the server's).
fn later_delete() -> ApiError {
    ApiError::Conflict("another device deleted this later; write it again to restore it".into())
}

/// A delete outvoted by an edit stamped later by another device.
fn later_edit() -> ApiError {
    ApiError::Conflict("another device changed this later; read it and delete again".into())
}

pub async fn notes(state: &AppState, user_id: Uuid) -> Result<Notes, ApiError> {
    let rows = store::rows(&state.db, user_id, true, None).await?;
    Ok(Notes { items: rows.into_iter().map(note_of).collect(), next_cursor: None })
}

/// Bookmarks a live topic or question (a PUT replaces the revisit day).
pub async fn put_bookmark(
    state: &AppState,
    user_id: Uuid,
    kind: TargetKind,
    id: Uuid,
    body: &SetBookmark,
) -> Result<Bookmark, ApiError> {
    let today = crate::plan::store::local_today(&state.db, user_id, state.clock.now()).await?;
    let revisit_on = match body.revisit_on.as_deref() {
        None => None,
        Some(text) => {
            let day = Date::parse(text, &time::format_description::well_known::Iso8601::DATE)
                .map_err(|_| ApiError::invalid("revisit_on", "must be a date as YYYY-MM-DD"))?;
            if (day - today).whole_days().abs() > 3660 {
                return Err(ApiError::invalid("revisit_on", "must be within ten years of today"));
            }
            Some(day)
        }
    };
    store::live_title(&state.db, kind, id).await?.ok_or_else(|| not_found(kind, id))?;
    let existing = store::rows(&state.db, user_id, false, Some((kind, id))).await?;
    if existing.is_empty() && store::counts(&state.db, user_id).await?.1 >= MAX_PER_LEARNER {
        return Err(ApiError::invalid("revisit_on", format!("at most {MAX_PER_LEARNER} bookmarks; delete some first")));
    }
    store::put_bookmark(&mut *state.db.acquire().await?, user_id, kind, id, revisit_on, state.clock.now()).await?;
    let row = store::rows(&state.db, user_id, false, Some((kind, id))).await?.into_iter().next();
    row.map(|r| bookmark_of(r, today)).ok_or_else(later_delete)
}

pub async fn delete_bookmark(state: &AppState, user_id: Uuid, kind: TargetKind, id: Uuid) -> Result<(), ApiError> {
    let now = deleted_now(state, user_id, false, kind, id).await?;
    match store::delete_bookmark(&mut *state.db.acquire().await?, user_id, kind, id, now).await? {
        Deleted::Removed => Ok(()),
        Deleted::Superseded => Err(later_edit()),
        Deleted::Absent => Err(ApiError::NotFound(format!("no bookmark on {} {id}", kind.as_str()))),
    }
}

/// Bookmarks due to revisit first (oldest day first), then the rest, newest first.
pub async fn bookmarks(state: &AppState, user_id: Uuid) -> Result<Bookmarks, ApiError> {
    let today = crate::plan::store::local_today(&state.db, user_id, state.clock.now()).await?;
    let mut items: Vec<Bookmark> =
        store::rows(&state.db, user_id, false, None).await?.into_iter().map(|r| bookmark_of(r, today)).collect();
    // Stable: within each group the query's newest-first order stands.
    items.sort_by(|a, b| match (a.due, b.due) {
        (true, true) => a.revisit_on.cmp(&b.revisit_on),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => std::cmp::Ordering::Equal,
    });
    Ok(Bookmarks { items, next_cursor: None })
}

/// Notes and bookmarks for the export.
pub async fn export(state: &AppState, user_id: Uuid) -> Result<(Vec<Note>, Vec<Bookmark>), ApiError> {
    let bookmarks = bookmarks(state, user_id).await?.items;
    Ok((notes(state, user_id).await?.items, bookmarks))
}
