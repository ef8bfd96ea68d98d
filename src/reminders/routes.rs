//! `GET|PUT /me/reminders`, `GET /me/summary` and the unsubscribe link's target.

use actix_web::{HttpResponse, get, post, put, web};
use secrecy::ExposeSecret;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{ReminderSettings, SetReminders, Summary, Unsubscribed, Weekday};
use super::{store, summary, unsubscribe};
use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError};
use crate::openapi::responses::BadRequest;
use crate::state::AppState;
use crate::web::private_ok;

/// Used until the learner sets their own: 18:00 every day, off.
const DEFAULT_HOUR: i16 = 18;

async fn current_settings(state: &AppState, user: &AuthUser) -> Result<ReminderSettings, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user.id).await?;
    let (enabled, hour, days) =
        store::settings(&state.db, user.id).await?.unwrap_or((false, DEFAULT_HOUR, Weekday::set_of(&Weekday::ALL)));
    Ok(ReminderSettings {
        enabled,
        local_hour: u8::try_from(hour).unwrap_or(18),
        days: Weekday::list_of(days),
        timezone: account.timezone,
    })
}

/// Read the reminder settings.
///
/// Reminders are off until the learner turns them on. The hour and days follow the
/// account's time zone.
#[utoipa::path(
    tag = "reminders",
    operation_id = "get_reminders",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The settings", body = ReminderSettings),
    )
)]
#[get("/reminders")]
pub async fn get_reminders(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(private_ok().json(current_settings(&state, &user).await?))
}

/// Set the reminder settings.
///
/// With `enabled`, a short mail goes out at most once a day, from `local_hour` in the
/// account's time zone on the chosen `days`, and only when there is something to do
/// (cards due that day or a streak that ends tonight): what `GET /me/summary` says.
/// Every reminder carries a one-click unsubscribe link (RFC 8058) that works without
/// logging in.
#[utoipa::path(
    tag = "reminders",
    operation_id = "set_reminders",
    security(("bearer_auth" = [])),
    request_body = SetReminders,
    responses(
        (status = 200, description = "The settings now", body = ReminderSettings),
    )
)]
#[put("/reminders")]
pub async fn set_reminders(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<SetReminders>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    if body.local_hour > 23 {
        errors.push(FieldError::new("local_hour", "must be an hour from 0 to 23"));
    }
    let set = Weekday::set_of(&body.days);
    if body.days.is_empty() {
        errors.push(FieldError::new("days", "must name at least one day"));
    } else if set.count_ones() as usize != body.days.len() {
        errors.push(FieldError::new("days", "must not name a day twice"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation { detail: "the reminder settings are invalid".to_owned(), errors });
    }
    store::save(&state.db, user.id, body.enabled, i16::from(body.local_hour), set).await?;
    Ok(private_ok().json(current_settings(&state, &user).await?))
}

/// What the day's reminder would say.
///
/// Cards due now and by the end of the local day, the streak and whether today keeps
/// it, and the next topic on each track the learner has started. Cheap (two small
/// queries and the memoised progress), so a mobile app can call it on a background
/// refresh to show the same thing in-app.
#[utoipa::path(
    tag = "reminders",
    operation_id = "get_summary",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The summary", body = Summary),
    )
)]
#[get("/summary")]
pub async fn get_summary(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let account = crate::auth::service::current_account(&state.db, user.id).await?;
    let learner = summary::Learner {
        user_id: user.id,
        timezone: &account.timezone,
        progress_version: Some(user.progress_version),
    };
    Ok(private_ok().json(summary::of(&state, &learner, state.clock.now()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The `token` of the reminder's unsubscribe link.
    #[param(max_length = 64)]
    token: String,
}

/// Turn reminders off from a mail, without logging in.
///
/// The target of a reminder's `List-Unsubscribe` header (RFC 8058: mail clients post
/// `List-Unsubscribe=One-Click` to it; any body is accepted and ignored) and of the
/// unsubscribe link a front end posts. Idempotent: it keeps working after the first
/// time. A token this server did not make is 400.
#[utoipa::path(
    tag = "reminders",
    operation_id = "unsubscribe_reminders",
    security(()),
    params(UnsubscribeQuery),
    responses(
        (status = 200, description = "Reminders are off", body = Unsubscribed),
        (status = 400, response = inline(BadRequest)),
    )
)]
#[post("/unsubscribe")]
pub async fn unsubscribe_reminders(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let invalid = || ApiError::BadRequest("the unsubscribe link is not valid".to_owned());
    let user_id = unsubscribe::verify(state.settings.jwt_secret.expose_secret(), &query.token).ok_or_else(invalid)?;
    if !store::switch_off(&state.db, user_id).await? {
        return Err(invalid());
    }
    Ok(private_ok().json(Unsubscribed { detail: "reminders are off; turn them on again in your settings".to_owned() }))
}
