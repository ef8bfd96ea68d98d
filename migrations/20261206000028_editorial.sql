-- The editorial workflow: editors, scoped API tokens for scripts, drafts grouped in
-- change sets that are reviewed and published together (now or at a set time),
-- preview tokens that show drafts through the public reads, and every published
-- revision kept.

-- Editors write drafts and submit change sets; only admins approve and publish.
ALTER TABLE app_user DROP CONSTRAINT app_user_role_check,
    ADD CONSTRAINT app_user_role_check CHECK (role IN ('learner', 'editor', 'admin'));

-- A bearer credential for a script (a content pipeline in CI). It acts as its owner,
-- narrowed to its scopes; only the SHA-256 of the secret is stored (the secret has
-- 256 random bits, so a slow hash would add nothing).
CREATE TABLE api_token (
    token_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id     uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_token_owner_idx ON api_token (owner_id, created_at DESC);

-- A group of drafts reviewed and published together.
CREATE TABLE content_changeset (
    changeset_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    author_id         uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
    author_email      text NOT NULL,
    -- open: being edited; submitted: waiting for review; approved: may publish;
    -- published: done (kept for history); failed: a scheduled publish could not go
    -- ahead (see `failure`), editable again like `open`.
    state             text NOT NULL DEFAULT 'open'
                      CHECK (state IN ('open', 'submitted', 'approved', 'published', 'failed')),
    requires_approval boolean NOT NULL,
    approved_by       uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
    approved_at       timestamptz,
    publish_at        timestamptz,
    published_at      timestamptz,
    published_by      uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
    failure           jsonb,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- What the scheduler looks for.
CREATE INDEX content_changeset_due_idx ON content_changeset (publish_at)
    WHERE publish_at IS NOT NULL AND state <> 'published';

-- At most one draft per entity. `entity_id` is the live entity's id, or for content
-- that exists only as a draft the id reserved for it: publishing inserts it with that
-- id, so preview links and the published entity agree.
CREATE TABLE content_draft (
    kind         text NOT NULL
                 CHECK (kind IN ('tracks', 'topics', 'questions', 'flashcards', 'quiz-items', 'articles')),
    entity_id    uuid NOT NULL,
    -- The topic's slug for a topic's children ('' for the rest), and the slug.
    topic_slug   text NOT NULL DEFAULT '',
    slug         text NOT NULL,
    is_new       boolean NOT NULL,
    doc          jsonb NOT NULL,
    revision     text NOT NULL DEFAULT 'minor' CHECK (revision IN ('minor', 'major')),
    -- The published entity's ETag when the draft was started: publishing refuses a
    -- draft whose entity changed since (someone published over it).
    base_tag     text,
    changeset_id uuid REFERENCES content_changeset (changeset_id) ON DELETE SET NULL,
    version      integer NOT NULL DEFAULT 1,
    author_id    uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, entity_id)
);
CREATE UNIQUE INDEX content_draft_key_idx ON content_draft (kind, topic_slug, slug);
CREATE INDEX content_draft_changeset_idx ON content_draft (changeset_id);

-- Every published revision of an entity, numbered from 1.
CREATE TABLE content_revision (
    revision_id  bigserial PRIMARY KEY,
    kind         text NOT NULL,
    entity_id    uuid NOT NULL,
    entity       text NOT NULL,
    number       integer NOT NULL,
    doc          jsonb NOT NULL,
    class        text NOT NULL CHECK (class IN ('minor', 'major')),
    diff         jsonb NOT NULL,
    author_id    uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
    author_email text,
    token_id     uuid REFERENCES api_token (token_id) ON DELETE SET NULL,
    changeset_id uuid REFERENCES content_changeset (changeset_id) ON DELETE SET NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, entity_id, number)
);

-- Lets a front end read drafts through the public reads without an admin login.
CREATE TABLE preview_token (
    token_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    changeset_id    uuid REFERENCES content_changeset (changeset_id) ON DELETE CASCADE,
    draft_kind      text,
    draft_entity_id uuid,
    CHECK ((changeset_id IS NULL) <> (draft_kind IS NULL AND draft_entity_id IS NULL) AND
           ((draft_kind IS NULL) = (draft_entity_id IS NULL))),
    created_by      uuid REFERENCES app_user (user_id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz
);

-- The audit log names the API token (not only its owner) when one was used, and
-- covers the workflow's own actions.
ALTER TABLE audit_log ADD COLUMN token_id uuid, ADD COLUMN token_name text;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check,
    ADD CONSTRAINT audit_log_kind_check
        CHECK (kind IN ('track', 'topic', 'question', 'flashcard', 'quiz_item', 'article', 'bundle', 'webhook',
                        'changeset', 'preview_token', 'api_token'));
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check,
    ADD CONSTRAINT audit_log_action_check
        CHECK (action IN ('create', 'update', 'retire', 'restore', 'import', 'delete', 'rotate', 'disable',
                          'draft', 'discard', 'submit', 'approve', 'publish', 'schedule', 'unschedule',
                          'issue', 'revoke', 'fail'));

-- One notification per content transaction, whatever tables it touched: a change
-- set's publish moves every cache one generation, once.
CREATE OR REPLACE FUNCTION notify_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('studytrack_content', 'content');
    RETURN NULL;
END;
$$;
