-- A learner's own FSRS parameters (NULL: the defaults), fitted to their review log.
ALTER TABLE app_user ADD COLUMN fsrs_parameters real[];

-- Optimization jobs: queued by the learner, claimed by any instance's worker
-- (FOR UPDATE SKIP LOCKED), one open job per learner. A job whose worker died (an
-- instance restarted mid-run) is claimable again once its lease ends.
CREATE TABLE optimizer_job (
    job_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES app_user (user_id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    lease_until timestamptz,
    finished_at timestamptz,
    attempts int NOT NULL DEFAULT 0,
    items int,
    parameters_before real[],
    parameters_after real[],
    log_loss_before real,
    rmse_before real,
    log_loss_after real,
    rmse_after real,
    error text
);
CREATE UNIQUE INDEX optimizer_job_one_open ON optimizer_job (user_id) WHERE status IN ('queued', 'running');
CREATE INDEX optimizer_job_queue ON optimizer_job (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX optimizer_job_by_user ON optimizer_job (user_id, created_at DESC);
