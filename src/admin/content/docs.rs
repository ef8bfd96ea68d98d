//! The OpenAPI schema of [`ContentDoc`], the body of the admin content writes.
//!
//! Written by hand because the derived one was wrong twice over: an untagged enum
//! becomes `oneOf`, but the kinds overlap (`{"slug", "title"}` is a valid track, topic
//! and article document alike), so a valid body matched several branches and failed
//! `oneOf`; and `#[serde(flatten)]` of a closed document (`additionalProperties:
//! false`) next to `topic` became an `allOf` no object can satisfy. Here it is an
//! `anyOf` (the `kind` path parameter decides which branch applies), and each child
//! kind is its document's own closed object with `topic` added to it.

use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::model::{ContentDoc, TopicFields};
use crate::content::bundle::{ArticleDoc, FlashcardDoc, QuestionDoc, QuizItemDoc, TrackDoc};

/// A reference to `T`'s component.
fn component<T: ToSchema>() -> Ref {
    Ref::from_schema_name(T::name())
}

/// `T`'s document with the `topic` slug of the topic it belongs to.
fn child<T: PartialSchema>(kind: &str) -> RefOr<Schema> {
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(object)) = &mut schema {
        let topic = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("Slug of the topic it belongs to."))
            .build();
        object.properties.insert("topic".to_owned(), topic.into());
        object.required.push("topic".to_owned());
        object.title = Some(format!("{kind} document"));
    }
    schema
}

impl PartialSchema for ContentDoc {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .description(Some(
                "The editable fields of one entity in the seed-file shape of the `kind` in the path: \
                 `TrackDoc` for tracks, `TopicFields` for topics, `ArticleDoc` for articles; questions, \
                 flashcards and quiz items are their document plus the `topic` slug they belong to.",
            ))
            .item(component::<TrackDoc>())
            .item(component::<TopicFields>())
            .item(child::<QuestionDoc>("Question"))
            .item(child::<FlashcardDoc>("Flashcard"))
            .item(child::<QuizItemDoc>("Quiz item"))
            .item(component::<ArticleDoc>())
            .into()
    }
}

impl ToSchema for ContentDoc {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((TrackDoc::name().into(), TrackDoc::schema()));
        <TrackDoc as ToSchema>::schemas(schemas);
        schemas.push((TopicFields::name().into(), TopicFields::schema()));
        schemas.push((ArticleDoc::name().into(), ArticleDoc::schema()));
        // The child documents are inlined above; what they reference (such as the
        // `Difficulty` and `QuizItemKind` enums) must still be components.
        <QuestionDoc as ToSchema>::schemas(schemas);
        <FlashcardDoc as ToSchema>::schemas(schemas);
        <QuizItemDoc as ToSchema>::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_one_closed_object_with_their_topic() {
        let RefOr::T(Schema::Object(question)) = child::<QuestionDoc>("Question") else {
            panic!("a question document is an object schema");
        };
        assert!(question.properties.contains_key("topic") && question.properties.contains_key("prompt"));
        assert!(question.required.contains(&"topic".to_owned()));
    }

    #[test]
    fn the_kinds_are_alternatives_not_exclusive() {
        let json = serde_json::to_value(ContentDoc::schema()).unwrap();
        assert_eq!(json["anyOf"].as_array().map(Vec::len), Some(6), "{json}");
        assert!(json.get("oneOf").is_none());
    }
}
