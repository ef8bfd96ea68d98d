-- The learner's change feed: one row per change to their own state, written by
-- triggers in the same transaction as the change (a rolled-back change leaves none).
-- Rows are read in (transaction id, seq) order and only from transactions older than
-- every transaction still running in this database: a transaction that took a
-- sequence number early but commits late is therefore never skipped by a reader who
-- already moved past later numbers. The price: the feed lags behind the oldest open
-- transaction.
CREATE TABLE learner_change (
    seq bigserial PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    kind text NOT NULL CHECK (kind IN ('question_mark', 'topic_mark', 'card', 'note', 'bookmark', 'goal')),
    entity_id uuid NOT NULL,
    -- For notes and bookmarks: what they are on (`topic` or `question`).
    target_kind text,
    op text NOT NULL CHECK (op IN ('upsert', 'delete')),
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX learner_change_feed ON learner_change (user_id, xid, seq);

-- TG_ARGV[0]: the change kind; TG_ARGV[1]: the column holding the entity id.
CREATE FUNCTION record_learner_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
    learner uuid := (changed ->> 'user_id')::uuid;
BEGIN
    -- Rows deleted with their account (a cascade) leave nothing behind to sync.
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM app_user WHERE user_id = learner) THEN
        RETURN NULL;
    END IF;
    INSERT INTO learner_change (user_id, kind, entity_id, target_kind, op)
    VALUES (learner, TG_ARGV[0], (changed ->> TG_ARGV[1])::uuid,
            CASE WHEN TG_ARGV[0] IN ('note', 'bookmark') THEN changed ->> 'kind' END,
            CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END);
    RETURN NULL;
END;
$$;

CREATE TRIGGER question_mark_change AFTER INSERT OR UPDATE OR DELETE ON question_mark
    FOR EACH ROW EXECUTE FUNCTION record_learner_change('question_mark', 'question_id');
CREATE TRIGGER topic_mark_change AFTER INSERT OR UPDATE OR DELETE ON topic_mark
    FOR EACH ROW EXECUTE FUNCTION record_learner_change('topic_mark', 'topic_id');
CREATE TRIGGER card_state_change AFTER INSERT OR UPDATE OR DELETE ON card_state
    FOR EACH ROW EXECUTE FUNCTION record_learner_change('card', 'flashcard_id');
CREATE TRIGGER note_change AFTER INSERT OR UPDATE OR DELETE ON note
    FOR EACH ROW EXECUTE FUNCTION record_learner_change('note', 'target_id');
CREATE TRIGGER bookmark_change AFTER INSERT OR UPDATE OR DELETE ON bookmark
    FOR EACH ROW EXECUTE FUNCTION record_learner_change('bookmark', 'target_id');
CREATE TRIGGER goal_change AFTER INSERT OR UPDATE OR DELETE ON goal
    FOR EACH ROW EXECUTE FUNCTION record_learner_change('goal', 'track_id');
