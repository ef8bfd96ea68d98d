-- xAPI: learning events of learners who share them, turned into statements for the
-- learning-record store the operator configures (STUDYTRACK_XAPI_*). A row per event,
-- written in the event's own transaction with the job that sends it; the statement id
-- is the event's id, so a retried send is the same statement to the LRS.
CREATE TABLE xapi_statement (
    statement_id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    event_type text NOT NULL,
    -- The learner event as webhooks get it ({type, timestamp, data}).
    event jsonb NOT NULL,
    -- The statement as first built; every retry sends these bytes.
    statement jsonb,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX xapi_statement_status_idx ON xapi_statement (status, created_at DESC, statement_id DESC);

-- Whether statements are queued at all: set at start-up from STUDYTRACK_XAPI_ENDPOINT
-- (every instance of a deployment is configured alike).
CREATE TABLE integration_setting (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    xapi_enabled boolean NOT NULL DEFAULT false
);
INSERT INTO integration_setting DEFAULT VALUES;
