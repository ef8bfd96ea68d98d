-- pgbench twin of PUT /api/v1/me/questions/{id}/status {"status": ...}.
--
-- The statements and their order are the server's, with pgbench variables where sqlx
-- binds parameters:
--   src/auth/extractor.rs authenticate -> src/auth/store.rs by_id   (the caller's row)
--   src/progress/routes.rs set_question_status -> store::question_is_live
--   one transaction: store::set_mark (INSERT .. ON CONFLICT DO NOTHING, the row lock,
--   then UPDATE, and activity::record when the status changed)
-- bench/run runs it like the HTTP load: -M prepared -c 32 -j 2, same learner, same
-- questions, on the same database. Variables from -D: user_id, nq (bench_question rows).

\set n random(1, :nq)
\set s random(1, 3)
-- The HTTP load sends a uniformly random status, which differs from the standing mark
-- 2 times in 3 (full UPDATE + activity insert) and repeats it 1 time in 3 (only
-- last_write_at moves). pgbench cannot compare the strings it reads back, so it takes
-- the same two branches with the same odds.
\set change random(1, 3)

-- 1. The caller's row (every authenticated request reads it). pgbench-only, in the same
--    round trip: the n-th benchmark question, the status to send and the request time
--    (the server binds its own clock); see bench/pgbench/setup.sql.
SELECT user_id, email, display_name, password_hash, role, email_verified, disabled_at, token_version,
       created_at, timezone, desired_retention, new_cards_per_day,
       b.question_id, (ARRAY['new', 'learning', 'got_it'])[:s] AS status, clock_timestamp() AS at,
       'question_mark' AS kind
FROM app_user, bench_question b WHERE user_id = :user_id AND b.n = :n \gset

-- 2. The question is live.
SELECT EXISTS (SELECT 1 FROM question q JOIN topic t ON t.topic_id = q.topic_id
               WHERE q.question_id = :question_id AND q.retired_at IS NULL AND t.retired_at IS NULL);

-- 3. set_mark, in one transaction.
BEGIN;
INSERT INTO question_mark (user_id, question_id, status, marked_at, last_write_at) VALUES (:user_id, :question_id, :status, :at, :at)
           ON CONFLICT (user_id, question_id) DO NOTHING RETURNING status, marked_at;
SELECT status, marked_at, last_write_at FROM question_mark WHERE user_id = :user_id AND question_id = :question_id FOR UPDATE;
\if :change = 1
UPDATE question_mark SET last_write_at = :at WHERE user_id = :user_id AND question_id = :question_id;
\else
UPDATE question_mark SET status = :status, marked_at = :at, last_write_at = :at, updated_at = now()
           WHERE user_id = :user_id AND question_id = :question_id;
INSERT INTO activity (user_id, kind) VALUES (:user_id, :kind);
\endif
COMMIT;
