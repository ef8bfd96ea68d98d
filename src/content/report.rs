//! Counts of what a seed or import did, per kind of content.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Tracks,
    Stages,
    Topics,
    Placements,
    Questions,
    Flashcards,
    QuizItems,
    Articles,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tracks => "tracks",
            Kind::Stages => "stages",
            Kind::Topics => "topics",
            Kind::Placements => "placements",
            Kind::Questions => "questions",
            Kind::Flashcards => "flashcards",
            Kind::QuizItems => "quiz_items",
            Kind::Articles => "articles",
        }
    }

    /// SQL naming a retired row in reports (evaluated in `RETURNING`).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Tracks | Kind::Topics | Kind::Articles => "slug",
            Kind::Stages => "(SELECT t.slug FROM track t WHERE t.track_id = stage.track_id) || '/' || slug",
            Kind::Questions => "(SELECT t.slug FROM topic t WHERE t.topic_id = question.topic_id) || '/' || slug",
            Kind::Flashcards => "(SELECT t.slug FROM topic t WHERE t.topic_id = flashcard.topic_id) || '/' || slug",
            Kind::QuizItems => "(SELECT t.slug FROM topic t WHERE t.topic_id = quiz_item.topic_id) || '/' || slug",
            Kind::Placements => "topic_id::text",
        }
    }

    /// Table and id column holding this kind (placements have a composite key).
    pub fn table(self) -> (&'static str, &'static str) {
        match self {
            Kind::Tracks => ("track", "track_id"),
            Kind::Stages => ("stage", "stage_id"),
            Kind::Topics => ("topic", "topic_id"),
            Kind::Placements => ("track_topic", "topic_id"),
            Kind::Questions => ("question", "question_id"),
            Kind::Flashcards => ("flashcard", "flashcard_id"),
            Kind::QuizItems => ("quiz_item", "quiz_item_id"),
            Kind::Articles => ("article", "article_id"),
        }
    }
}

/// Per kind: rows created, updated, left unchanged and retired.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub retired: u64,
}

/// Per kind: the slugs (placements: `track/topic`) created, updated and retired.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct Changes {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub retired: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SeedReport {
    pub kinds: BTreeMap<&'static str, Counts>,
    pub changes: BTreeMap<&'static str, Changes>,
}

impl SeedReport {
    pub fn count(&mut self, kind: Kind, outcome: &str, name: &str) {
        let counts = self.kinds.entry(kind.name()).or_default();
        let changes = self.changes.entry(kind.name()).or_default();
        match outcome {
            "created" => {
                counts.created += 1;
                changes.created.push(name.to_owned());
            }
            "updated" => {
                counts.updated += 1;
                changes.updated.push(name.to_owned());
            }
            _ => counts.unchanged += 1,
        }
    }

    pub fn add_retired(&mut self, kind: Kind, names: Vec<String>) {
        self.kinds.entry(kind.name()).or_default().retired += names.len() as u64;
        self.changes.entry(kind.name()).or_default().retired.extend(names);
    }

    pub fn get(&self, kind: Kind) -> Counts {
        self.kinds.get(kind.name()).copied().unwrap_or_default()
    }

    /// True when applying the bundle changed nothing.
    pub fn is_noop(&self) -> bool {
        self.kinds.values().all(|c| c.created == 0 && c.updated == 0 && c.retired == 0)
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<12} {:>8} {:>8} {:>10} {:>8}", "kind", "created", "updated", "unchanged", "retired")?;
        for (kind, c) in &self.kinds {
            writeln!(f, "{:<12} {:>8} {:>8} {:>10} {:>8}", kind, c.created, c.updated, c.unchanged, c.retired)?;
        }
        Ok(())
    }
}
