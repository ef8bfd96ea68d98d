//! Writing a validated bundle: insert what is new, update what changed, leave the rest
//! untouched (same id, same `updated_at`), retire what disappeared.
//!
//! Every statement is an `INSERT .. ON CONFLICT (natural key) DO UPDATE .. WHERE the row
//! differs`, so "unchanged" is decided by PostgreSQL comparing the stored row, and a
//! retired row that comes back is restored with its old id (and the learners' history
//! that points at it).
//!
//! A new question, flashcard or quiz item takes the id its draft reserved (see the
//! `editorial` migration), so what a preview showed and what is published share ids.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::bundle::Bundle;
use super::report::{Kind, SeedReport};

/// What happened to one upserted row.
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// How far a bundle reaches when it comes to retiring what it does not mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The bundle is the whole catalogue (the seed directory): anything it does not
    /// hold is retired.
    Catalogue,
    /// The bundle covers only what it names (an import of one track): stages and
    /// placements of its tracks, and questions, flashcards and quiz items of its
    /// topics, are retired when missing; other tracks, topics and articles are left
    /// alone.
    Bundle,
}

/// Applies `bundle` within `scope`. The caller owns the transaction.
pub async fn apply(conn: &mut PgConnection, bundle: &Bundle, scope: Scope) -> sqlx::Result<SeedReport> {
    let mut report = SeedReport::default();
    let mut seen: HashMap<Kind, Vec<Uuid>> = HashMap::new();
    // Topics the bundle refers to without holding them (validated to exist).
    let mut topic_ids: HashMap<&str, Uuid> = HashMap::new();
    let held: std::collections::HashSet<&str> = bundle.topics.iter().map(|t| t.slug.as_str()).collect();
    let referenced: Vec<&str> = bundle
        .tracks
        .iter()
        .flat_map(|t| t.stages.iter().flat_map(|s| s.topics.iter()).chain(t.electives.iter()))
        .chain(bundle.topics.iter().flat_map(|t| t.prerequisites.iter()))
        .chain(bundle.articles.iter().flat_map(|a| a.topics.iter()))
        .map(String::as_str)
        .filter(|slug| !held.contains(slug))
        .collect();
    if !referenced.is_empty() {
        let rows: Vec<(String, Uuid)> = sqlx::query!(
            r#"SELECT slug AS "slug!", topic_id AS "topic_id!" FROM topic WHERE slug = ANY ($1)"#,
            &referenced[..] as &[&str]
        )
        .map(|r| (r.slug, r.topic_id))
        .fetch_all(&mut *conn)
        .await?;
        for (slug, id) in rows {
            if let Some(s) = referenced.iter().find(|r| **r == slug) {
                topic_ids.insert(s, id);
            }
        }
    }

    for topic in &bundle.topics {
        let (id, outcome) = upsert_topic(conn, &topic.slug, &topic.title, &topic.summary, &topic.key_points).await?;
        report.count(Kind::Topics, outcome_name(&outcome), &topic.slug);
        seen.entry(Kind::Topics).or_default().push(id);
        topic_ids.insert(topic.slug.as_str(), id);
    }

    let mut placed_tracks = Vec::new();
    let mut placed_topics = Vec::new();
    for track in &bundle.tracks {
        let (track_id, outcome) = upsert_track(conn, &track.slug, &track.title, &track.summary).await?;
        report.count(Kind::Tracks, outcome_name(&outcome), &track.slug);
        seen.entry(Kind::Tracks).or_default().push(track_id);
        for (stage_pos, stage) in track.stages.iter().enumerate() {
            let (stage_id, outcome) =
                upsert_stage(conn, track_id, &stage.slug, &stage.title, &stage.summary, position(stage_pos)).await?;
            report.count(Kind::Stages, outcome_name(&outcome), &format!("{}/{}", track.slug, stage.slug));
            seen.entry(Kind::Stages).or_default().push(stage_id);
            for (pos, topic) in stage.topics.iter().enumerate() {
                let topic_id = topic_ids[topic.as_str()];
                let outcome = upsert_placement(conn, track_id, topic_id, Some(stage_id), position(pos), false).await?;
                report.count(Kind::Placements, outcome_name(&outcome), &format!("{}/{}", track.slug, topic));
                placed_tracks.push(track_id);
                placed_topics.push(topic_id);
            }
        }
        for (pos, topic) in track.electives.iter().enumerate() {
            let topic_id = topic_ids[topic.as_str()];
            let outcome = upsert_placement(conn, track_id, topic_id, None, position(pos), true).await?;
            report.count(Kind::Placements, outcome_name(&outcome), &format!("{}/{}", track.slug, topic));
            placed_tracks.push(track_id);
            placed_topics.push(topic_id);
        }
    }

    for topic in &bundle.topics {
        let topic_id = topic_ids[topic.slug.as_str()];
        let prerequisites: Vec<Uuid> = topic.prerequisites.iter().map(|p| topic_ids[p.as_str()]).collect();
        sync_prerequisites(conn, topic_id, &prerequisites).await?;

        let mut question_ids: HashMap<&str, Uuid> = HashMap::new();
        for (pos, q) in topic.questions_in_order().into_iter().enumerate() {
            let rubric: Vec<String> = q.rubric.iter().map(|point| point.trim().to_owned()).collect();
            let row = sqlx::query_as!(
                Upserted,
                r#"
                INSERT INTO question (question_id, topic_id, slug, title, prompt, answer, difficulty, tags, position, rubric)
                VALUES (COALESCE((SELECT d.entity_id FROM content_draft d
                                  WHERE d.kind = 'questions' AND d.is_new AND d.slug = $2
                                    AND d.topic_slug = (SELECT slug FROM topic WHERE topic_id = $1)),
                                 gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (topic_id, slug) DO UPDATE
                SET title = excluded.title, prompt = excluded.prompt, answer = excluded.answer,
                    difficulty = excluded.difficulty, tags = excluded.tags, position = excluded.position,
                    rubric = excluded.rubric, retired_at = NULL, updated_at = now()
                WHERE (question.title, question.prompt, question.answer, question.difficulty, question.tags,
                       question.position, question.rubric, question.retired_at)
                      IS DISTINCT FROM
                      (excluded.title, excluded.prompt, excluded.answer, excluded.difficulty, excluded.tags,
                       excluded.position, excluded.rubric, NULL::timestamptz)
                RETURNING question_id AS id, (xmax = 0) AS "created!"
                "#,
                topic_id,
                &q.slug,
                q.title.trim(),
                q.prompt.trim(),
                &q.answer,
                &q.difficulty,
                &q.tags,
                position(pos),
                &rubric
            )
            .fetch_optional(&mut *conn)
            .await?;
            let (id, outcome) = match row {
                Some(row) => row.outcome(),
                None => (
                    sqlx::query_scalar!(
                        "SELECT question_id FROM question WHERE topic_id = $1 AND slug = $2",
                        topic_id,
                        &q.slug
                    )
                    .fetch_one(&mut *conn)
                    .await?,
                    Outcome::Unchanged,
                ),
            };
            report.count(Kind::Questions, outcome_name(&outcome), &format!("{}/{}", topic.slug, q.slug));
            seen.entry(Kind::Questions).or_default().push(id);
            question_ids.insert(q.slug.as_str(), id);
        }

        for (pos, card) in topic.flashcards.iter().enumerate() {
            let question_id = card.question.as_deref().map(|s| question_ids[s]);
            let row = sqlx::query_as!(
                Upserted,
                r#"
                INSERT INTO flashcard (flashcard_id, topic_id, slug, front, back, question_id, position)
                VALUES (COALESCE((SELECT d.entity_id FROM content_draft d
                                  WHERE d.kind = 'flashcards' AND d.is_new AND d.slug = $2
                                    AND d.topic_slug = (SELECT slug FROM topic WHERE topic_id = $1)),
                                 gen_random_uuid()), $1, $2, $3, $4, $5, $6)
                ON CONFLICT (topic_id, slug) DO UPDATE
                SET front = excluded.front, back = excluded.back, question_id = excluded.question_id,
                    position = excluded.position, retired_at = NULL, updated_at = now()
                WHERE (flashcard.front, flashcard.back, flashcard.question_id, flashcard.position, flashcard.retired_at)
                      IS DISTINCT FROM
                      (excluded.front, excluded.back, excluded.question_id, excluded.position, NULL::timestamptz)
                RETURNING flashcard_id AS id, (xmax = 0) AS "created!"
                "#,
                topic_id,
                &card.slug,
                card.front.trim(),
                card.back.trim(),
                question_id,
                position(pos)
            )
            .fetch_optional(&mut *conn)
            .await?;
            let (id, outcome) = match row {
                Some(row) => row.outcome(),
                None => (
                    sqlx::query_scalar!(
                        "SELECT flashcard_id FROM flashcard WHERE topic_id = $1 AND slug = $2",
                        topic_id,
                        &card.slug
                    )
                    .fetch_one(&mut *conn)
                    .await?,
                    Outcome::Unchanged,
                ),
            };
            report.count(Kind::Flashcards, outcome_name(&outcome), &format!("{}/{}", topic.slug, card.slug));
            seen.entry(Kind::Flashcards).or_default().push(id);
        }

        for (pos, item) in topic.quiz.iter().enumerate() {
            let question_id = item.question.as_deref().map(|s| question_ids[s]);
            let correct: Vec<i16> = item.correct.iter().map(|&c| i16::try_from(c).unwrap_or(i16::MAX)).collect();
            let row = sqlx::query_as!(Upserted, r#"
                INSERT INTO quiz_item (quiz_item_id, topic_id, slug, kind, prompt, code, options, correct, explanation, question_id, position)
                VALUES (COALESCE((SELECT d.entity_id FROM content_draft d
                                  WHERE d.kind = 'quiz-items' AND d.is_new AND d.slug = $2
                                    AND d.topic_slug = (SELECT slug FROM topic WHERE topic_id = $1)),
                                 gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (topic_id, slug) DO UPDATE
                SET kind = excluded.kind, prompt = excluded.prompt, code = excluded.code, options = excluded.options,
                    correct = excluded.correct, explanation = excluded.explanation, question_id = excluded.question_id,
                    position = excluded.position, retired_at = NULL, updated_at = now()
                WHERE (quiz_item.kind, quiz_item.prompt, quiz_item.code, quiz_item.options, quiz_item.correct,
                       quiz_item.explanation, quiz_item.question_id, quiz_item.position, quiz_item.retired_at)
                      IS DISTINCT FROM
                      (excluded.kind, excluded.prompt, excluded.code, excluded.options, excluded.correct,
                       excluded.explanation, excluded.question_id, excluded.position, NULL::timestamptz)
                RETURNING quiz_item_id AS id, (xmax = 0) AS "created!"
                "#, topic_id, &item.slug, &item.kind, item.prompt.trim(), item.code.as_deref().map(|c| c.trim_end_matches('\n')), &item.effective_options(), &correct, item.explanation.trim(), question_id, position(pos))
            .fetch_optional(&mut *conn)
            .await?;
            let (id, outcome) = match row {
                Some(row) => row.outcome(),
                None => (
                    sqlx::query_scalar!(
                        "SELECT quiz_item_id FROM quiz_item WHERE topic_id = $1 AND slug = $2",
                        topic_id,
                        &item.slug
                    )
                    .fetch_one(&mut *conn)
                    .await?,
                    Outcome::Unchanged,
                ),
            };
            report.count(Kind::QuizItems, outcome_name(&outcome), &format!("{}/{}", topic.slug, item.slug));
            seen.entry(Kind::QuizItems).or_default().push(id);
        }
    }

    for article in &bundle.articles {
        let row = sqlx::query_as!(
            Upserted,
            r#"
            INSERT INTO article (slug, title, summary, body) VALUES ($1, $2, $3, $4)
            ON CONFLICT (slug) DO UPDATE
            SET title = excluded.title, summary = excluded.summary, body = excluded.body,
                retired_at = NULL, updated_at = now()
            WHERE (article.title, article.summary, article.body, article.retired_at)
                  IS DISTINCT FROM (excluded.title, excluded.summary, excluded.body, NULL::timestamptz)
            RETURNING article_id AS id, (xmax = 0) AS "created!"
            "#,
            &article.slug,
            article.title.trim(),
            article.summary.trim(),
            &article.body
        )
        .fetch_optional(&mut *conn)
        .await?;
        let (id, outcome) = match row {
            Some(row) => row.outcome(),
            None => (
                sqlx::query_scalar!("SELECT article_id FROM article WHERE slug = $1", &article.slug)
                    .fetch_one(&mut *conn)
                    .await?,
                Outcome::Unchanged,
            ),
        };
        report.count(Kind::Articles, outcome_name(&outcome), &article.slug);
        seen.entry(Kind::Articles).or_default().push(id);
        let topics: Vec<Uuid> = article.topics.iter().map(|t| topic_ids[t.as_str()]).collect();
        sync_article_topics(conn, id, &topics).await?;
    }

    // What the bundle is responsible for: everything, or its own tracks and topics.
    let bundle_tracks: Option<Vec<Uuid>> =
        (scope == Scope::Bundle).then(|| seen.get(&Kind::Tracks).cloned().unwrap_or_default());
    let bundle_topics: Option<Vec<Uuid>> = (scope == Scope::Bundle)
        .then(|| bundle.topics.iter().filter_map(|t| topic_ids.get(t.slug.as_str()).copied()).collect());
    for kind in
        [Kind::Articles, Kind::QuizItems, Kind::Flashcards, Kind::Questions, Kind::Stages, Kind::Tracks, Kind::Topics]
    {
        let parent = match kind {
            Kind::QuizItems | Kind::Flashcards | Kind::Questions => bundle_topics.as_ref().map(|ids| ("topic_id", ids)),
            Kind::Stages => bundle_tracks.as_ref().map(|ids| ("track_id", ids)),
            _ if scope == Scope::Bundle => continue,
            _ => None,
        };
        let ids = seen.remove(&kind).unwrap_or_default();
        // Dynamic on purpose: the same retirement for seven tables, whose names come from
        // the closed `Kind` enum (never from input); seven pairs of static copies would
        // differ only in those names.
        let (table, id_col) = kind.table();
        let sql = match parent {
            None => format!(
                "UPDATE {table} SET retired_at = now(), updated_at = now() WHERE retired_at IS NULL AND {id_col} <> ALL($1) AND $2::uuid[] IS NULL"
            ),
            Some((parent_col, _)) => format!(
                "UPDATE {table} SET retired_at = now(), updated_at = now() WHERE retired_at IS NULL AND {id_col} <> ALL($1) AND {parent_col} = ANY($2)"
            ),
        };
        let parents: Option<&Vec<Uuid>> = parent.map(|(_, ids)| ids);
        let retired: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{sql} RETURNING {}", kind.label())))
            .bind(&ids)
            .bind(parents)
            .fetch_all(&mut *conn)
            .await?;
        report.add_retired(kind, retired);
    }
    let retired: Vec<String> = sqlx::query_scalar!(
        r#"
        UPDATE track_topic SET retired_at = now(), updated_at = now()
        WHERE retired_at IS NULL
          AND ($3::uuid[] IS NULL OR track_id = ANY ($3))
          AND NOT EXISTS (SELECT 1 FROM unnest($1::uuid[], $2::uuid[]) AS kept(track_id, topic_id)
                          WHERE kept.track_id = track_topic.track_id AND kept.topic_id = track_topic.topic_id)
        RETURNING (SELECT tr.slug FROM track tr WHERE tr.track_id = track_topic.track_id) || '/'
                  || (SELECT tp.slug FROM topic tp WHERE tp.topic_id = track_topic.topic_id) AS "placement!"
        "#,
        &placed_tracks,
        &placed_topics,
        bundle_tracks.as_deref()
    )
    .fetch_all(&mut *conn)
    .await?;
    report.add_retired(Kind::Placements, retired);
    Ok(report)
}

fn position(index: usize) -> i32 {
    i32::try_from(index).unwrap_or(i32::MAX)
}

fn outcome_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Created => "created",
        Outcome::Updated => "updated",
        Outcome::Unchanged => "unchanged",
    }
}

/// What an upsert's `RETURNING <id> AS id, (xmax = 0) AS created` gives; no row at all
/// when the stored row already said the same (its `WHERE ... IS DISTINCT FROM` skipped it).
struct Upserted {
    id: Uuid,
    created: bool,
}

impl Upserted {
    fn outcome(self) -> (Uuid, Outcome) {
        (self.id, if self.created { Outcome::Created } else { Outcome::Updated })
    }
}

async fn upsert_track(
    conn: &mut PgConnection,
    slug: &str,
    title: &str,
    summary: &str,
) -> sqlx::Result<(Uuid, Outcome)> {
    let row = sqlx::query_as!(Upserted, r#"
        INSERT INTO track (slug, title, summary) VALUES ($1, $2, $3)
        ON CONFLICT (slug) DO UPDATE
        SET title = excluded.title, summary = excluded.summary, retired_at = NULL, updated_at = now()
        WHERE (track.title, track.summary, track.retired_at) IS DISTINCT FROM (excluded.title, excluded.summary, NULL::timestamptz)
        RETURNING track_id AS id, (xmax = 0) AS "created!"
        "#, slug, title.trim(), summary.trim())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => row.outcome(),
        None => (
            sqlx::query_scalar!("SELECT track_id FROM track WHERE slug = $1", slug).fetch_one(&mut *conn).await?,
            Outcome::Unchanged,
        ),
    })
}

async fn upsert_topic(
    conn: &mut PgConnection,
    slug: &str,
    title: &str,
    summary: &str,
    key_points: &[String],
) -> sqlx::Result<(Uuid, Outcome)> {
    let row = sqlx::query_as!(
        Upserted,
        r#"
        INSERT INTO topic (slug, title, summary, key_points) VALUES ($1, $2, $3, $4)
        ON CONFLICT (slug) DO UPDATE
        SET title = excluded.title, summary = excluded.summary, key_points = excluded.key_points,
            retired_at = NULL, updated_at = now()
        WHERE (topic.title, topic.summary, topic.key_points, topic.retired_at)
              IS DISTINCT FROM (excluded.title, excluded.summary, excluded.key_points, NULL::timestamptz)
        RETURNING topic_id AS id, (xmax = 0) AS "created!"
        "#,
        slug,
        title.trim(),
        summary.trim(),
        key_points
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => row.outcome(),
        None => (
            sqlx::query_scalar!("SELECT topic_id FROM topic WHERE slug = $1", slug).fetch_one(&mut *conn).await?,
            Outcome::Unchanged,
        ),
    })
}

async fn upsert_stage(
    conn: &mut PgConnection,
    track_id: Uuid,
    slug: &str,
    title: &str,
    summary: &str,
    position: i32,
) -> sqlx::Result<(Uuid, Outcome)> {
    let row = sqlx::query_as!(
        Upserted,
        r#"
        INSERT INTO stage (track_id, slug, title, summary, position) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (track_id, slug) DO UPDATE
        SET title = excluded.title, summary = excluded.summary, position = excluded.position,
            retired_at = NULL, updated_at = now()
        WHERE (stage.title, stage.summary, stage.position, stage.retired_at)
              IS DISTINCT FROM (excluded.title, excluded.summary, excluded.position, NULL::timestamptz)
        RETURNING stage_id AS id, (xmax = 0) AS "created!"
        "#,
        track_id,
        slug,
        title.trim(),
        summary.trim(),
        position
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => row.outcome(),
        None => (
            sqlx::query_scalar!("SELECT stage_id FROM stage WHERE track_id = $1 AND slug = $2", track_id, slug)
                .fetch_one(&mut *conn)
                .await?,
            Outcome::Unchanged,
        ),
    })
}

async fn upsert_placement(
    conn: &mut PgConnection,
    track_id: Uuid,
    topic_id: Uuid,
    stage_id: Option<Uuid>,
    position: i32,
    elective: bool,
) -> sqlx::Result<Outcome> {
    let row = sqlx::query!(
        r#"
        INSERT INTO track_topic (track_id, topic_id, stage_id, position, elective) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (track_id, topic_id) DO UPDATE
        SET stage_id = excluded.stage_id, position = excluded.position, elective = excluded.elective,
            retired_at = NULL, updated_at = now()
        WHERE (track_topic.stage_id, track_topic.position, track_topic.elective, track_topic.retired_at)
              IS DISTINCT FROM (excluded.stage_id, excluded.position, excluded.elective, NULL::timestamptz)
        RETURNING (xmax = 0) AS "created!"
        "#,
        track_id,
        topic_id,
        stage_id,
        position,
        elective
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) if row.created => Outcome::Created,
        Some(_) => Outcome::Updated,
        None => Outcome::Unchanged,
    })
}

async fn sync_prerequisites(conn: &mut PgConnection, topic_id: Uuid, prerequisites: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM topic_prerequisite WHERE topic_id = $1 AND prerequisite_id <> ALL($2)",
        topic_id,
        prerequisites
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("INSERT INTO topic_prerequisite (topic_id, prerequisite_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING", topic_id, prerequisites)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn sync_article_topics(conn: &mut PgConnection, article_id: Uuid, topics: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM article_topic WHERE article_id = $1 AND topic_id <> ALL($2)", article_id, topics)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        INSERT INTO article_topic (article_id, topic_id, position)
        SELECT $1, t.topic_id, (t.ord - 1)::int FROM unnest($2::uuid[]) WITH ORDINALITY AS t(topic_id, ord)
        ON CONFLICT (article_id, topic_id) DO UPDATE SET position = excluded.position
        WHERE article_topic.position <> excluded.position
        "#,
        article_id,
        topics
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
