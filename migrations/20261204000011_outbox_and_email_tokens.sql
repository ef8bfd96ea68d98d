-- Durable background work (mail first; later reminders, webhooks, xAPI): a job is
-- written in the same transaction as the change that causes it, so it happens if and
-- only if the change commits. Workers on any instance claim due jobs with
-- FOR UPDATE SKIP LOCKED and a lease; failures are retried with backoff until the
-- job is buried as dead.
CREATE TABLE job (
    job_id       bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    payload      jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    run_at       timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX job_due_idx ON job (run_at) WHERE status = 'pending';

-- Single-use tokens mailed in links (password reset, email change). Only a SHA-256
-- of the token is kept; each is bound to one account and one purpose and expires.
CREATE TABLE email_token (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('reset_password', 'change_email')),
    -- The address an email change moves to (only for that purpose).
    new_email  text CHECK ((purpose = 'change_email') = (new_email IS NOT NULL)),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_token_user_idx ON email_token (user_id, purpose);
