-- A counter per learner that moves whenever anything progress is computed from
-- changes: marks, card states (reviews) and quiz attempts. API instances keep each
-- learner's computed figures in memory and compare this number (read with the account
-- on every authenticated request) before using them, so a write through any instance,
-- or by hand, makes every instance recompute.
ALTER TABLE app_user ADD COLUMN progress_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_progress_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE app_user SET progress_version = progress_version + 1 WHERE user_id = OLD.user_id;
    ELSE
        UPDATE app_user SET progress_version = progress_version + 1 WHERE user_id = NEW.user_id;
    END IF;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['question_mark', 'topic_mark', 'card_state', 'quiz_attempt']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
                        FOR EACH ROW EXECUTE FUNCTION bump_progress_version()',
                       t || '_bump_progress_version', t);
    END LOOP;
END;
$$;
