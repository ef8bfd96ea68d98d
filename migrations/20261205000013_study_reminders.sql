-- Study reminders: off until the learner opts in; a local hour and days of the week
-- (ISO order, Monday = bit 0) in the account's time zone.
CREATE TABLE reminder_setting (
    user_id    uuid PRIMARY KEY REFERENCES app_user (user_id) ON DELETE CASCADE,
    enabled    boolean NOT NULL DEFAULT false,
    local_hour smallint NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
    weekdays   smallint NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reminder_setting_enabled_idx ON reminder_setting (user_id) WHERE enabled;

-- One row per reminder mailed, keyed by the learner's local date: the key is what
-- makes "at most one a day" hold across instances and restarts.
CREATE TABLE reminder_sent (
    user_id    uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    local_date date NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, local_date)
);
