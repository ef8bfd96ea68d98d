-- When a note or bookmark was deleted, per learner and target: between devices the
-- later of an edit and a delete wins, so an edit made offline before a delete (and
-- synced after it) must not bring the note back, and a delete made before an edit
-- must not remove it. One row per target, keeping the latest delete; gone with the
-- account.
CREATE TABLE annotation_tombstone (
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    annotation text NOT NULL CHECK (annotation IN ('note', 'bookmark')),
    kind text NOT NULL CHECK (kind IN ('topic', 'question')),
    target_id uuid NOT NULL,
    deleted_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, annotation, kind, target_id)
);
