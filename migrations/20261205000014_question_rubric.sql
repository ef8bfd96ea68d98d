-- The key points a strong interview answer to a question must contain, one line each
-- (3 to 6 when present; the seed checker requires them for every question). Learners
-- grade a cold answer against them point by point.
ALTER TABLE question ADD COLUMN rubric text[] NOT NULL DEFAULT '{}';
