-- A learner's own notes (Markdown) and bookmarks on topics and questions. Kept when
-- the content is retired (shown flagged); gone with the account.
CREATE TABLE note (
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('topic', 'question')),
    target_id uuid NOT NULL,
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    -- The device's time of the edit: between devices the later edit wins.
    updated_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind, target_id)
);

CREATE TABLE bookmark (
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('topic', 'question')),
    target_id uuid NOT NULL,
    -- "Revisit this" on a day (the learner's calendar); NULL: no date.
    revisit_on date,
    updated_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind, target_id)
);
CREATE INDEX bookmark_revisit ON bookmark (user_id, revisit_on);
