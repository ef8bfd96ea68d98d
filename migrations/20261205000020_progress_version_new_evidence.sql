-- The learner memo is keyed by progress_version, so everything the memoized figures
-- are computed from must move it: cold answers and their self-grades (verified
-- progress), each question's schedule (due questions), and goals (today's agenda).
CREATE TRIGGER question_memory_bump_progress_version AFTER INSERT OR UPDATE OR DELETE ON question_memory
    FOR EACH ROW EXECUTE FUNCTION bump_progress_version();
CREATE TRIGGER goal_bump_progress_version AFTER INSERT OR UPDATE OR DELETE ON goal
    FOR EACH ROW EXECUTE FUNCTION bump_progress_version();

-- interview_item names its learner through its session.
CREATE FUNCTION bump_progress_version_of_interview() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE app_user SET progress_version = progress_version + 1
    WHERE user_id = (SELECT user_id FROM interview
                     WHERE interview_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.interview_id ELSE NEW.interview_id END);
    RETURN NULL;
END;
$$;
-- Drawing a session changes no figure; answering and grading do.
CREATE TRIGGER interview_item_bump_progress_version AFTER UPDATE OR DELETE ON interview_item
    FOR EACH ROW EXECUTE FUNCTION bump_progress_version_of_interview();

-- Likewise a quiz counts once submitted: starting one (the draw reads the memo for its
-- probes) must not throw the learner's memo away.
DROP TRIGGER quiz_attempt_bump_progress_version ON quiz_attempt;
CREATE TRIGGER quiz_attempt_bump_progress_version AFTER UPDATE OF submitted_at OR DELETE ON quiz_attempt
    FOR EACH ROW EXECUTE FUNCTION bump_progress_version();
