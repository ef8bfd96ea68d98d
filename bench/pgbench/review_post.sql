-- pgbench twin of POST /api/v1/me/reviews {"review_id", "flashcard_id", "rating"}.
--
-- The statements and their order are the server's (src/review/routes.rs record_review),
-- with pgbench variables where sqlx binds parameters:
--   the caller's row (src/auth/extractor.rs -> store::by_id), the card is live, the
--   caller's row again (users::current, for desired retention), then one transaction:
--   the per-learner advisory lock, the replay check, the card's state, the state upsert,
--   the review log insert and the activity insert.
-- bench/run runs it like the HTTP load: -M prepared -c 32 -j 2, same learner, same
-- cards, on the same database. Variables from -D: user_id, ncards (bench_flashcard
-- rows) and response (a real review response body, stored as the log's jsonb).

\set n random(1, :ncards)
\set r random(1, 4)
\set st random(1, 3)
-- FSRS output: the server computes it in Rust; any plausible values cost the same here.
\set stability random(10, 6000) / 100.0
\set difficulty random(100, 1000) / 100.0
\set reps random(1, 20)
\set lapses random(0, 3)

-- 1. The caller's row. pgbench-only, in the same round trip: the n-th benchmark card,
--    a fresh review id (the HTTP client sends a new UUID each time), the rating, the
--    request time and the next due time; see bench/pgbench/setup.sql.
SELECT user_id, email, display_name, password_hash, role, email_verified, disabled_at, token_version,
       created_at, timezone, desired_retention, new_cards_per_day,
       b.flashcard_id, gen_random_uuid() AS review_id, (ARRAY['again', 'hard', 'good', 'easy'])[:r] AS rating,
       (ARRAY['learning', 'review', 'relearning'])[:st] AS state, 'review' AS state_before,
       clock_timestamp() AS reviewed_at, clock_timestamp() + interval '2 days' AS due_at, 'review' AS kind
FROM app_user, bench_flashcard b WHERE user_id = :user_id AND b.n = :n \gset

-- 2. The card is live.
SELECT EXISTS (SELECT 1 FROM flashcard f JOIN topic t ON t.topic_id = f.topic_id
                          WHERE f.flashcard_id = :flashcard_id AND f.retired_at IS NULL AND t.retired_at IS NULL);

-- 3. users::current: the caller's row again.
SELECT user_id, email, display_name, password_hash, role, email_verified, disabled_at, token_version,
       created_at, timezone, desired_retention, new_cards_per_day FROM app_user WHERE user_id = :user_id;

-- 4. The review, in one transaction.
BEGIN;
SELECT pg_advisory_xact_lock(hashtextextended(:user_id::text, 7));
SELECT user_id, response FROM review_log WHERE review_id = :review_id;
SELECT state, stability, difficulty, last_reviewed_at, reps, lapses FROM card_state WHERE user_id = :user_id AND flashcard_id = :flashcard_id;
INSERT INTO card_state (user_id, flashcard_id, state, stability, difficulty, due_at, last_reviewed_at,
                                   first_reviewed_at, reps, lapses)
           VALUES (:user_id, :flashcard_id, :state, :stability, :difficulty, :due_at, :reviewed_at, :reviewed_at, :reps, :lapses)
           ON CONFLICT (user_id, flashcard_id) DO UPDATE
           SET state = excluded.state, stability = excluded.stability, difficulty = excluded.difficulty,
               due_at = excluded.due_at, last_reviewed_at = excluded.last_reviewed_at, reps = excluded.reps,
               lapses = excluded.lapses;
INSERT INTO review_log (review_id, user_id, flashcard_id, rating, reviewed_at, state_before, response)
           VALUES (:review_id, :user_id, :flashcard_id, :rating, :reviewed_at, :state_before, :response);
INSERT INTO activity (user_id, kind) VALUES (:user_id, :kind);
COMMIT;
