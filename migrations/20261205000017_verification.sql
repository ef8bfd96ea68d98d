-- Verified progress: a major revision of a question (its answer or rubric) or of a
-- quiz item voids the evidence learners gathered before it, so their progress on it
-- goes back under verification. Minor revisions leave this alone.
ALTER TABLE question ADD COLUMN major_revision_at timestamptz;
ALTER TABLE quiz_item ADD COLUMN major_revision_at timestamptz;

-- Items drawn as verification probes (a claim with no recent evidence, decaying
-- recall, or a major revision since): the result says whether the probe verified or
-- un-verified the question.
ALTER TABLE quiz_attempt_item ADD COLUMN probe boolean NOT NULL DEFAULT false;
ALTER TABLE interview_item ADD COLUMN probe boolean NOT NULL DEFAULT false;

