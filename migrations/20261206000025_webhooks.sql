-- Webhooks: endpoints admins subscribe, and one delivery row per (event, endpoint),
-- written in the transaction of the change that caused the event (with a job that
-- sends it): a change that rolls back sends nothing, a committed one is never lost.
CREATE TABLE webhook_endpoint (
    endpoint_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    url text NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    -- Event types it receives; '*' for all.
    events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
    enabled boolean NOT NULL DEFAULT true,
    -- Why it was disabled automatically (null when an admin did it or it is enabled).
    disabled_reason text,
    -- The signing secret (`whsec_` + base64): the server needs it to sign, so it is
    -- kept, and shown only when made (creation, rotation).
    secret text NOT NULL,
    -- After a rotation, the old secret also signs until then.
    previous_secret text,
    previous_secret_until timestamptz,
    consecutive_failures integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_delivery (
    -- Sent as `webhook-id`: the same on every attempt, so receivers deduplicate on it.
    delivery_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoint (endpoint_id) ON DELETE CASCADE,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled')),
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    last_status_code integer,
    last_error text,
    last_latency_ms integer
);
CREATE INDEX webhook_delivery_endpoint_idx ON webhook_delivery (endpoint_id, created_at DESC, delivery_id DESC);

CREATE TABLE webhook_attempt (
    delivery_id uuid NOT NULL REFERENCES webhook_delivery (delivery_id) ON DELETE CASCADE,
    attempt integer NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    status_code integer,
    latency_ms integer NOT NULL,
    error text,
    PRIMARY KEY (delivery_id, attempt)
);

-- A learner's consent to share learning events (webhooks, xAPI): off until they turn
-- it on; every change is kept in consent_change.
ALTER TABLE app_user ADD COLUMN share_learning_records boolean NOT NULL DEFAULT false;
CREATE TABLE consent_change (
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    changed_at timestamptz NOT NULL DEFAULT now(),
    share_learning_records boolean NOT NULL,
    client_address text NOT NULL
);
CREATE INDEX consent_change_user_idx ON consent_change (user_id, changed_at);

-- Webhook endpoints are audited like content: created, updated, deleted, secrets
-- rotated, and disabled by the server after repeated failures (no actor).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check,
    ADD CONSTRAINT audit_log_kind_check
        CHECK (kind IN ('track', 'topic', 'question', 'flashcard', 'quiz_item', 'article', 'bundle', 'webhook'));
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check,
    ADD CONSTRAINT audit_log_action_check
        CHECK (action IN ('create', 'update', 'retire', 'restore', 'import', 'delete', 'rotate', 'disable'));
