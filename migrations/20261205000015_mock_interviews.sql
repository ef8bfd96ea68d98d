-- Mock interviews: a learner answers questions cold, then sees the model answer and
-- the rubric, then grades their own answer point by point.
CREATE TABLE interview (
    interview_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    -- The client's id for the request that made it: a retried start returns the same one.
    client_id uuid,
    scope jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    -- Answers after this are recorded as late (NULL: no time limit).
    deadline timestamptz,
    completed_at timestamptz,
    UNIQUE (user_id, client_id)
);
CREATE INDEX interview_by_user ON interview (user_id, created_at DESC);

CREATE TABLE interview_item (
    interview_id uuid NOT NULL REFERENCES interview (interview_id) ON DELETE CASCADE,
    position int NOT NULL CHECK (position >= 0),
    question_id uuid NOT NULL REFERENCES question (question_id),
    -- The cold attempt: an answer, or an explicit skip; set once.
    answer text CHECK (answer IS NULL OR length(answer) <= 20000),
    skipped boolean NOT NULL DEFAULT false,
    answered_at timestamptz,
    late boolean NOT NULL DEFAULT false,
    -- The rubric as revealed with the model answer; the self-grade follows it.
    rubric text[],
    -- One of got_it / partly / missed per rubric point; set once.
    grades text[],
    graded_at timestamptz,
    PRIMARY KEY (interview_id, position),
    CHECK ((answered_at IS NULL) = (rubric IS NULL)),
    CHECK (grades IS NULL OR (answered_at IS NOT NULL AND cardinality(grades) = cardinality(rubric)))
);
CREATE INDEX interview_item_by_question ON interview_item (question_id);

-- A cold answer is a day's study like a mark, a quiz or a review.
ALTER TABLE activity DROP CONSTRAINT activity_kind_check;
ALTER TABLE activity ADD CONSTRAINT activity_kind_check
    CHECK (kind IN ('question_mark', 'topic_mark', 'quiz', 'review', 'interview'));
