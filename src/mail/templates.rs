//! Mail bodies from templates (minijinja): a plain-text and an HTML part per mail.
//! HTML templates escape every value (autoescape by the `.html` name), so a display
//! name like `<script>` arrives as text; nothing is assembled by concatenation.

use std::sync::LazyLock;

use minijinja::Environment;
use serde::Serialize;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("reset_password.txt", include_str!("templates/reset_password.txt")),
        ("reset_password.html", include_str!("templates/reset_password.html")),
        ("password_changed.txt", include_str!("templates/password_changed.txt")),
        ("password_changed.html", include_str!("templates/password_changed.html")),
        ("confirm_email_change.txt", include_str!("templates/confirm_email_change.txt")),
        ("confirm_email_change.html", include_str!("templates/confirm_email_change.html")),
        ("email_change_notice.txt", include_str!("templates/email_change_notice.txt")),
        ("email_change_notice.html", include_str!("templates/email_change_notice.html")),
        ("verify_registration.txt", include_str!("templates/verify_registration.txt")),
        ("verify_registration.html", include_str!("templates/verify_registration.html")),
        ("signup_attempt.txt", include_str!("templates/signup_attempt.txt")),
        ("signup_attempt.html", include_str!("templates/signup_attempt.html")),
        ("verify_address.txt", include_str!("templates/verify_address.txt")),
        ("verify_address.html", include_str!("templates/verify_address.html")),
        ("study_reminder.txt", include_str!("templates/study_reminder.txt")),
        ("study_reminder.html", include_str!("templates/study_reminder.html")),
    ] {
        // The sources are compiled in; a syntax error fails the unit test below.
        if let Err(err) = env.add_template(name, source) {
            tracing::error!(template = name, error = %err, "mail template does not compile");
        }
    }
    env
});

/// The two bodies of the mail called `name`, from `context`.
pub fn render<C: Serialize>(name: &str, context: &C) -> anyhow::Result<(String, String)> {
    let text = TEMPLATES.get_template(&format!("{name}.txt"))?.render(minijinja::value::Serde(context))?;
    let html = TEMPLATES.get_template(&format!("{name}.html"))?.render(minijinja::value::Serde(context))?;
    Ok((text, html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_and_html_is_escaped() {
        let context = serde_json::json!({
            "display_name": "<script>alert(1)</script> & co",
            "link": "https://app.example/reset-password?token=abc&x=\"1\"",
            "minutes": 60,
            "app_url": "https://app.example",
            "new_email": "new@example.com",
            "done": false,
            "hours": 24,
            "cards_due_today": 3,
            "streak_at_risk": true,
            "streak": 4,
            "next_topics": [{"track": "Python", "topic": "Functions", "percent": 40}],
            "unsubscribe_link": "https://app.example/unsubscribe?token=abc",
        });
        for name in [
            "reset_password",
            "password_changed",
            "confirm_email_change",
            "email_change_notice",
            "verify_registration",
            "signup_attempt",
            "study_reminder",
            "verify_address",
        ] {
            let (text, html) = render(name, &context).unwrap();
            assert!(text.contains("<script>alert(1)</script> & co"), "plain text keeps the name as written");
            assert!(!html.contains("<script>"), "{name}: the name reached the HTML unescaped: {html}");
            assert!(html.contains("&lt;script&gt;"), "{name}: {html}");
        }
    }
}
