-- Every admin write: who, when, what (kind, id, action) and a compact before/after diff.

CREATE TABLE audit_log (
    audit_id     bigserial PRIMARY KEY,
    actor_id     uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
    actor_email  text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL CHECK (kind IN ('track', 'topic', 'question', 'flashcard', 'quiz_item', 'article', 'bundle')),
    entity_id    uuid,
    entity       text NOT NULL,
    action       text NOT NULL CHECK (action IN ('create', 'update', 'retire', 'restore', 'import')),
    diff         jsonb NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, audit_id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_id);
