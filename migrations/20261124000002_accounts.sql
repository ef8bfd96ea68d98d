-- Accounts, refresh-token families and the failure counters behind login throttling.

CREATE TABLE app_user (
    user_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- As typed (for display) and normalised (NFKC, lower case) for uniqueness.
    email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    email_normalized text NOT NULL UNIQUE CHECK (length(email_normalized) BETWEEN 3 AND 254),
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 80),
    password_hash    text NOT NULL,
    role             text NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'admin')),
    email_verified   boolean NOT NULL DEFAULT false,
    disabled_at      timestamptz,
    -- Bumped on password change, logout-all, role change and disable: access tokens
    -- carry it, so bumping it ends every outstanding access token at once.
    token_version    integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Refresh tokens are stored only as SHA-256 hashes. Every refresh rotates: the
-- presented token is marked used and a new one joins the same family. A used token
-- presented again means theft: the whole family is revoked.
CREATE TABLE refresh_token (
    token_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id    uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    issued_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    revoked_at   timestamptz,
    user_agent   text
);
CREATE INDEX refresh_token_family_idx ON refresh_token (family_id);
CREATE INDEX refresh_token_user_idx ON refresh_token (user_id);

-- Failed logins and registrations per bucket ("login-account", "login-address",
-- "register-address") and key, counted over a sliding window.
CREATE TABLE auth_throttle (
    bucket  text NOT NULL,
    key     text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_throttle_lookup_idx ON auth_throttle (bucket, key, at);
