//! OpenAPI pieces specific to profiles: the 409 for a taken handle and a real card as
//! the SVG example (rendered by the card code itself, so the example cannot drift).

use serde_json::json;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use super::card::{self, Card, CardStage};
use crate::error::PROBLEM_JSON;

/// 409: another account holds the handle (compared without regard to letter case).
pub struct HandleTaken;

impl<'s> utoipa::ToResponse<'s> for HandleTaken {
    fn response() -> (&'s str, RefOr<Response>) {
        let example = json!({
            "type": "https://studytrack.dev/problems/conflict",
            "title": "Conflict",
            "status": 409,
            "detail": "the handle \"ann-lee\" is taken"
        });
        let response = ResponseBuilder::new()
            .description("Another account holds the handle (in any letter case).")
            .content(
                PROBLEM_JSON,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).example(Some(example)).build(),
            )
            .build();
        ("HandleTaken", response.into())
    }
}

/// The card of a learner with two stages, exactly as the endpoint draws it.
pub fn card_example() -> String {
    card::render(&Card {
        track_title: "Python",
        handle: "ann-lee",
        display_name: None,
        percent: 31,
        current_streak: 4,
        stages: vec![
            CardStage { title: "Foundations", fill: 0.625, percent: 62 },
            CardStage { title: "Advanced", fill: 0.0, percent: 0 },
        ],
    })
}
