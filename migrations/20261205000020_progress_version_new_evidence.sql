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
CREATE TRIGGER interview_item_bump_progress_version AFTER INSERT OR UPDATE OR DELETE ON interview_item
    FOR EACH ROW EXECUTE FUNCTION bump_progress_version_of_interview();
