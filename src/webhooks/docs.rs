//! The `webhooks` section of the OpenAPI document (3.1): one entry per event type,
//! describing the call a subscribed endpoint receives, so a receiver can be generated
//! from the document like a client.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, PathsBuilder, Ref, Required, ResponsesBuilder};

use utoipa::{PartialSchema, ToSchema};

use super::events::EventType;
use super::model::{ChangesetEventData, ContentEventData, ImportEventData, LearnerEventData};

fn what(event: EventType) -> (&'static str, &'static str) {
    match event {
        EventType::ContentPublished => (
            "ContentEventData",
            "Content was created, edited or restored through the admin API. `data` names it (kind, id, key, \
             `action`, the `revision` class of an edit) and links to it; fetch what you need.",
        ),
        EventType::ContentRetired => ("ContentEventData", "Content was retired through the admin API."),
        EventType::ImportApplied => {
            ("ImportEventData", "A bundle was imported (not a dry run): its tracks and counts.")
        }
        EventType::ChangesetSubmitted => {
            ("ChangesetEventData", "A change set was submitted for review: a reviewer can approve it now.")
        }
        EventType::ChangesetApproved => ("ChangesetEventData", "A change set was approved and may be published."),
        EventType::ChangesetPublished => (
            "ChangesetEventData",
            "A change set was published, now or by the scheduler; each of its items also sends its own \
             `content.published` or `content.retired`.",
        ),
        EventType::ChangesetFailed => (
            "ChangesetEventData",
            "A scheduled publish could not go ahead and nothing was published; `failure` says why, item by item.",
        ),
        EventType::TopicCompleted => {
            ("LearnerEventData", "A learner who shares learning records (`PUT /me/consent`) marked a topic done.")
        }
        EventType::QuizSubmitted => (
            "LearnerEventData",
            "A learner who shares learning records submitted a quiz (online, or practice synced from offline).",
        ),
        EventType::ReviewRecorded => {
            ("LearnerEventData", "A learner who shares learning records reviewed a flashcard.")
        }
        EventType::InterviewCompleted => (
            "LearnerEventData",
            "A learner who shares learning records finished a mock interview (every question answered or skipped, \
             and self-graded).",
        ),
    }
}

fn header(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

/// Adds the `webhooks` section.
pub struct Webhooks;

impl utoipa::Modify for Webhooks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut paths = PathsBuilder::new();
        for event in EventType::ALL {
            let (data, description) = what(event);
            let call = ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("type", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([event.as_str()])))
                .required("type")
                .property(
                    "timestamp",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                        .description(Some("When it happened.")),
                )
                .required("timestamp")
                .property("data", Ref::from_schema_name(data))
                .required("data");
            let body = RequestBodyBuilder::new()
                .description(Some(format!("`{}` with a `{data}` as `data`.", event.as_str())))
                .content("application/json", ContentBuilder::new().schema(Some(call)).build())
                .required(Some(Required::True))
                .build();
            let operation = OperationBuilder::new()
                .operation_id(Some(event.as_str().replace('.', "_")))
                .summary(Some(format!("`{}`", event.as_str())))
                .description(Some(format!(
                    "{description}\n\nSigned per the Standard Webhooks specification: verify `webhook-signature` \
                     over `webhook-id`, `webhook-timestamp` and the raw body with the endpoint's secret (any \
                     Standard Webhooks library does). At least once, not ordered: deduplicate on `webhook-id`."
                )))
                .tag("admin")
                .parameter(header("webhook-id", "The delivery's id: the same on every retry."))
                .parameter(header("webhook-timestamp", "Seconds since the Unix epoch when this attempt was signed."))
                .parameter(header(
                    "webhook-signature",
                    "`v1,<base64 HMAC-SHA256>`; two, space-separated, while a rotated secret overlaps.",
                ))
                .request_body(Some(body))
                // The receiver checks the signature, not a token.
                .security(SecurityRequirement::default())
                .responses(
                    ResponsesBuilder::new()
                        .response("2XX", ResponseBuilder::new().description("Received; anything else is retried."))
                        .build(),
                )
                .build();
            paths = paths.path(event.as_str(), PathItem::new(HttpMethod::Post, operation));
        }
        openapi.webhooks = Some(paths.build());
        // The data shapes the calls reference; added here so the document's core does
        // not depend on this module.
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in [
            (ContentEventData::name(), ContentEventData::schema()),
            (ChangesetEventData::name(), ChangesetEventData::schema()),
            (ImportEventData::name(), ImportEventData::schema()),
            (LearnerEventData::name(), LearnerEventData::schema()),
        ] {
            components.schemas.insert(name.into_owned(), schema);
        }
    }
}
