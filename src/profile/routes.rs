//! Profile handlers: the caller's opt-in setting, the public profile and the SVG card.
//!
//! The public side reuses the progress module as it is: [`progress::service::load`]
//! for the inputs and [`fill::track_progress`] for the fill rule, so a public fill is
//! by construction the number the owner sees on `GET /me/tracks/{track}/progress`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use serde::Deserialize;
use time::Date;
use utoipa::IntoParams;
use uuid::Uuid;

use super::card::{self, Card, CardStage};
use super::docs::HandleTaken;
use super::model::{
    Handle, MyProfile, PublicProfile, PublicStage, PublicTrack, SetProfile, Visibility, card_url, profile_url,
};
use super::store::{self, ProfileRow, PublicOwner};
use crate::auth::AuthUser;
use crate::catalog::store as catalog_store;
use crate::error::ApiError;
use crate::openapi::responses::{NotFound, NotModified};
use crate::progress::model::TrackProgress;
use crate::progress::{self, activity, fill};
use crate::slug::Slug;
use crate::state::AppState;
use crate::web::{etag, private_ok};

/// Image proxies (GitHub's among them) may keep a card five minutes; after that they
/// revalidate with the ETag. So a change, or going private, shows within five minutes.
const CARD_CACHE: &str = "public, max-age=300";
const SVG: &str = "image/svg+xml";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct HandlePath {
    /// The learner's handle (any letter case).
    #[param(example = "ann-lee")]
    handle: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CardPath {
    /// The learner's handle (any letter case).
    #[param(example = "ann-lee")]
    handle: String,
    /// Track slug.
    #[param(example = "python")]
    track: String,
}

fn my_profile(row: Option<ProfileRow>) -> MyProfile {
    match row {
        None => MyProfile { handle: None, visibility: Visibility::Private, show_display_name: false, url: None },
        Some(row) => MyProfile {
            url: Some(profile_url(&row.handle)),
            visibility: row.visibility(),
            show_display_name: row.show_display_name,
            handle: Some(row.handle),
        },
    }
}

/// Get the caller's public-profile setting.
///
/// Before the learner has picked a handle this is `handle: null`, `private`: nothing
/// about them is public.
#[utoipa::path(
    tag = "profiles",
    operation_id = "get_my_profile",
    security(("bearer_auth" = [])),
    responses(
        (status = 200, description = "The caller's profile setting", body = MyProfile),
    )
)]
#[get("/profile")]
pub async fn get_my_profile(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let row = store::mine(&state.db, user.id).await?;
    Ok(private_ok().json(my_profile(row)))
}

/// Set the caller's public profile.
///
/// Picks (or changes) the handle and the visibility, `private` by default. A public
/// profile shows the handle, the fills of every track the learner has started and the
/// current streak; the display name only with `show_display_name`; never the email,
/// quiz results, flashcards or the activity calendar. The body replaces the whole
/// setting, and omitted fields take their defaults, so a PUT never publishes by
/// accident. The handle is lower-cased; 409 when another account holds it (in any
/// letter case), 422 when it is malformed or reserved. A changed handle frees the
/// old one at once.
#[utoipa::path(
    tag = "profiles",
    operation_id = "set_my_profile",
    security(("bearer_auth" = [])),
    request_body = SetProfile,
    responses(
        (status = 200, description = "The profile setting that now stands", body = MyProfile),
        (status = 409, response = inline(HandleTaken)),
    )
)]
#[put("/profile")]
pub async fn set_my_profile(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<SetProfile>,
) -> Result<HttpResponse, ApiError> {
    let handle = Handle::parse(&body.handle).map_err(|m| ApiError::invalid("handle", m))?;
    let row = store::save(&state.db, user.id, &handle, body.visibility, body.show_display_name)
        .await?
        .ok_or_else(|| ApiError::Conflict(format!("the handle {:?} is taken", handle.as_str())))?;
    Ok(private_ok().json(my_profile(Some(row))))
}

/// Remove the caller's public profile.
///
/// Releases the handle for anyone to take; the public profile and its cards answer
/// 404 from now on. Idempotent: 204 whether or not there was a profile. Deleting the
/// account does the same.
#[utoipa::path(
    tag = "profiles",
    operation_id = "delete_my_profile",
    security(("bearer_auth" = [])),
    responses(
        (status = 204, description = "No profile any more; the handle is free"),
    )
)]
#[delete("/profile")]
pub async fn delete_my_profile(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    store::delete(&state.db, user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The owner of a public profile; one answer for "no such handle" and "private", so a
/// 404 tells nobody whether a private profile exists.
async fn public_owner(state: &AppState, raw: &str) -> Result<PublicOwner, ApiError> {
    let not_found = || ApiError::NotFound(format!("no public profile with handle {raw:?}"));
    let handle = Handle::parse(raw).map_err(|_| not_found())?;
    store::public_owner(&state.db, &handle).await?.ok_or_else(not_found)
}

/// The learner's progress on one track, by the progress module's own rule.
async fn track_progress(state: &AppState, user_id: Uuid, track: &Slug) -> Result<TrackProgress, ApiError> {
    let (template, inputs) = progress::service::load(state, user_id, None, track).await?;
    Ok(fill::track_progress(&template.roadmap, &inputs))
}

/// Whether the learner has touched any topic of the track.
fn started(progress: &TrackProgress) -> bool {
    progress.stages.iter().flat_map(|s| &s.topics).chain(&progress.electives).any(|t| fill::started(&t.progress))
}

async fn current_streak(state: &AppState, owner: &PublicOwner) -> Result<i64, ApiError> {
    let (days, today) = activity::days(&state.db, owner.user_id, &owner.timezone).await?;
    let active: Vec<Date> = days.iter().map(|(day, _)| *day).collect();
    Ok(activity::streaks(&active, today).0)
}

fn public_track(handle: &str, progress: TrackProgress) -> PublicTrack {
    PublicTrack {
        card_url: card_url(handle, &progress.track.slug),
        slug: progress.track.slug,
        title: progress.track.title,
        fill: progress.fill,
        stages: progress
            .stages
            .into_iter()
            .map(|s| PublicStage { slug: s.slug, title: s.title, fill: s.fill })
            .collect(),
    }
}

/// Get a learner's public profile.
///
/// No sign-in needed. The handle, the display name when the learner chose to show it,
/// the current streak, and for every track the learner has started its overall fill
/// and each stage's fill in roadmap order: the same figures the learner sees in
/// `GET /me/tracks/{track}/progress`. A private profile answers exactly as an unknown
/// handle does: 404.
#[utoipa::path(
    tag = "profiles",
    operation_id = "get_profile",
    security(()),
    params(HandlePath),
    responses(
        (status = 200, description = "The public profile", body = PublicProfile),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/{handle}")]
pub async fn get_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<HandlePath>,
) -> Result<HttpResponse, ApiError> {
    let owner = public_owner(&state, &path.handle).await?;
    let mut tracks = Vec::new();
    // One track after another rather than all at once: each load runs several queries
    // in parallel already, and a profile must not take the whole pool.
    for track in catalog_store::tracks(&state.db).await? {
        // Stored slugs are slugs (the seed and the admin API refuse anything else).
        let Some(slug) = Slug::parse(&track.slug) else { continue };
        match track_progress(&state, owner.user_id, &slug).await {
            Ok(progress) if started(&progress) => tracks.push(public_track(&owner.handle, progress)),
            Ok(_) => {}
            // Retired between the listing and the load: not on the profile any more.
            Err(ApiError::NotFound(_)) => {}
            Err(other) => return Err(other),
        }
    }
    let current_streak = current_streak(&state, &owner).await?;
    etag::json_response(
        &req,
        &PublicProfile { handle: owner.handle, display_name: owner.display_name, current_streak, tracks },
    )
}

/// Get a learner's SVG progress card for a track.
///
/// A 480 px wide image for a README or a social post: the track's title, the handle
/// (and display name when shown), the overall percent, the current streak and a fill
/// bar with its percent for each stage in roadmap order; the height grows with the
/// stage count. Self-contained: system fonts, no external references. Shared caches
/// may keep it for five minutes (`Cache-Control: public, max-age=300`), then
/// revalidate with the strong `ETag` (`If-None-Match` answers 304). A private or
/// unknown handle, or an unknown track, is 404; a track not started yet draws at 0%.
#[utoipa::path(
    tag = "profiles",
    operation_id = "get_profile_card",
    security(()),
    params(CardPath),
    responses(
        (status = 200, description = "The progress card", body = String, content_type = "image/svg+xml",
         headers(
             ("ETag" = String, description = "Strong validator of the image bytes; send it back as If-None-Match"),
             ("Cache-Control" = String, description = "`public, max-age=300`"),
         ),
         example = json!(super::docs::card_example())),
        (status = 304, response = inline(NotModified)),
        (status = 404, response = inline(NotFound)),
    )
)]
#[get("/{handle}/tracks/{track}/card.svg")]
pub async fn get_profile_card(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<CardPath>,
) -> Result<HttpResponse, ApiError> {
    let owner = public_owner(&state, &path.handle).await?;
    let progress = track_progress(&state, owner.user_id, &crate::catalog::service::track_slug(&path.track)?).await?;
    let current_streak = current_streak(&state, &owner).await?;
    let svg = card::render(&Card {
        track_title: &progress.track.title,
        handle: &owner.handle,
        display_name: owner.display_name.as_deref(),
        percent: progress.fill.percent,
        current_streak,
        stages: progress
            .stages
            .iter()
            .map(|s| CardStage { title: &s.title, fill: s.fill.fill, percent: s.fill.percent })
            .collect(),
    });
    let mut res = etag::body_response(&req, svg.into_bytes(), SVG, CARD_CACHE);
    // Opened directly in a browser, an SVG is a document: allow it nothing but its own
    // inline presentation, whatever text ends up inside.
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'"));
    Ok(res)
}
