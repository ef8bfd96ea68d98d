-- Opt-in public profiles. A row exists only once a learner picked a handle; without
-- one (or while `visibility` is private) nothing about them is public.
--
-- Handles are stored in their one canonical form (ASCII lower case; the API
-- lower-cases what it is sent), so the plain UNIQUE constraint is also
-- case-insensitive: `Ann` and `ann` can never both exist. The reserved names
-- (`me`, `admin`, `api`, ...) are policy in code, so the list can grow without a
-- migration. ON DELETE CASCADE releases the handle with the account.
CREATE TABLE profile (
    user_id            uuid PRIMARY KEY REFERENCES app_user (user_id) ON DELETE CASCADE,
    handle             text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9_-]{2,29}$'),
    visibility         text NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public')),
    -- The account's display name is shown on the public profile only when this is set:
    -- it is often a real name, which the handle lets a learner keep to themselves.
    show_display_name  boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT profile_handle_key UNIQUE (handle)
);
