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

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SeedReport {
    pub kinds: BTreeMap<&'static str, Counts>,
}

impl SeedReport {
    pub fn count(&mut self, kind: Kind, outcome: &str) {
        let counts = self.kinds.entry(kind.name()).or_default();
        match outcome {
            "created" => counts.created += 1,
            "updated" => counts.updated += 1,
            _ => counts.unchanged += 1,
        }
    }

    pub fn add_retired(&mut self, kind: Kind, n: u64) {
        self.kinds.entry(kind.name()).or_default().retired += n;
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
