-- A learner's goal per track: the interview date, the minutes they can study on a
-- study day, which days those are, and the electives in scope besides the core path.
CREATE TABLE goal (
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    track_id uuid NOT NULL REFERENCES track (track_id),
    interview_date date NOT NULL,
    minutes_per_day int NOT NULL CHECK (minutes_per_day BETWEEN 5 AND 480),
    -- Monday is bit 0, as for reminders.
    weekdays smallint NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    electives text[] NOT NULL DEFAULT '{}' CHECK (cardinality(electives) <= 50),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, track_id)
);
