-- A year of study history for the benchmark learner, so the progress GET is measured
-- on what a long-standing learner's verified figures cost: thousands of flashcard
-- reviews, quiz answers and self-graded cold answers spread over 365 days, on the
-- Python track's own questions, cards and quiz items. Written with SQL rather than
-- through the API only because a year cannot be waited for; the rows have the shapes
-- the API writes. Run by bench/run with
--   psql -v user_id=UUID -f bench/pgbench/year_history.sql
SET client_min_messages = warning;
SELECT setseed(0.42) AS seeded \gset

-- 3,000 flashcard reviews on the Python flashcards.
INSERT INTO review_log (review_id, user_id, flashcard_id, rating, reviewed_at, state_before, response)
SELECT gen_random_uuid(), :'user_id', f.flashcard_id,
       (ARRAY['again', 'hard', 'good', 'good', 'easy'])[1 + floor(random() * 5)::int],
       now() - random() * interval '365 days', 'review', '{}'::jsonb
FROM generate_series(1, 3000) AS g
CROSS JOIN LATERAL (
    SELECT f.flashcard_id FROM flashcard f
    JOIN track_topic p ON p.topic_id = f.topic_id JOIN track tr ON tr.track_id = p.track_id AND tr.slug = 'python'
    WHERE f.retired_at IS NULL AND g > 0
    ORDER BY random() LIMIT 1
) AS f;

-- 150 practice quizzes of 20 items: 3,000 answers, about 70% right.
WITH attempts AS (
    INSERT INTO quiz_attempt (user_id, mode, scope, created_at, submitted_at, late, score, total, result)
    SELECT :'user_id', 'practice', '{"track": "python"}', at, at + interval '5 minutes', false, 14, 20, '{}'::jsonb
    FROM (SELECT now() - random() * interval '365 days' AS at FROM generate_series(1, 150)) AS t
    RETURNING attempt_id
)
INSERT INTO quiz_attempt_item (attempt_id, position, quiz_item_id, topic_id, question_id, kind, prompt, code, options,
                               correct, explanation, selected, is_correct)
SELECT a.attempt_id, i.position, i.quiz_item_id, i.topic_id, i.question_id, i.kind, i.prompt, i.code, i.options,
       i.correct, i.explanation, i.correct, random() < 0.7
FROM attempts a
CROSS JOIN LATERAL (
    SELECT (row_number() OVER () - 1)::int AS position, q.quiz_item_id, q.topic_id, q.question_id, q.kind, q.prompt,
           q.code, q.options, q.correct, q.explanation
    FROM (SELECT qi.quiz_item_id, qi.topic_id, qi.question_id, qi.kind, qi.prompt, qi.code, qi.options, qi.correct,
                 qi.explanation FROM quiz_item qi
          JOIN track_topic p ON p.topic_id = qi.topic_id JOIN track tr ON tr.track_id = p.track_id AND tr.slug = 'python'
          WHERE qi.retired_at IS NULL AND a.attempt_id IS NOT NULL ORDER BY random() LIMIT 20) AS q
) AS i;

-- 100 mock interviews of 10 questions: 1,000 self-graded cold answers.
WITH sessions AS (
    INSERT INTO interview (user_id, scope, created_at, completed_at)
    SELECT :'user_id', '{"track": "python"}', at, at + interval '40 minutes'
    FROM (SELECT now() - random() * interval '365 days' AS at FROM generate_series(1, 100)) AS t
    RETURNING interview_id, created_at
)
INSERT INTO interview_item (interview_id, position, question_id, answer, answered_at, rubric, grades, graded_at)
SELECT s.interview_id, q.position, q.question_id, 'A cold answer from memory.', s.created_at + interval '3 minutes',
       q.rubric,
       ARRAY(SELECT (ARRAY['got_it', 'got_it', 'partly', 'missed'])[1 + floor(random() * 4)::int]
             FROM generate_series(1, cardinality(q.rubric)) AS point WHERE point > 0 AND q.position >= 0),
       s.created_at + interval '4 minutes'
FROM sessions s
CROSS JOIN LATERAL (
    SELECT (row_number() OVER () - 1)::int AS position, qq.question_id, qq.rubric
    FROM (SELECT q.question_id, q.rubric FROM question q
          JOIN track_topic p ON p.topic_id = q.topic_id JOIN track tr ON tr.track_id = p.track_id AND tr.slug = 'python'
          WHERE q.retired_at IS NULL AND cardinality(q.rubric) >= 3 AND s.interview_id IS NOT NULL
          ORDER BY random() LIMIT 10) AS qq
) AS q;

-- Each interviewed question on its schedule, last reviewed at its latest cold answer.
INSERT INTO question_memory (user_id, question_id, state, stability, difficulty, due_at, last_reviewed_at, reps, lapses)
SELECT :'user_id', ii.question_id, 'review', 5 + random() * 60, 5, max(ii.graded_at) + interval '20 days',
       max(ii.graded_at), count(*), 0
FROM interview i JOIN interview_item ii ON ii.interview_id = i.interview_id
WHERE i.user_id = :'user_id'
GROUP BY ii.question_id
ON CONFLICT (user_id, question_id) DO NOTHING;

ANALYZE review_log, quiz_attempt, quiz_attempt_item, interview, interview_item, question_memory;
