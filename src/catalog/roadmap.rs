//! Assembling roadmaps (track -> stages -> topics) from flat rows.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{ContentCounts, Roadmap, RoadmapStage, RoadmapTopic, TopicCounts, TrackSummary};
use super::store::{PlacementRow, StageRow, TrackRow};

fn topic(row: &PlacementRow) -> RoadmapTopic {
    RoadmapTopic {
        id: row.topic_id,
        slug: row.slug.clone(),
        title: row.title.clone(),
        position: row.position,
        elective: row.elective,
        prerequisites: row.prerequisites.clone(),
        counts: TopicCounts { questions: row.questions, flashcards: row.flashcards, quiz_items: row.quiz_items },
        progress: None,
    }
}

/// Totals over a track's live placements.
pub fn counts<'a>(placements: impl IntoIterator<Item = &'a PlacementRow>) -> ContentCounts {
    let mut counts = ContentCounts::default();
    for p in placements {
        if p.elective {
            counts.electives += 1;
        } else {
            counts.topics += 1;
        }
        counts.questions += p.questions;
        counts.flashcards += p.flashcards;
        counts.quiz_items += p.quiz_items;
    }
    counts
}

/// Builds one roadmap; `placements` must be in roadmap order (as the query returns them).
pub fn build(track: TrackRow, stages: Vec<StageRow>, placements: &[PlacementRow]) -> Roadmap {
    let mut by_stage: HashMap<Uuid, Vec<RoadmapTopic>> = HashMap::new();
    let mut electives = Vec::new();
    for p in placements {
        match p.stage_id {
            Some(stage_id) if !p.elective => by_stage.entry(stage_id).or_default().push(topic(p)),
            _ => electives.push(topic(p)),
        }
    }
    let stages = stages
        .into_iter()
        .map(|s| RoadmapStage {
            id: s.stage_id,
            slug: s.slug,
            title: s.title,
            summary: s.summary,
            position: s.position,
            topics: by_stage.remove(&s.stage_id).unwrap_or_default(),
            progress: None,
            verification: None,
        })
        .collect();
    Roadmap {
        id: track.track_id,
        slug: track.slug,
        title: track.title,
        summary: track.summary,
        stages,
        electives,
        counts: counts(placements),
        progress: None,
        verification: None,
    }
}

/// Summaries of every track, with counts, from all live stages and placements.
pub fn summaries(tracks: Vec<TrackRow>, stages: &[(Uuid, StageRow)], placements: &[PlacementRow]) -> Vec<TrackSummary> {
    tracks
        .into_iter()
        .map(|t| TrackSummary {
            stage_count: stages.iter().filter(|(track_id, _)| *track_id == t.track_id).count() as i64,
            counts: counts(placements.iter().filter(|p| p.track_id == t.track_id)),
            id: t.track_id,
            slug: t.slug,
            title: t.title,
            summary: t.summary,
        })
        .collect()
}
