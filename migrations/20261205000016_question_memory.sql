-- Each learner's memory of each question they graded themselves on in a mock
-- interview, scheduled with FSRS like a flashcard: the question comes back when it is
-- about to be forgotten.
CREATE TABLE question_memory (
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    question_id uuid NOT NULL REFERENCES question (question_id),
    state text NOT NULL CHECK (state IN ('learning', 'review', 'relearning')),
    stability real NOT NULL,
    difficulty real NOT NULL,
    due_at timestamptz NOT NULL,
    last_reviewed_at timestamptz NOT NULL,
    reps int NOT NULL,
    lapses int NOT NULL,
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX question_memory_due ON question_memory (user_id, due_at);
