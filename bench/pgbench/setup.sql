-- Lookup tables for the pgbench scripts, filled with the same ids the HTTP load uses.
-- pgbench cannot pick a UUID from a list on its own; these let each transaction pick
-- the n-th id with a primary-key lookup. Run by bench/run with
--   psql -v question_ids=ID,ID,... -v card_ids=ID,ID,... -f bench/pgbench/setup.sql
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_question, bench_flashcard;
CREATE TABLE bench_question (n int PRIMARY KEY, question_id uuid NOT NULL);
CREATE TABLE bench_flashcard (n int PRIMARY KEY, flashcard_id uuid NOT NULL);
INSERT INTO bench_question
SELECT n, id::uuid FROM unnest(string_to_array(:'question_ids', ',')) WITH ORDINALITY AS t(id, n);
INSERT INTO bench_flashcard
SELECT n, id::uuid FROM unnest(string_to_array(:'card_ids', ',')) WITH ORDINALITY AS t(id, n);
ANALYZE bench_question, bench_flashcard;
