-- Per-user progress. Marks belong to the question or topic (not to a track), so a
-- topic placed on two tracks shows the same progress on both, and they reference
-- content by id, which survives edits and retirement.

ALTER TABLE app_user ADD COLUMN timezone text NOT NULL DEFAULT 'UTC';

CREATE TABLE question_mark (
    user_id      uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    question_id  uuid NOT NULL REFERENCES question (question_id),
    status       text NOT NULL CHECK (status IN ('new', 'learning', 'got_it')),
    -- When the learner made the mark (client clock, bounded by the server): the
    -- last-writer-wins key between devices.
    marked_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX question_mark_question_idx ON question_mark (question_id);

CREATE TABLE topic_mark (
    user_id     uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    topic_id    uuid NOT NULL REFERENCES topic (topic_id),
    status      text NOT NULL CHECK (status IN ('not_started', 'learning', 'done', 'skipped')),
    marked_at   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, topic_id)
);
CREATE INDEX topic_mark_topic_idx ON topic_mark (topic_id);

-- One row per thing a learner did (a mark that changed something, a quiz submitted,
-- a flashcard reviewed). Days are derived in the learner's time zone when read, so a
-- change of time zone re-buckets history correctly.
CREATE TABLE activity (
    activity_id  bigserial PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('question_mark', 'topic_mark', 'quiz', 'review')),
    occurred_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_user_time_idx ON activity (user_id, occurred_at);
