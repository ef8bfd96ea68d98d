//! Every route of the API in one place: method, path and handler, one line each. The
//! server mounts exactly this table and the OpenAPI document is built from it, so the
//! document can only describe handlers that are really mounted. The paths in the
//! comments are checked against the document by `tests/api/openapi.rs`.
//!
//! Routes are nested in scopes by their leading segments (`/questions`,
//! `/tracks/{track}`, `/me`, ...), each handler's own path relative to its scope.
//! actix tries a scope's resources one by one, running each pattern; nested, a cached
//! question GET runs one pattern instead of six (routing was 7.5 % of the server's CPU
//! under wrk, 4 % nested). The OpenAPI document is the same either way.

use actix_web::middleware::from_fn;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::{
    account, admin, annotations, auth, catalog, feed, interview, offline, optimizer, plan, profile, progress, quiz,
    reminders, review, sync, web,
};

/// Mounts every documented route; `import_limit` is the admin import's body limit.
pub fn register(cfg: &mut ServiceConfig, import_limit: usize) {
    cfg.service(
        scope::scope("/api/v1")
            .wrap(from_fn(web::rate_limit::enforce))
            .service(
                scope::scope("/tracks")
                    // Catalog: public, cacheable content.
                    .service(catalog::routes::list_tracks) // GET /api/v1/tracks
                    .service(
                        scope::scope("/{track}")
                            .service(progress::routes::get_track) // GET /api/v1/tracks/{track}
                            .service(feed::routes::list_track_changes) // GET /api/v1/tracks/{track}/changes
                            .service(offline::routes::get_track_bundle) // GET /api/v1/tracks/{track}/bundle
                            .service(catalog::routes::get_topic) // GET /api/v1/tracks/{track}/topics/{topic}
                            .service(catalog::routes::list_topic_flashcards), // GET /api/v1/tracks/{track}/topics/{topic}/flashcards
                    ),
            )
            .service(
                scope::scope("/questions")
                    .service(catalog::routes::list_questions) // GET /api/v1/questions
                    .service(catalog::routes::get_question), // GET /api/v1/questions/{id}
            )
            .service(
                scope::scope("/articles")
                    .service(catalog::routes::list_articles) // GET /api/v1/articles
                    .service(catalog::routes::get_article), // GET /api/v1/articles/{slug}
            )
            .service(
                scope::scope("/auth")
                    // Sign-up, login, tokens and the links mailed for them.
                    .service(auth::routes::register) // POST /api/v1/auth/register
                    .service(auth::routes::confirm_registration) // POST /api/v1/auth/register/confirm
                    .service(auth::routes::login) // POST /api/v1/auth/login
                    .service(auth::routes::refresh) // POST /api/v1/auth/refresh
                    .service(auth::routes::logout) // POST /api/v1/auth/logout
                    .service(auth::routes::logout_all) // POST /api/v1/auth/logout-all
                    .service(auth::routes::request_password_reset) // POST /api/v1/auth/password-reset
                    .service(auth::routes::confirm_password_reset) // POST /api/v1/auth/password-reset/confirm
                    .service(account::routes::confirm_email_change) // POST /api/v1/auth/email-change/confirm
                    .service(account::routes::confirm_email_verification), // POST /api/v1/auth/email-verification/confirm
            )
            .service(
                scope::scope("/me")
                    // The caller's own account.
                    .service(account::routes::get_me) // GET /api/v1/me
                    .service(account::routes::update_me) // PATCH /api/v1/me
                    .service(account::consent::get_consent) // GET /api/v1/me/consent
                    .service(account::consent::set_consent) // PUT /api/v1/me/consent
                    .service(account::routes::delete_me) // DELETE /api/v1/me
                    .service(account::routes::change_password) // POST /api/v1/me/password
                    .service(account::routes::export_me) // GET /api/v1/me/export
                    .service(account::routes::request_email_change) // POST /api/v1/me/email
                    .service(account::routes::request_email_verification) // POST /api/v1/me/email/verification
                    // Progress: marks, the filled-in roadmap, next up, soft spots, activity.
                    .service(progress::routes::set_question_status) // PUT /api/v1/me/questions/{id}/status
                    .service(progress::routes::set_topic_status) // PUT /api/v1/me/tracks/{track}/topics/{topic}/status
                    .service(progress::routes::get_progress) // GET /api/v1/me/tracks/{track}/progress
                    .service(progress::routes::get_next) // GET /api/v1/me/tracks/{track}/next
                    .service(progress::routes::get_soft_spots) // GET /api/v1/me/tracks/{track}/soft-spots
                    .service(progress::routes::get_activity) // GET /api/v1/me/activity
                    // Quizzes.
                    .service(quiz::routes::create_quiz) // POST /api/v1/me/quizzes
                    .service(quiz::routes::submit_quiz) // POST /api/v1/me/quizzes/{id}/submission
                    .service(quiz::routes::list_quizzes) // GET /api/v1/me/quizzes
                    .service(quiz::routes::get_quiz) // GET /api/v1/me/quizzes/{id}
                    .service(interview::routes::create_interview) // POST /api/v1/me/interviews
                    .service(interview::routes::list_due_questions) // GET /api/v1/me/interviews/due
                    .service(interview::routes::get_interview) // GET /api/v1/me/interviews/{id}
                    .service(interview::routes::answer_question) // PUT /api/v1/me/interviews/{id}/items/{position}/answer
                    .service(interview::routes::grade_question) // PUT /api/v1/me/interviews/{id}/items/{position}/grades
                    .service(interview::routes::list_cold_answers) // GET /api/v1/me/questions/{id}/cold-answers
                    .service(plan::routes::set_goal) // PUT /api/v1/me/goals
                    .service(plan::routes::list_goals) // GET /api/v1/me/goals
                    .service(plan::routes::delete_goal) // DELETE /api/v1/me/goals/{track}
                    .service(plan::routes::get_today) // GET /api/v1/me/today
                    .service(plan::routes::get_forecast) // GET /api/v1/me/forecast
                    .service(optimizer::routes::start_optimization) // POST /api/v1/me/scheduler/optimize
                    .service(optimizer::routes::get_job) // GET /api/v1/me/scheduler/jobs/{id}
                    .service(optimizer::routes::get_scheduler) // GET /api/v1/me/scheduler
                    .service(optimizer::routes::apply_scheduler) // PUT /api/v1/me/scheduler
                    .service(annotations::routes::list_notes) // GET /api/v1/me/notes
                    .service(annotations::routes::set_note) // PUT /api/v1/me/notes/{kind}/{id}
                    .service(annotations::routes::get_note) // GET /api/v1/me/notes/{kind}/{id}
                    .service(annotations::routes::delete_note) // DELETE /api/v1/me/notes/{kind}/{id}
                    .service(annotations::routes::list_bookmarks) // GET /api/v1/me/bookmarks
                    .service(annotations::routes::set_bookmark) // PUT /api/v1/me/bookmarks/{kind}/{id}
                    .service(annotations::routes::delete_bookmark) // DELETE /api/v1/me/bookmarks/{kind}/{id}
                    .service(feed::routes::list_changes) // GET /api/v1/me/changes
                    .service(sync::routes::sync) // POST /api/v1/me/sync
                    // Flashcard reviews.
                    .service(review::routes::due_cards) // GET /api/v1/me/reviews/due
                    .service(review::routes::record_review) // POST /api/v1/me/reviews
                    .service(review::routes::review_stats) // GET /api/v1/me/reviews/stats
                    // Public profiles.
                    .service(profile::routes::get_my_profile) // GET /api/v1/me/profile
                    .service(profile::routes::set_my_profile) // PUT /api/v1/me/profile
                    .service(profile::routes::delete_my_profile) // DELETE /api/v1/me/profile
                    // Study reminders and the summary.
                    .service(reminders::routes::get_reminders) // GET /api/v1/me/reminders
                    .service(reminders::routes::set_reminders) // PUT /api/v1/me/reminders
                    .service(reminders::routes::get_summary), // GET /api/v1/me/summary
            )
            .service(
                scope::scope("/profiles")
                    .service(profile::routes::get_profile) // GET /api/v1/profiles/{handle}
                    .service(profile::routes::get_profile_card), // GET /api/v1/profiles/{handle}/tracks/{track}/card.svg
            )
            .service(
                scope::scope("/reminders").service(reminders::routes::unsubscribe_reminders), // POST /api/v1/reminders/unsubscribe
            )
            .service(
                admin::scope(import_limit)
                    .service(admin::routes::list_users) // GET /api/v1/admin/users
                    .service(admin::audit::routes::list_audit) // GET /api/v1/admin/audit
                    .service(admin::routes::import_bundle) // POST /api/v1/admin/import
                    .service(admin::routes::export_track) // GET /api/v1/admin/export/{track}
                    .service(admin::content::routes::get_entity) // GET /api/v1/admin/content/{kind}/{key}
                    .service(admin::content::routes::create_entity) // POST /api/v1/admin/content/{kind}
                    .service(admin::content::routes::update_entity) // PUT /api/v1/admin/content/{kind}/{key}
                    .service(admin::content::routes::retire_entity) // POST /api/v1/admin/content/{kind}/{key}/retire
                    .service(admin::content::routes::restore_entity) // POST /api/v1/admin/content/{kind}/{key}/restore
                    .service(admin::editorial::routes::list_drafts) // GET /api/v1/admin/drafts
                    .service(admin::editorial::routes::create_draft) // POST /api/v1/admin/drafts/{kind}
                    .service(admin::editorial::routes::get_draft) // GET /api/v1/admin/content/{kind}/{key}/draft
                    .service(admin::editorial::routes::put_draft) // PUT /api/v1/admin/content/{kind}/{key}/draft
                    .service(admin::editorial::routes::delete_draft) // DELETE /api/v1/admin/content/{kind}/{key}/draft
                    .service(admin::editorial::routes::retire_draft) // POST /api/v1/admin/content/{kind}/{key}/draft/retire
                    .service(admin::editorial::routes::list_revisions) // GET /api/v1/admin/content/{kind}/{key}/revisions
                    .service(admin::editorial::routes::restore_revision) // POST /api/v1/admin/content/{kind}/{key}/revisions/{number}/restore
                    .service(admin::editorial::routes::create_changeset) // POST /api/v1/admin/changesets
                    .service(admin::editorial::routes::list_changesets) // GET /api/v1/admin/changesets
                    .service(admin::editorial::routes::get_changeset) // GET /api/v1/admin/changesets/{id}
                    .service(admin::editorial::routes::delete_changeset) // DELETE /api/v1/admin/changesets/{id}
                    .service(admin::editorial::routes::submit_changeset) // POST /api/v1/admin/changesets/{id}/submit
                    .service(admin::editorial::routes::approve_changeset) // POST /api/v1/admin/changesets/{id}/approve
                    .service(admin::editorial::routes::publish_changeset) // POST /api/v1/admin/changesets/{id}/publish
                    .service(admin::editorial::routes::schedule_changeset) // PUT /api/v1/admin/changesets/{id}/schedule
                    .service(admin::editorial::routes::unschedule_changeset) // DELETE /api/v1/admin/changesets/{id}/schedule
                    .service(admin::editorial::routes::create_preview_token) // POST /api/v1/admin/preview-tokens
                    .service(admin::editorial::routes::list_preview_tokens) // GET /api/v1/admin/preview-tokens
                    .service(admin::editorial::routes::revoke_preview_token) // DELETE /api/v1/admin/preview-tokens/{id}
                    .service(admin::tokens::create_api_token) // POST /api/v1/admin/tokens
                    .service(admin::tokens::list_api_tokens) // GET /api/v1/admin/tokens
                    .service(admin::tokens::revoke_api_token) // DELETE /api/v1/admin/tokens/{id}
                    .service(admin::webhooks::routes::create_webhook) // POST /api/v1/admin/webhooks
                    .service(admin::webhooks::routes::list_webhooks) // GET /api/v1/admin/webhooks
                    .service(admin::webhooks::routes::get_webhook) // GET /api/v1/admin/webhooks/{id}
                    .service(admin::webhooks::routes::update_webhook) // PATCH /api/v1/admin/webhooks/{id}
                    .service(admin::webhooks::routes::delete_webhook) // DELETE /api/v1/admin/webhooks/{id}
                    .service(admin::webhooks::routes::rotate_webhook_secret) // POST /api/v1/admin/webhooks/{id}/rotate-secret
                    .service(admin::webhooks::routes::list_webhook_deliveries) // GET /api/v1/admin/webhooks/{id}/deliveries
                    .service(admin::webhooks::routes::redeliver_webhook) // POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/redeliver
                    .service(admin::xapi::list_xapi_statements), // GET /api/v1/admin/xapi/statements
            ),
    )
    // Operations.
    .service(web::health::live) // GET /health/live
    .service(web::health::ready) // GET /health/ready
    .service(web::metrics::metrics); // GET /metrics
}
