-- The last-writer-wins key is the time of the newest write, even one that changed
-- nothing: without it, an older write of a different status arriving after a newer
-- write of the same status would win. `marked_at` stays the time the shown status
-- was set.
ALTER TABLE question_mark ADD COLUMN last_write_at timestamptz;
UPDATE question_mark SET last_write_at = marked_at;
ALTER TABLE question_mark ALTER COLUMN last_write_at SET NOT NULL;

ALTER TABLE topic_mark ADD COLUMN last_write_at timestamptz;
UPDATE topic_mark SET last_write_at = marked_at;
ALTER TABLE topic_mark ALTER COLUMN last_write_at SET NOT NULL;
