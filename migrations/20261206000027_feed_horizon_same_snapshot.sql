-- The feed horizon must be worked out from the same snapshot as the rows it filters.
-- As VOLATILE, feed_horizon() ran its query under a fresh snapshot, taken after the
-- calling statement's: a transaction that committed in between was no longer "in
-- progress" for the horizon, yet its rows were not visible to the scan, so the cursor
-- moved past changes with a smaller transaction id that then appeared behind it (a
-- change skipped for good; tests/api/feed.rs caught it under load). A STABLE SQL
-- function runs in the caller's snapshot.
ALTER FUNCTION feed_horizon() STABLE;
