//! Sending statements: the job handler of instances configured with an LRS.

use std::time::Duration;

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::statement::{self, Object};
use super::{JOB_KIND, store};
use crate::jobs::{Handler, Job, MAX_ATTEMPTS};

/// Where statements go and as whom.
#[derive(Debug, Clone)]
pub struct LrsConfig {
    /// The LRS's xAPI base, e.g. `https://lrs.example.edu/xAPI/` (statements go to
    /// `statements` under it).
    pub endpoint: String,
    pub username: String,
    pub password: SecretString,
    /// The `homePage` of learners' accounts and the base of activity ids.
    pub home_page: String,
    pub timeout: Duration,
}

pub struct Forwarder {
    pool: PgPool,
    client: reqwest::Client,
    config: LrsConfig,
}

/// What went wrong with one attempt, and whether trying again can help.
enum Failure {
    /// The LRS refused the statement itself (4xx): retrying sends the same bytes.
    Refused(i32, String),
    /// The LRS or the network failed: worth another attempt.
    Transient(Option<i32>, String),
}

impl Forwarder {
    pub fn new(pool: PgPool, config: LrsConfig) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .user_agent(concat!("studytrack-xapi/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Forwarder { pool, client, config })
    }

    /// The statement for a stored event, from the content it names; `None` when that
    /// content no longer exists (nothing can be said about it).
    async fn build(&self, row: &store::StatementRow) -> anyhow::Result<Option<Value>> {
        let data = &row.event["data"];
        let object_id: Uuid = serde_json::from_value(data["object_id"].clone())?;
        let object = match row.event_type.as_str() {
            "topic.completed" => {
                store::topic(&self.pool, object_id).await?.map(|(slug, title)| Object::Topic { slug, title })
            }
            "quiz.submitted" => store::quiz(&self.pool, object_id).await?.map(|(scope, mode)| Object::Quiz {
                scope: scope_path(&scope),
                mode,
                scaled: data["score"].as_f64().unwrap_or(0.0),
            }),
            "review.recorded" => store::flashcard(&self.pool, object_id).await?.map(|(topic, slug)| {
                Object::Flashcard { topic, slug, rating: data["result"].as_str().unwrap_or_default().to_owned() }
            }),
            "interview.completed" => store::interview(&self.pool, object_id)
                .await?
                .map(|scope| Object::Interview { scope: scope_path(&scope) }),
            other => anyhow::bail!("no xAPI statement for {other} events"),
        };
        let timestamp = row.event["timestamp"].as_str().unwrap_or_default();
        let home = self.config.home_page.trim_end_matches('/');
        Ok(object.map(|o| statement::build(row.statement_id, home, row.user_id, timestamp, &o)))
    }

    async fn put(&self, id: Uuid, body: &Value) -> Result<(), Failure> {
        let url = format!("{}/statements", self.config.endpoint.trim_end_matches('/'));
        let answer = self
            .client
            .put(url)
            .query(&[("statementId", id.to_string())])
            .basic_auth(&self.config.username, Some(self.config.password.expose_secret()))
            .header("X-Experience-API-Version", "1.0.3")
            .json(body)
            .send()
            .await;
        match answer {
            // 409: a statement with this id is stored already (an earlier attempt got
            // through before its answer was lost).
            Ok(r) if r.status().is_success() || r.status().as_u16() == 409 => Ok(()),
            Ok(r) => {
                let code = i32::from(r.status().as_u16());
                let text: String = r.text().await.unwrap_or_default().chars().take(500).collect();
                if (400..500).contains(&code) && code != 408 && code != 429 && code != 401 && code != 403 {
                    Err(Failure::Refused(code, text))
                } else {
                    Err(Failure::Transient(Some(code), text))
                }
            }
            Err(err) => Err(Failure::Transient(None, err.to_string())),
        }
    }

    async fn send(&self, job: &Job) -> anyhow::Result<()> {
        let id: Uuid = serde_json::from_value(job.payload.0["statement_id"].clone())?;
        let Some(row) = store::get(&self.pool, id).await? else { return Ok(()) };
        if row.status != "pending" {
            return Ok(());
        }
        let body = match &row.statement {
            Some(kept) => kept.clone(),
            None => match self.build(&row).await? {
                Some(built) => {
                    store::keep_statement(&self.pool, id, &built).await?;
                    built
                }
                None => {
                    store::record(&self.pool, id, "dead", None, Some("its content no longer exists")).await?;
                    return Ok(());
                }
            },
        };
        match self.put(id, &body).await {
            Ok(()) => Ok(store::record(&self.pool, id, "sent", None, None).await?),
            Err(Failure::Refused(code, why)) => {
                tracing::warn!(statement = %id, code, %why, "the LRS refused a statement; it is dead");
                store::record(&self.pool, id, "dead", Some(code), Some(&why)).await?;
                Ok(())
            }
            Err(Failure::Transient(code, why)) => {
                let status = if job.attempts >= MAX_ATTEMPTS { "dead" } else { "pending" };
                store::record(&self.pool, id, status, code, Some(&why)).await?;
                anyhow::bail!("LRS: {why}")
            }
        }
    }
}

/// The path of a quiz's activity id from its stored scope: `tracks/{t}`,
/// `tracks/{t}/stages/{s}` or `topics/{a}+{b}` (sorted, so the same topics are the
/// same activity).
fn scope_path(scope: &Value) -> String {
    match (scope["track"].as_str(), scope["stage"].as_str()) {
        (Some(track), Some(stage)) => format!("tracks/{track}/stages/{stage}"),
        (Some(track), None) => format!("tracks/{track}"),
        _ => {
            let mut topics: Vec<&str> =
                scope["topics"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            topics.sort_unstable();
            format!("topics/{}", topics.join("+"))
        }
    }
}

impl Handler for Forwarder {
    fn handles(&self, kind: &str) -> bool {
        kind == JOB_KIND
    }

    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(self.send(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiz_scopes_become_stable_paths() {
        assert_eq!(scope_path(&serde_json::json!({"track": "python"})), "tracks/python");
        assert_eq!(scope_path(&serde_json::json!({"track": "python", "stage": "core"})), "tracks/python/stages/core");
        assert_eq!(scope_path(&serde_json::json!({"topics": ["b", "a"]})), "topics/a+b");
    }
}
