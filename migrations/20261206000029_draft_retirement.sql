-- A draft may retire its entity instead of changing it, so that a change set can take
-- outdated content out of a track together with the edits that replace it, reviewed
-- and published as one. Only published content can be retired.
ALTER TABLE content_draft ADD COLUMN retire boolean NOT NULL DEFAULT false;
ALTER TABLE content_draft ADD CONSTRAINT content_draft_retire_published CHECK (NOT (retire AND is_new));
