-- Throttle attempts get an identity, so an attempt reserved before a password check
-- can be handed back (refunded) when the check succeeds; the reservation is what makes
-- the budget hold under concurrent guesses.
ALTER TABLE auth_throttle ADD COLUMN attempt_id bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX auth_throttle_at_idx ON auth_throttle (at);

-- Each refresh token names the token it replaced, so a retried refresh (the first
-- answer was lost) can be told from a stolen copy: the retry comes within the grace
-- period, from the same client, before the replacement was ever used.
ALTER TABLE refresh_token ADD COLUMN parent_id uuid REFERENCES refresh_token (token_id) ON DELETE SET NULL;
ALTER TABLE refresh_token ADD COLUMN client_key text;
CREATE INDEX refresh_token_parent_idx ON refresh_token (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX refresh_token_expires_idx ON refresh_token (expires_at);

-- Admin writes record the client address they came from (by the same rule as the
-- throttles and logs).
ALTER TABLE audit_log ADD COLUMN client_address text;

-- The retention bounds compared a real with numeric literals, so the documented
-- edges themselves (0.7 and 0.97, which a real can only approximate) were refused by
-- the database after passing validation; compare in real, as the value is stored.
ALTER TABLE app_user DROP CONSTRAINT app_user_desired_retention_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_desired_retention_check
    CHECK (desired_retention BETWEEN 0.7::real AND 0.97::real);
