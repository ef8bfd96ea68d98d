//! Reading an entity's current document and writing a new one through the seed's
//! validation and upsert (children ride along inside their whole topic).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::content::export::StoredQuestion;

use super::model::{Child, ContentDoc, ContentKind, TopicFields, slug_of};
use crate::content::bundle::{ArticleDoc, Bundle, FlashcardDoc, QuizItemDoc, TopicDoc, TrackDoc};
use crate::content::upsert::{self, Scope};
use crate::content::validate::validate_with;
use crate::content::{Problems, export};
use crate::slug::is_slug;

/// Why a lookup or a write of content cannot go ahead, in the content's own terms (the
/// admin handlers answer 404 and 422 for the first two).
#[derive(Debug)]
pub enum ContentError {
    NotFound(String),
    /// A child names a topic that does not exist (or is retired).
    UnknownTopic(String),
    /// Every problem found, as (field or entry, what is wrong).
    Invalid(Vec<(String, String)>),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for ContentError {
    fn from(err: sqlx::Error) -> Self {
        ContentError::Database(err)
    }
}

/// Finds an entity's id (and whether it is retired) by its key. Dynamic only in the
/// table and id column, which come from `kind` (six content tables, one shape).
pub async fn locate(conn: &mut PgConnection, kind: ContentKind, key: &str) -> Result<(Uuid, bool), ContentError> {
    let not_found = || ContentError::NotFound(format!("no {} {key:?}", kind.audit_kind()));
    let (table, id_col) = kind.table();
    let row: Option<(Uuid, bool)> = if kind.by_id() {
        let id: Uuid = key.parse().map_err(|_| not_found())?;
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {id_col}, retired_at IS NOT NULL FROM {table} WHERE {id_col} = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    } else {
        if !is_slug(key) {
            return Err(not_found());
        }
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {id_col}, retired_at IS NOT NULL FROM {table} WHERE slug = $1"
        )))
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?
    };
    row.ok_or_else(not_found)
}

/// The topic (id, slug) a child belongs to (dynamic only in the table, from `kind`).
async fn parent_topic(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> sqlx::Result<(Uuid, String)> {
    let (table, id_col) = kind.table();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.topic_id, t.slug FROM {table} x JOIN topic t ON t.topic_id = x.topic_id WHERE x.{id_col} = $1"
    )))
    .bind(id)
    .fetch_one(conn)
    .await
}

/// The current document of an entity (retired or not).
pub async fn load(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> sqlx::Result<ContentDoc> {
    Ok(match kind {
        ContentKind::Tracks => {
            let slug: String =
                sqlx::query_scalar!("SELECT slug FROM track WHERE track_id = $1", id).fetch_one(&mut *conn).await?;
            let (title, summary): (String, String) =
                sqlx::query!(r#"SELECT title AS "title!", summary AS "summary!" FROM track WHERE track_id = $1"#, id)
                    .map(|r| (r.title, r.summary))
                    .fetch_one(&mut *conn)
                    .await?;
            let stages: Vec<(Uuid, String, String, String)> = sqlx::query!(r#"SELECT stage_id AS "stage_id!", slug AS "slug!", title AS "title!", summary AS "summary!" FROM stage WHERE track_id = $1 AND retired_at IS NULL ORDER BY position"#, id)
        .map(|r| (r.stage_id, r.slug, r.title, r.summary))
            .fetch_all(&mut *conn)
            .await?;
            let placements: Vec<(Option<Uuid>, bool, String)> = sqlx::query!(r#"SELECT tt.stage_id AS "stage_id?", tt.elective AS "elective!", t.slug AS "slug!" FROM track_topic tt JOIN topic t ON t.topic_id = tt.topic_id
                   WHERE tt.track_id = $1 AND tt.retired_at IS NULL AND t.retired_at IS NULL ORDER BY tt.position"#, id)
        .map(|r| (r.stage_id, r.elective, r.slug))
            .fetch_all(&mut *conn)
            .await?;
            ContentDoc::Track(TrackDoc {
                slug,
                title,
                summary,
                stages: stages
                    .into_iter()
                    .map(|(sid, slug, title, summary)| crate::content::bundle::StageDoc {
                        slug,
                        title,
                        summary,
                        topics: placements.iter().filter(|p| p.0 == Some(sid) && !p.1).map(|p| p.2.clone()).collect(),
                    })
                    .collect(),
                electives: placements.iter().filter(|p| p.1).map(|p| p.2.clone()).collect(),
                source: String::new(),
            })
        }
        ContentKind::Topics => {
            let t = export::topic(conn, id).await?;
            ContentDoc::Topic(TopicFields {
                slug: t.slug,
                title: t.title,
                summary: t.summary,
                key_points: t.key_points,
                prerequisites: t.prerequisites,
            })
        }
        ContentKind::Questions | ContentKind::Flashcards | ContentKind::QuizItems => {
            let (topic_id, topic_slug) = parent_topic(conn, kind, id).await?;
            match kind {
                ContentKind::Questions => {
                    let doc = sqlx::query_as!(
                        StoredQuestion,
                        r#"SELECT slug, title, difficulty, tags, position, prompt, rubric, answer
                           FROM question WHERE question_id = $1"#,
                        id
                    )
                    .fetch_one(&mut *conn)
                    .await?
                    .into();
                    let _ = topic_id;
                    ContentDoc::Question(Child { topic: topic_slug, doc })
                }
                ContentKind::Flashcards => {
                    let (slug, front, back, question): (String, String, String, Option<String>) = sqlx::query!(r#"SELECT f.slug AS "slug!", f.front AS "front!", f.back AS "back!", q.slug AS "q_slug?" FROM flashcard f
                           LEFT JOIN question q ON q.question_id = f.question_id AND q.retired_at IS NULL
                           WHERE f.flashcard_id = $1"#, id)
        .map(|r| (r.slug, r.front, r.back, r.q_slug))
                    .fetch_one(&mut *conn)
                    .await?;
                    ContentDoc::Flashcard(Child {
                        topic: topic_slug,
                        doc: FlashcardDoc { slug, front, back, question },
                    })
                }
                _ => {
                    #[allow(clippy::type_complexity)]
                    let (slug, qkind, prompt, code, options, correct, explanation, question): (
                        String,
                        String,
                        String,
                        Option<String>,
                        Vec<String>,
                        Vec<i16>,
                        String,
                        Option<String>,
                    ) = sqlx::query!(r#"SELECT i.slug AS "slug!", i.kind AS "kind!", i.prompt AS "prompt!", i.code AS "code?", i.options AS "options!", i.correct AS "correct!", i.explanation AS "explanation!", q.slug AS "q_slug?" FROM quiz_item i
                           LEFT JOIN question q ON q.question_id = i.question_id AND q.retired_at IS NULL
                           WHERE i.quiz_item_id = $1"#, id)
        .map(|r| (r.slug, r.kind, r.prompt, r.code, r.options, r.correct, r.explanation, r.q_slug))
                    .fetch_one(&mut *conn)
                    .await?;
                    ContentDoc::QuizItem(Child {
                        topic: topic_slug,
                        doc: QuizItemDoc {
                            slug,
                            kind: qkind,
                            prompt,
                            code,
                            options,
                            correct: correct.into_iter().map(i64::from).collect(),
                            explanation,
                            question,
                        },
                    })
                }
            }
        }
        ContentKind::Articles => {
            let (slug, title, summary, body, topics): (String, String, String, String, Vec<String>) = sqlx::query!(
                r#"SELECT a.slug AS "slug!", a.title AS "title!", a.summary AS "summary!", a.body AS "body!",
                          ARRAY(SELECT t.slug FROM article_topic l JOIN topic t ON t.topic_id = l.topic_id
                                WHERE l.article_id = a.article_id ORDER BY l.position) AS "value!"
                   FROM article a WHERE a.article_id = $1"#,
                id
            )
            .map(|r| (r.slug, r.title, r.summary, r.body, r.value))
            .fetch_one(&mut *conn)
            .await?;
            ContentDoc::Article(ArticleDoc { slug, title, summary, topics, body, source: String::new() })
        }
    })
}

/// The bundle that writes `doc` (children ride along inside their whole topic).
pub async fn bundle_for(conn: &mut PgConnection, doc: &ContentDoc) -> Result<Bundle, ContentError> {
    let topic_of = async |conn: &mut PgConnection, slug: &str| -> Result<TopicDoc, ContentError> {
        let id: Option<Uuid> = if is_slug(slug) {
            sqlx::query_scalar!("SELECT topic_id FROM topic WHERE slug = $1 AND retired_at IS NULL", slug)
                .fetch_optional(&mut *conn)
                .await?
        } else {
            None
        };
        let id = id.ok_or_else(|| ContentError::UnknownTopic(slug.to_owned()))?;
        Ok(export::topic(conn, id).await?)
    };
    let mut bundle = Bundle::default();
    match doc {
        ContentDoc::Track(d) => bundle.tracks.push(d.clone()),
        ContentDoc::Topic(d) => {
            let mut topic = match topic_of(conn, &d.slug).await {
                Ok(existing) => existing,
                Err(_) => TopicDoc {
                    slug: d.slug.clone(),
                    title: String::new(),
                    summary: String::new(),
                    key_points: vec![],
                    prerequisites: vec![],
                    questions: vec![],
                    flashcards: vec![],
                    quiz: vec![],
                    source: String::new(),
                },
            };
            topic.title = d.title.clone();
            topic.summary = d.summary.clone();
            topic.key_points = d.key_points.clone();
            topic.prerequisites = d.prerequisites.clone();
            bundle.topics.push(topic);
        }
        ContentDoc::Question(c) => {
            let mut topic = topic_of(conn, &c.topic).await?;
            match topic.questions.iter_mut().find(|q| q.slug == c.doc.slug) {
                Some(q) => *q = c.doc.clone(),
                None => topic.questions.push(c.doc.clone()),
            }
            bundle.topics.push(topic);
        }
        ContentDoc::Flashcard(c) => {
            let mut topic = topic_of(conn, &c.topic).await?;
            match topic.flashcards.iter_mut().find(|x| x.slug == c.doc.slug) {
                Some(x) => *x = c.doc.clone(),
                None => topic.flashcards.push(c.doc.clone()),
            }
            bundle.topics.push(topic);
        }
        ContentDoc::QuizItem(c) => {
            let mut topic = topic_of(conn, &c.topic).await?;
            match topic.quiz.iter_mut().find(|x| x.slug == c.doc.slug) {
                Some(x) => *x = c.doc.clone(),
                None => topic.quiz.push(c.doc.clone()),
            }
            bundle.topics.push(topic);
        }
        ContentDoc::Article(d) => bundle.articles.push(d.clone()),
    }
    Ok(bundle)
}

/// Validates and applies `doc`; returns the entity's id.
pub async fn write(conn: &mut PgConnection, kind: ContentKind, doc: &ContentDoc) -> Result<Uuid, ContentError> {
    let bundle = bundle_for(conn, doc).await?;
    let known: std::collections::HashSet<String> =
        sqlx::query_scalar!("SELECT slug FROM topic WHERE retired_at IS NULL")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let mut problems = Problems::default();
    validate_with(&bundle, &known, &mut problems);
    if !problems.is_empty() {
        return Err(ContentError::Invalid(problems.0.iter().map(|p| (p.entry.clone(), p.problem.clone())).collect()));
    }
    upsert::apply(conn, &bundle, Scope::Bundle).await?;
    let (slug, topic) = slug_of(doc);
    // Dynamic only in the table, from `kind`: the id of what was just written.
    let (table, id_col) = kind.table();
    let id: Uuid = match topic {
        None => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT {id_col} FROM {table} WHERE slug = $1")))
                .bind(slug)
                .fetch_one(&mut *conn)
                .await?
        }
        Some(topic) => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT x.{id_col} FROM {table} x JOIN topic t ON t.topic_id = x.topic_id WHERE t.slug = $1 AND x.slug = $2"
        )))
        .bind(topic)
        .bind(slug)
        .fetch_one(&mut *conn)
        .await?,
    };
    Ok(id)
}

/// Serialises content writes with each other and with the seed command (one lock
/// for all, held until the transaction ends).
pub async fn lock_content(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", crate::content::SEED_LOCK).execute(conn).await?;
    Ok(())
}

/// Whether an entity of `kind` with this slug (under `topic` for a topic's children)
/// exists, retired or not. Dynamic only in the table name, which comes from `kind`.
pub async fn exists(conn: &mut PgConnection, kind: ContentKind, topic: Option<&str>, slug: &str) -> sqlx::Result<bool> {
    let (table, _) = kind.table();
    match topic {
        None => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE slug = $1)")))
                .bind(slug)
                .fetch_one(conn)
                .await
        }
        Some(topic) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT EXISTS (SELECT 1 FROM {table} x JOIN topic t ON t.topic_id = x.topic_id WHERE t.slug = $1 AND x.slug = $2)"
            )))
            .bind(topic)
            .bind(slug)
            .fetch_one(conn)
            .await
        }
    }
}

/// Retires or restores an entity (dynamic only in the table, which comes from `kind`).
pub async fn set_retired(conn: &mut PgConnection, kind: ContentKind, id: Uuid, retire: bool) -> sqlx::Result<()> {
    let (table, id_col) = kind.table();
    let sql = if retire {
        format!("UPDATE {table} SET retired_at = now(), updated_at = now() WHERE {id_col} = $1")
    } else {
        format!("UPDATE {table} SET retired_at = NULL, updated_at = now() WHERE {id_col} = $1")
    };
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(conn).await?;
    Ok(())
}

/// Stamps a major revision on a question or quiz item (other kinds take none): learners'
/// evidence from before it stops counting towards their verified progress.
pub async fn mark_major_revision(conn: &mut PgConnection, kind: ContentKind, id: Uuid) -> sqlx::Result<()> {
    match kind {
        ContentKind::Questions => {
            sqlx::query!("UPDATE question SET major_revision_at = now() WHERE question_id = $1", id)
                .execute(conn)
                .await?;
        }
        ContentKind::QuizItems => {
            sqlx::query!("UPDATE quiz_item SET major_revision_at = now() WHERE quiz_item_id = $1", id)
                .execute(conn)
                .await?;
        }
        _ => {}
    }
    Ok(())
}
