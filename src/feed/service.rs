//! The learner's change feed: positions are opaque cursors over (transaction id, seq).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::model::*;
use super::store;
use crate::error::ApiError;
use crate::state::AppState;

/// FeedPage per page.
pub const PAGE: i64 = 500;

fn encode(xid: &str, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{xid}:{seq}"))
}

/// The position a cursor names; `None` for one the server did not make.
fn decode(cursor: &str) -> Option<(String, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (xid, seq) = text.split_once(':')?;
    let xid: u64 = xid.parse().ok()?;
    let seq: i64 = seq.parse().ok().filter(|s| *s >= 0)?;
    Some((xid.to_string(), seq))
}

/// Where a page starts and how long it is, from the request.
struct Position {
    xid: String,
    seq: i64,
    limit: i64,
}

/// Reads `since` (the start without one; 400 for a cursor no feed made) and `limit`
/// (1 to [`PAGE`], default [`PAGE`]); both feeds page the same way.
fn position(since: Option<&str>, limit: Option<i64>) -> Result<Position, ApiError> {
    let limit = limit.unwrap_or(PAGE);
    if !(1..=PAGE).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("must be between 1 and {PAGE}")));
    }
    let (xid, seq) = match since {
        None => ("0".to_owned(), 0),
        Some(cursor) => {
            decode(cursor).ok_or_else(|| ApiError::BadRequest("`since` is not a cursor this feed made".into()))?
        }
    };
    Ok(Position { xid, seq, limit })
}

/// The changes after `since` (from the start without one), up to [`PAGE`] or `limit`.
pub async fn changes(
    state: &AppState,
    user_id: Uuid,
    since: Option<&str>,
    limit: Option<i64>,
) -> Result<FeedPage, ApiError> {
    let Position { xid, seq, limit } = position(since, limit)?;
    if !store::any_after(&state.db, user_id, &xid, seq).await? {
        return Ok(FeedPage { changes: Vec::new(), next_cursor: encode(&xid, seq), has_more: false });
    }
    let rows = store::after(&state.db, user_id, &xid, seq, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    let rows: Vec<store::ChangeRow> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = rows.last().map_or_else(|| encode(&xid, seq), |r| encode(&r.xid, r.seq));
    let changes = rows
        .into_iter()
        .map(|r| FeedChange {
            kind: r.kind,
            id: r.entity_id,
            target_kind: r.target_kind,
            op: r.op,
            changed_at: r.changed_at,
            state: r.state,
        })
        .collect();
    Ok(FeedPage { changes, next_cursor, has_more })
}

/// A track's content changes after `since`, so an offline copy stays current without a
/// new download.
pub async fn content_changes(
    state: &AppState,
    track: &crate::slug::Slug,
    since: Option<&str>,
    limit: Option<i64>,
) -> Result<ContentFeedPage, ApiError> {
    let Position { xid, seq, limit } = position(since, limit)?;
    let template = crate::catalog::service::roadmap_template(state, track).await?;
    let rows = store::content_after(&state.db, template.roadmap.id, &xid, seq, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    let rows: Vec<store::ContentChangeRow> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = rows.last().map_or_else(|| encode(&xid, seq), |r| encode(&r.xid, r.seq));
    let changes = rows
        .into_iter()
        .map(|r| ContentChange { kind: r.kind, id: r.entity_id, op: r.op, changed_at: r.changed_at })
        .collect();
    Ok(ContentFeedPage { changes, next_cursor, has_more })
}

/// A cursor for the content feed that lists every change not yet committed when it
/// was taken: read it before reading content, and the content holds everything
/// before it (a change racing the read may be listed as well as held, never lost).
pub async fn content_head(db: impl sqlx::PgExecutor<'_>) -> sqlx::Result<String> {
    Ok(store::content_head(db).await?.map_or_else(|| encode("0", 0), |(xid, seq)| encode(&xid, seq)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode(&encode("123456", 78)), Some(("123456".into(), 78)));
        for bad in ["", "bm9wZQ", "!!", &URL_SAFE_NO_PAD.encode("1:-1"), &URL_SAFE_NO_PAD.encode("x:1")] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
