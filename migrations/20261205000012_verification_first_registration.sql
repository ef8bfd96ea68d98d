-- Verification-first registration: a sign-up is held here, not in app_user, until
-- the link mailed to its address is followed. An unconfirmed sign-up is not an
-- account: it cannot log in and holds nothing but what the form sent. Each sign-up
-- keeps its own password hash, so following a link sets the password of the person
-- who asked for that link (someone who signs up first with another person's address
-- cannot choose the password that person later confirms). Rows go a day after they
-- expire.
CREATE TABLE pending_registration (
    token_hash       bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    email            text NOT NULL,
    email_normalized text NOT NULL,
    display_name     text NOT NULL,
    password_hash    text NOT NULL,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_registration_email_idx ON pending_registration (email_normalized);
CREATE INDEX pending_registration_expiry_idx ON pending_registration (expires_at);

-- Accounts made before this change keep working unverified; a verification link for
-- the current address is a third purpose of mailed tokens.
ALTER TABLE email_token DROP CONSTRAINT email_token_purpose_check;
ALTER TABLE email_token ADD CONSTRAINT email_token_purpose_check
    CHECK (purpose IN ('reset_password', 'change_email', 'verify_email'));
