-- Every change to content announces itself, whoever made it (admin API, `seed`, or a
-- hand-run SQL fix): API instances listen on this channel and drop their cached
-- content. NOTIFY is transactional (sent on commit, never on rollback) and identical
-- notifications within one transaction are folded into one.
CREATE FUNCTION notify_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('studytrack_content', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['track', 'stage', 'topic', 'track_topic', 'topic_prerequisite', 'question',
                             'article', 'article_topic', 'flashcard', 'quiz_item']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION notify_content_changed()',
                       t || '_notify_content', t);
    END LOOP;
END;
$$;
