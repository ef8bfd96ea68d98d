-- The content catalogue: tracks -> stages -> topic placements, topics and what hangs
-- off them. Slugs are the natural keys the seed files use; UUIDs are what clients see.
-- Nothing is deleted: `retired_at` hides a row so learners' history stays valid.

CREATE FUNCTION is_slug(value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN value ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(value) <= 80;

CREATE TABLE track (
    track_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (is_slug(slug)),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

CREATE TABLE stage (
    stage_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    track_id    uuid NOT NULL REFERENCES track (track_id),
    slug        text NOT NULL CHECK (is_slug(slug)),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary     text NOT NULL,
    position    integer NOT NULL CHECK (position >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz,
    UNIQUE (track_id, slug),
    UNIQUE (stage_id, track_id)
);

CREATE TABLE topic (
    topic_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (is_slug(slug)),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary     text NOT NULL,
    key_points  text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

-- Where a topic sits on a track. A topic may sit on several tracks; progress belongs to
-- the topic, so it shows on each. Core placements belong to a stage; electives sit
-- outside the stages (stage_id NULL) and are ordered among themselves.
CREATE TABLE track_topic (
    track_id    uuid NOT NULL REFERENCES track (track_id),
    topic_id    uuid NOT NULL REFERENCES topic (topic_id),
    stage_id    uuid,
    position    integer NOT NULL CHECK (position >= 0),
    elective    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz,
    PRIMARY KEY (track_id, topic_id),
    -- A placement's stage must be a stage of the same track.
    FOREIGN KEY (stage_id, track_id) REFERENCES stage (stage_id, track_id),
    CHECK (elective OR stage_id IS NOT NULL)
);
CREATE INDEX track_topic_topic_idx ON track_topic (topic_id);

CREATE TABLE topic_prerequisite (
    topic_id         uuid NOT NULL REFERENCES topic (topic_id),
    prerequisite_id  uuid NOT NULL REFERENCES topic (topic_id),
    PRIMARY KEY (topic_id, prerequisite_id),
    CHECK (topic_id <> prerequisite_id)
);

CREATE TABLE question (
    question_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    topic_id     uuid NOT NULL REFERENCES topic (topic_id),
    slug         text NOT NULL CHECK (is_slug(slug)),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    prompt       text NOT NULL CHECK (length(prompt) >= 1),
    answer       text NOT NULL CHECK (length(answer) >= 1),
    difficulty   text NOT NULL CHECK (difficulty IN ('junior', 'mid', 'senior')),
    tags         text[] NOT NULL DEFAULT '{}',
    position     integer NOT NULL CHECK (position >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    retired_at   timestamptz,
    -- Title weighs most so an exact or near-exact title match ranks first.
    search       tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('english', title), 'A')
                     || setweight(to_tsvector('english', prompt), 'B')
                     || setweight(to_tsvector('english', answer), 'C')
                 ) STORED,
    UNIQUE (topic_id, slug)
);
CREATE INDEX question_search_idx ON question USING gin (search);
CREATE INDEX question_tags_idx ON question USING gin (tags);

CREATE TABLE article (
    article_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (is_slug(slug)),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary     text NOT NULL,
    body        text NOT NULL CHECK (length(body) >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

CREATE TABLE article_topic (
    article_id  uuid NOT NULL REFERENCES article (article_id),
    topic_id    uuid NOT NULL REFERENCES topic (topic_id),
    position    integer NOT NULL CHECK (position >= 0),
    PRIMARY KEY (article_id, topic_id)
);
CREATE INDEX article_topic_topic_idx ON article_topic (topic_id);

CREATE TABLE flashcard (
    flashcard_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    topic_id      uuid NOT NULL REFERENCES topic (topic_id),
    slug          text NOT NULL CHECK (is_slug(slug)),
    front         text NOT NULL CHECK (length(front) >= 1),
    back          text NOT NULL CHECK (length(back) >= 1),
    question_id   uuid REFERENCES question (question_id),
    position      integer NOT NULL CHECK (position >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    retired_at    timestamptz,
    UNIQUE (topic_id, slug)
);

CREATE TABLE quiz_item (
    quiz_item_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    topic_id      uuid NOT NULL REFERENCES topic (topic_id),
    slug          text NOT NULL CHECK (is_slug(slug)),
    kind          text NOT NULL CHECK (kind IN ('single_choice', 'multiple_choice', 'true_false', 'predict_output')),
    prompt        text NOT NULL CHECK (length(prompt) >= 1),
    code          text,
    options       text[] NOT NULL CHECK (cardinality(options) BETWEEN 2 AND 8),
    correct       smallint[] NOT NULL CHECK (cardinality(correct) >= 1),
    explanation   text NOT NULL CHECK (length(explanation) >= 1),
    question_id   uuid REFERENCES question (question_id),
    position      integer NOT NULL CHECK (position >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    retired_at    timestamptz,
    UNIQUE (topic_id, slug),
    CHECK (kind = 'multiple_choice' OR cardinality(correct) = 1),
    CHECK (kind <> 'predict_output' OR code IS NOT NULL),
    CHECK (0 <= ALL (correct) AND cardinality(options) > ALL (correct))
);
