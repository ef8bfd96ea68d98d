//! The OpenAPI document: metadata, tags, and the reusable error responses every
//! operation references. Paths come from the real handlers via `utoipa-actix-web`.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "studytrack API",
        description = "Study tracks for technical interview preparation: ordered roadmaps of topics, \
interview questions with full answers, flashcards and quizzes, and each learner's progress.\n\n\
Conventions: JSON with snake_case keys; errors are `application/problem+json` (RFC 9457); \
lists are `{items, next_cursor}` with `limit` 1-100 (default 20); content responses carry an \
`ETag` and answer `If-None-Match` with 304.",
        contact(name = "studytrack maintainers"),
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "catalog", description = "Public content: tracks, roadmaps, topics, questions, flashcards, articles."),
        (name = "auth", description = "Registration, login and token refresh. Access tokens last 15 minutes; refresh tokens are single-use and rotate."),
        (name = "account", description = "The caller's own account."),
        (name = "quizzes", description = "Quizzes graded by the server: draw an attempt, submit it, read the history."),
        (name = "interviews", description = "Mock interviews: answer a question cold, then see the model answer and its rubric, then grade yourself point by point."),
        (name = "reviews", description = "Flashcard reviews on an FSRS spaced-repetition schedule."),
        (name = "progress", description = "The learner's marks, filled-in roadmap, next topic, soft spots and activity."),
        (name = "plan", description = "A plan to the interview date: a goal per track, today's agenda within the day's minutes, and the readiness forecast with what to change."),
        (name = "reminders", description = "Opt-in daily study reminders by mail, their one-click unsubscribe, and the summary they are made from."),
        (name = "profiles", description = "Opt-in public profiles: a handle, track fills and streak as JSON, and an SVG progress card per track. Private by default; a private profile is 404."),
        (name = "admin", description = "Operations of the admin API: 401 without a token, 403 for learners. Each operation says who may call it: admins, editors (drafts and change sets, not publishing), and scoped API tokens (`stk_…`, the `api_token` scheme) within their scopes."),
        (name = "editorial", description = "Drafts beside the published content, change sets reviewed and published together (now or at `publish_at`), revisions with restore, and preview tokens that show drafts through the public reads. Learners never see a draft."),
        (name = "operations", description = "Health checks for load balancers and orchestrators."),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the `bearer_auth` scheme that protected operations reference.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer_auth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from `POST /api/v1/auth/login` (15 minutes)."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("stk_")
                    .description(Some(
                        "A scoped API token for scripts (`POST /api/v1/admin/tokens`), accepted by the admin API \
                         only. It acts as the admin who issued it, narrowed to its scopes: `content:read`, \
                         `content:draft`, `content:publish`, `import`. Each operation lists the scopes that grant it in \
                         `x-api-token-scopes`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The operator's `STUDYTRACK_METRICS_TOKEN`; `/metrics` is not served without one.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every operation of the document, with its path.
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&String, &mut utoipa::openapi::path::Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
        ]
        .into_iter()
        .flatten()
        .map(move |operation| (path, operation))
    })
}

/// Every `/api/v1` operation sits behind the per-address rate limit, so each documents
/// the 429 it can answer (unless it already documents a 429 of its own, like login).
pub struct RateLimited;

impl utoipa::Modify for RateLimited {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::ToResponse;
        let (_, response) = responses::TooManyRequests::response();
        for (path, operation) in operations(openapi) {
            if path.starts_with("/api/v1/") {
                operation.responses.responses.entry("429".to_owned()).or_insert_with(|| response.clone());
            }
        }
    }
}

/// The error answers every operation can give, added here once instead of on each
/// handler: 500 and 503 (the request deadline, an unreachable database) everywhere,
/// 401 wherever a bearer token is required, and the four ways a JSON body can be
/// refused (400 malformed, 413 too large, 415 not JSON, 422 invalid) wherever there is
/// a request body. An operation that documents one of these itself (with its own
/// wording or examples) keeps its own.
pub struct SharedResponses;

impl utoipa::Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::ToResponse;
        let (_, internal) = responses::InternalError::response();
        let (_, unavailable) = responses::Unavailable::response();
        let (_, unauthorized) = responses::Unauthorized::response();
        let body_refusals = [
            ("400", responses::BadRequest::response().1),
            ("413", responses::PayloadTooLarge::response().1),
            ("415", responses::UnsupportedMediaType::response().1),
            ("422", responses::Unprocessable::response().1),
        ];
        for (_, operation) in operations(openapi) {
            let has_body = operation.request_body.is_some();
            let bearer = serde_json::to_value(&operation.security)
                .is_ok_and(|security| security.to_string().contains("\"bearer_auth\""));
            let answers = &mut operation.responses.responses;
            answers.entry("500".to_owned()).or_insert_with(|| internal.clone());
            answers.entry("503".to_owned()).or_insert_with(|| unavailable.clone());
            if bearer {
                answers.entry("401".to_owned()).or_insert_with(|| unauthorized.clone());
            }
            if has_body {
                for (status, response) in &body_refusals {
                    answers.entry((*status).to_owned()).or_insert_with(|| response.clone());
                }
            }
        }
    }
}

/// Error responses shared by every operation, all `application/problem+json`.
pub mod responses {
    use serde_json::json;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

    use crate::error::PROBLEM_JSON;

    fn problem(description: &str, example: serde_json::Value) -> RefOr<Response> {
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).example(Some(example)).build(),
            )
            .into()
    }

    fn example(slug: &str, title: &str, status: u16, detail: &str) -> serde_json::Value {
        json!({"type": format!("https://studytrack.dev/problems/{slug}"), "title": title, "status": status, "detail": detail})
    }

    macro_rules! problem_response {
        ($name:ident, $description:literal, $slug:literal, $title:literal, $status:literal, $detail:literal) => {
            #[doc = $description]
            pub struct $name;
            impl<'s> utoipa::ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    (stringify!($name), problem($description, example($slug, $title, $status, $detail)))
                }
            }
        };
    }

    problem_response!(
        BadRequest,
        "Malformed request: bad query string, path parameter, JSON syntax or cursor.",
        "bad-request",
        "Bad Request",
        400,
        "cursor is not valid; use the next_cursor of a previous page"
    );
    problem_response!(
        Unauthorized,
        "Missing, invalid or expired credentials (`WWW-Authenticate: Bearer`).",
        "unauthorized",
        "Unauthorized",
        401,
        "the access token is invalid or expired"
    );
    problem_response!(
        Forbidden,
        "Authenticated, but the role does not allow this operation.",
        "forbidden",
        "Forbidden",
        403,
        "this operation is for admins"
    );
    problem_response!(
        WrongPassword,
        "The password given to confirm this change is incorrect. The session stays valid: \
         ask for the password again (do not refresh or log out).",
        "forbidden",
        "Forbidden",
        403,
        "current_password is incorrect"
    );
    problem_response!(
        Conflict,
        "Conflicts with existing state (for example, the email is taken).",
        "conflict",
        "Conflict",
        409,
        "an account with this email already exists"
    );
    problem_response!(
        PayloadTooLarge,
        "The request body is larger than the configured limit.",
        "payload-too-large",
        "Payload Too Large",
        413,
        "the request body is larger than the limit of 262144 bytes"
    );
    problem_response!(
        UnsupportedMediaType,
        "The request body is not `application/json`.",
        "unsupported-media-type",
        "Unsupported Media Type",
        415,
        "the request body must be JSON (Content-Type: application/json)"
    );
    problem_response!(
        PreconditionFailed,
        "`If-Match` does not match the current ETag: someone changed it since you read it.",
        "precondition-failed",
        "Precondition Failed",
        412,
        "the entity changed since you read it; GET it again and reapply your change"
    );
    problem_response!(
        PreconditionRequired,
        "Updates must carry `If-Match` with the ETag from the last read.",
        "precondition-required",
        "Precondition Required",
        428,
        "send If-Match with the ETag from GET; updates never overwrite blindly"
    );
    problem_response!(
        TooManyRequests,
        "Throttled (per-address rate limit, or repeated failed logins); retry after the `Retry-After` seconds.",
        "too-many-requests",
        "Too Many Requests",
        429,
        "too many attempts; retry in 840 seconds"
    );
    problem_response!(
        NotFound,
        "No such resource (or not yours).",
        "not-found",
        "Not Found",
        404,
        "no track with slug \"cobol\""
    );
    problem_response!(
        Unprocessable,
        "Well-formed but invalid input; `errors` lists every bad field.",
        "validation",
        "Unprocessable Entity",
        422,
        "limit: must be between 1 and 100"
    );
    problem_response!(
        InternalError,
        "Unexpected server error; the cause is logged, never returned.",
        "internal",
        "Internal Server Error",
        500,
        "an unexpected error occurred; it has been logged"
    );
    problem_response!(
        Unavailable,
        "The database is unreachable; retry after the `Retry-After` seconds.",
        "unavailable",
        "Service Unavailable",
        503,
        "the service cannot reach its database; retry shortly"
    );

    /// 304: the client's cached copy (by `If-None-Match`) is current.
    pub struct NotModified;
    impl<'s> utoipa::ToResponse<'s> for NotModified {
        fn response() -> (&'s str, RefOr<Response>) {
            (
                "NotModified",
                ResponseBuilder::new()
                    .description("Not modified: the `If-None-Match` ETag is current; no body.")
                    .into(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    /// Names of the component schemas `node` reaches through `$ref`s, transitively.
    fn reached(node: &Value, schemas: &Value, names: &mut BTreeSet<String>) {
        match node {
            Value::Object(map) => {
                for (key, value) in map {
                    if let (true, Some(name)) = (key == "$ref", value.as_str().and_then(|r| r.rsplit('/').next())) {
                        if names.insert(name.to_owned()) {
                            reached(&schemas[name], schemas, names);
                        }
                    } else {
                        reached(value, schemas, names);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| reached(item, schemas, names)),
            _ => {}
        }
    }

    fn accepts_null(property: &Value) -> bool {
        let null_type = |schema: &Value| match &schema["type"] {
            Value::String(t) => t == "null",
            Value::Array(types) => types.iter().any(|t| t == "null"),
            _ => false,
        };
        null_type(property)
            || ["oneOf", "anyOf"]
                .iter()
                .filter_map(|key| property[key].as_array())
                .any(|alternatives| alternatives.iter().any(null_type))
    }

    /// What a client generates must match what the server sends: a response field the
    /// server may set to null is always sent (required, `x: T | null`), and a field it
    /// may leave out is never null (`x?: T`). Schemas that also describe request bodies
    /// are exempt: there, absent and null both mean "not given".
    #[test]
    fn response_fields_are_either_nullable_or_optional_never_both() {
        let doc = serde_json::to_value(crate::app::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let (mut requests, mut responses) = (BTreeSet::new(), BTreeSet::new());
        for item in doc["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                reached(&operation["requestBody"], schemas, &mut requests);
                reached(&operation["responses"], schemas, &mut responses);
            }
        }
        assert!(responses.contains("TopicDetail") && requests.contains("CreateQuiz"), "{responses:?}");
        let mut wrong = Vec::new();
        for name in responses.difference(&requests) {
            let schema = &schemas[name.as_str()];
            let parts = schema["allOf"].as_array().cloned().unwrap_or_default();
            for part in std::iter::once(schema).chain(parts.iter()) {
                let Some(properties) = part["properties"].as_object() else { continue };
                let required: Vec<&str> = part["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for (field, property) in properties {
                    if accepts_null(property) && !required.contains(&field.as_str()) {
                        wrong.push(format!("{name}.{field}"));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "optional and nullable in a response (add #[schema(required)]): {wrong:?}");
    }
}
