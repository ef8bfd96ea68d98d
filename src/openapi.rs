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
        (name = "operations", description = "Health checks for load balancers and orchestrators."),
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
pub struct ApiDoc;

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
