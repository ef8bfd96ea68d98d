//! The OpenAPI schema of [`QuizScope`].
//!
//! Written by hand because the derived one (three optional, nullable fields) let `{}`
//! and `{"track": .., "topics": ..}` type-check although the server answers both with a
//! 422. The server accepts exactly two shapes, so the schema is a `oneOf` of them:
//! `track` with an optional `stage`, or `topics` alone. A key of the other shape may be
//! sent as null (the server reads null as absent), and the server itself sends every
//! key, the unused ones null, so each shape allows those keys only as null.

use serde_json::json;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::{PartialSchema, ToSchema};

use super::model::QuizScope;

fn text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description))
}

/// A key that belongs to the other shape: absent or null.
fn unused(description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Null).description(Some(description))
}

fn closed(title: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some(title))
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
}

impl PartialSchema for QuizScope {
    fn schema() -> RefOr<Schema> {
        let by_track = closed("Track scope")
            .property("track", text("Track slug. Alone: the whole track, electives included."))
            .required("track")
            .property(
                "stage",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some("Stage slug on that track: only this stage's core topics.")),
            )
            .property("topics", unused("Not with `track`."));
        let by_topics = closed("Topics scope")
            .property(
                "topics",
                ArrayBuilder::new()
                    .items(text("Topic slug."))
                    .min_items(Some(1))
                    .max_items(Some(20))
                    .description(Some("1 to 20 topic slugs, on any tracks.")),
            )
            .required("topics")
            .property("track", unused("Not with `topics`."))
            .property("stage", unused("Not with `topics`."));
        OneOfBuilder::new()
            .description(Some(
                "What to draw items from: a whole track (`track`), one stage of it (`track` and \
                 `stage`), or a list of topics (`topics`, without `track` or `stage`). Anything else, \
                 `{}` included, is a 422. Responses carry all three keys, the unused ones null.",
            ))
            .item(by_track)
            .item(by_topics)
            .examples([json!({"track": "python", "stage": "foundations"})])
            .into()
    }
}

impl ToSchema for QuizScope {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_one_of_two_closed_shapes() {
        let json = serde_json::to_value(QuizScope::schema()).unwrap();
        let shapes = json["oneOf"].as_array().expect("a oneOf");
        assert_eq!(shapes.len(), 2, "{json}");
        assert_eq!(shapes[0]["required"], json!(["track"]));
        assert_eq!(shapes[1]["required"], json!(["topics"]));
        for shape in shapes {
            assert_eq!(shape["additionalProperties"], json!(false), "{shape}");
        }
    }
}
