//! Outgoing mail: rendered when the event happens, queued as a job in the same
//! transaction (see [`crate::jobs`]), delivered by the worker over SMTP (`lettre`,
//! rustls) or, in development without `STUDYTRACK_SMTP_URL`, written to the log.

pub mod templates;

use std::sync::Arc;

use futures_util::future::BoxFuture;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use crate::config::Settings;
use crate::jobs::{self, Job};

/// The job kind of a mail.
pub const KIND: &str = "mail";

/// A mail as queued: everything needed to send it, so a retry sends the same message
/// (the same Message-ID: a receiver that got the first attempt can recognise it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    /// One-click unsubscribe address (RFC 8058) for mails a learner opted into.
    #[serde(default)]
    pub list_unsubscribe: Option<String>,
}

impl Mail {
    /// Renders template `name` for `to`.
    pub fn render<C: Serialize>(to: &str, subject: &str, name: &str, context: &C) -> anyhow::Result<Mail> {
        let (text, html) = templates::render(name, context)?;
        Ok(Mail {
            to: to.to_owned(),
            subject: subject.to_owned(),
            text,
            html,
            message_id: format!("<{}@studytrack>", uuid::Uuid::new_v4()),
            list_unsubscribe: None,
        })
    }

    /// Marks the mail as one the recipient can stop with one click at `url` (a POST).
    pub fn with_list_unsubscribe(mut self, url: String) -> Mail {
        self.list_unsubscribe = Some(url);
        self
    }

    /// Queues the mail inside the caller's transaction: it is sent if, and only if, the
    /// change that causes it commits.
    pub async fn queue(&self, conn: &mut PgConnection) -> sqlx::Result<i64> {
        jobs::enqueue(conn, KIND, self).await
    }
}

/// Where mail goes.
pub enum Mailer {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    /// Development without an SMTP server: each mail is logged, links included.
    Log,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        let Some(url) = &settings.smtp_url else { return Ok(Mailer::Log) };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("STUDYTRACK_SMTP_URL is not usable: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from =
            settings.mail_from.parse().map_err(|e| anyhow::anyhow!("STUDYTRACK_MAIL_FROM is not a mailbox: {e}"))?;
        Ok(Mailer::Smtp { transport: Box::new(transport), from })
    }

    pub async fn send(&self, mail: &Mail) -> anyhow::Result<()> {
        match self {
            Mailer::Log => {
                tracing::info!(to = %mail.to, subject = %mail.subject, message_id = %mail.message_id, body = %mail.text, "mail (no SMTP server configured)");
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let mut builder = Message::builder()
                    .from(from.clone())
                    .to(mail.to.parse()?)
                    .subject(&mail.subject)
                    .message_id(Some(mail.message_id.clone()));
                if let Some(url) = &mail.list_unsubscribe {
                    builder = builder
                        .raw_header(HeaderValue::new(
                            HeaderName::new_from_ascii_str("List-Unsubscribe"),
                            format!("<{url}>"),
                        ))
                        .raw_header(HeaderValue::new(
                            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                            "List-Unsubscribe=One-Click".to_owned(),
                        ));
                }
                let message =
                    builder.multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))?;
                transport.send(message).await?;
                Ok(())
            }
        }
    }
}

/// Runs `mail` jobs.
pub struct MailHandler(pub Arc<Mailer>);

impl jobs::Handler for MailHandler {
    fn handles(&self, kind: &str) -> bool {
        kind == KIND
    }

    fn run<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mail: Mail = serde_json::from_value(job.payload.0.clone())?;
            self.0.send(&mail).await
        })
    }
}
