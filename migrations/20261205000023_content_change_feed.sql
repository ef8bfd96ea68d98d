-- The content change feed: one row per created, changed, retired or restored piece of
-- content, written by triggers in the change's own transaction, read per track in the
-- same commit-safe order as the learner feed (transaction id, then seq). Updates that
-- change nothing but `updated_at` (a re-seed of the same files) leave no row.
CREATE TABLE content_change (
    seq bigserial PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind text NOT NULL CHECK (kind IN ('track', 'stage', 'topic', 'placement', 'question', 'flashcard', 'quiz_item', 'article')),
    entity_id uuid NOT NULL,
    -- What scopes it to tracks: the topic it belongs to, or its track.
    topic_id uuid,
    track_id uuid,
    op text NOT NULL CHECK (op IN ('created', 'updated', 'retired', 'restored')),
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_change_order ON content_change (xid, seq);

-- TG_ARGV[0]: the kind; TG_ARGV[1]: the id column.
CREATE FUNCTION record_content_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row jsonb := to_jsonb(NEW);
    op text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        op := 'created';
    ELSIF OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL THEN
        op := 'retired';
    ELSIF OLD.retired_at IS NOT NULL AND NEW.retired_at IS NULL THEN
        op := 'restored';
    ELSE
        op := 'updated';
    END IF;
    INSERT INTO content_change (kind, entity_id, topic_id, track_id, op)
    VALUES (TG_ARGV[0], (row ->> TG_ARGV[1])::uuid,
            (row ->> 'topic_id')::uuid,
            (row ->> 'track_id')::uuid, op);
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ARRAY['track', 'track', 'track_id'], ARRAY['stage', 'stage', 'stage_id'], ARRAY['topic', 'topic', 'topic_id'],
        ARRAY['track_topic', 'placement', 'topic_id'], ARRAY['question', 'question', 'question_id'],
        ARRAY['flashcard', 'flashcard', 'flashcard_id'], ARRAY['quiz_item', 'quiz_item', 'quiz_item_id'],
        ARRAY['article', 'article', 'article_id']]
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I FOR EACH ROW EXECUTE FUNCTION record_content_change(%L, %L)',
                       spec[1] || '_content_created', spec[1], spec[2], spec[3]);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW
                        WHEN (to_jsonb(OLD) - ''updated_at'' IS DISTINCT FROM to_jsonb(NEW) - ''updated_at'')
                        EXECUTE FUNCTION record_content_change(%L, %L)',
                       spec[1] || '_content_updated', spec[1], spec[2], spec[3]);
    END LOOP;
END;
$$;

-- Where both feeds stop: the oldest transaction still running that may write here
-- (any in-progress one not known to belong to another database; one whose database
-- cannot be seen counts as ours), else the snapshot's xmax. Everything below it is
-- final, so a reader's position never passes a change that commits later. (The
-- cluster-wide pg_snapshot_xmin would let another database's long transaction stall
-- the feeds.)
CREATE FUNCTION feed_horizon() RETURNS xid8 LANGUAGE sql VOLATILE AS $$
    SELECT COALESCE(
        (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
         WHERE NOT EXISTS (
             SELECT 1 FROM pg_stat_activity a
             WHERE a.datname IS DISTINCT FROM current_database() AND a.backend_xid IS NOT NULL
               AND a.backend_xid::text::bigint = x::text::bigint % 4294967296)),
        pg_snapshot_xmax(snap.s))
    FROM (SELECT pg_current_snapshot() AS s) AS snap
$$;
