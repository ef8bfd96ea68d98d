//! Claimed versus verified: how each question stands for a learner once their claim
//! (a got-it mark) is set beside what they later proved (quiz items, self-graded cold
//! answers, flashcard reviews). Pure, so the rules are unit-tested on scripted
//! histories; the evidence itself is gathered in one statement by
//! [`super::store::question_evidence`].
//!
//! The rules, as the OpenAPI descriptions state them:
//! - Evidence counts for [`WINDOW`] after it happened, and never from before a major
//!   revision of the question (or of the quiz item it came from).
//! - A question is verified when its latest counted evidence is a pass and the
//!   predicted recall since that pass is still at least [`RECALL_FLOOR`]. Predicted
//!   recall is FSRS retrievability from the stability of the question's own schedule
//!   (or, without one, its flashcards'); with neither, a pass holds for the window.
//! - A claim is tested by the first evidence after it; the share of tested claims that
//!   held is the learner's calibration.

use std::collections::HashMap;

use fsrs::{FSRS6_DEFAULT_DECAY, MemoryState, current_retrievability};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::wire::Verification;

/// How long a piece of evidence keeps counting.
pub const WINDOW: Duration = Duration::days(90);

/// Below this predicted recall a proven question is "decaying" and no longer verified.
/// Cards fall due at 90% (the default desired retention), so a question only gets here
/// once it has been left past its due date for a while.
pub const RECALL_FLOOR: f32 = 0.8;

/// What the evidence query knows about one learner and one question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionEvidence {
    pub question_id: Uuid,
    pub topic_id: Uuid,
    /// When the learner claimed it: their got-it mark, or their done mark on the topic.
    pub claimed_at: Option<OffsetDateTime>,
    /// The latest evidence that still counts (not from before a major revision), and
    /// whether it was a pass; at the same instant a fail wins.
    pub latest: Option<(OffsetDateTime, bool)>,
    /// Whether the first evidence at or after the claim was a pass (calibration).
    pub first_after_claim: Option<bool>,
    /// Whether a major revision voided earlier evidence or came after the claim.
    pub revised: bool,
    /// The stability (days) of the question's memory model, if it has one.
    pub stability: Option<f32>,
}

/// Where a question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The latest counted evidence is a recent pass and recall is predicted to hold.
    Verified,
    /// The latest counted evidence is a recent fail.
    Failed,
    /// Passed, but predicted recall has since fallen under the floor.
    Decaying,
    /// Proven or claimed before a major revision, no counted evidence since.
    ContentChanged,
    /// No recent counted evidence (or a claim made after the latest fail).
    Unproven,
}

/// Why a question is queued as a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeReason {
    ClaimedUnproven,
    Decaying,
    ContentChanged,
}

/// Predicted recall `elapsed` after a pass, for a memory of `stability` days.
pub fn recall(stability: f32, elapsed: Duration) -> f32 {
    let days = (elapsed.as_seconds_f64() / 86_400.0).max(0.0) as f32;
    current_retrievability(MemoryState { stability, difficulty: 5.0 }, days, FSRS6_DEFAULT_DECAY)
}

/// How long after a pass predicted recall reaches [`RECALL_FLOOR`]: the forgetting
/// curve `R = (1 + f·t/S)^-d` solved for `t`.
pub fn time_to_floor(stability: f32) -> Duration {
    let decay = f64::from(FSRS6_DEFAULT_DECAY);
    let factor = 0.9f64.powf(-1.0 / decay) - 1.0;
    let days = f64::from(stability.max(0.0)) / factor * (f64::from(RECALL_FLOOR).powf(-1.0 / decay) - 1.0);
    // Capped: no stability (or NaN) may overflow the date arithmetic.
    Duration::seconds_f64(days.clamp(0.0, 36_500.0) * 86_400.0)
}

pub fn judge(e: &QuestionEvidence, now: OffsetDateTime) -> Standing {
    match e.latest.filter(|(at, _)| *at > now - WINDOW) {
        Some((at, true)) => match e.stability {
            Some(s) if recall(s, now - at) < RECALL_FLOOR => Standing::Decaying,
            _ => Standing::Verified,
        },
        // A claim made after the fail is the learner saying they have since learned
        // it: not a failed claim, an untested one.
        Some((at, false)) if e.claimed_at.is_some_and(|c| c > at) => Standing::Unproven,
        Some((_, false)) => Standing::Failed,
        None if e.revised => Standing::ContentChanged,
        None => Standing::Unproven,
    }
}

/// The next moment [`judge`] may answer differently with no new writes: evidence
/// leaving the window, or recall crossing the floor.
pub fn changes_at(e: &QuestionEvidence, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let (at, pass) = e.latest?;
    let expires = at.checked_add(WINDOW)?;
    let decays = match (pass, e.stability) {
        (true, Some(s)) => at.checked_add(time_to_floor(s)),
        _ => None,
    };
    [Some(expires), decays].into_iter().flatten().filter(|t| *t > now).min()
}

/// Why a question with this standing is queued for a probe, if it is: a claim with no
/// recent evidence, fading recall, or a major revision since the learner had it down.
/// (A failed claim is a soft spot to study, not something to re-check.)
pub fn probe_reason(standing: Standing, claimed: bool) -> Option<ProbeReason> {
    match standing {
        Standing::Unproven if claimed => Some(ProbeReason::ClaimedUnproven),
        Standing::Decaying => Some(ProbeReason::Decaying),
        Standing::ContentChanged => Some(ProbeReason::ContentChanged),
        _ => None,
    }
}

/// A question queued for a probe, in path order within its topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub question_id: Uuid,
    pub reason: ProbeReason,
}

/// One topic's claimed and verified figures, calibration counts and probes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicProof {
    pub verification: Verification,
    /// Claims tested by later evidence, and how many held.
    pub tested: i64,
    pub held: i64,
    pub probes: Vec<Probe>,
}

/// Sums a topic's questions. `total` is its live question count: questions with
/// neither evidence nor a claim are not in `rows` (a done mark on the topic claims
/// every question, so those all are).
pub fn topic_proof(rows: &[&QuestionEvidence], total: i64, now: OffsetDateTime) -> TopicProof {
    let mut proof = TopicProof::default();
    let v = &mut proof.verification;
    v.questions = total;
    let mut claimed_rows = 0;
    for e in rows {
        let standing = judge(e, now);
        let claimed = e.claimed_at.is_some();
        claimed_rows += i64::from(claimed);
        match standing {
            Standing::Verified => v.verified += 1,
            // `judge` only answers Failed for a claim when the fail came after it.
            Standing::Failed if claimed => v.claimed_failed += 1,
            Standing::Failed => {}
            Standing::Decaying => v.decaying += 1,
            Standing::ContentChanged => v.content_changed += 1,
            Standing::Unproven if claimed => v.claimed_unproven += 1,
            Standing::Unproven => {}
        }
        if claimed && let Some(held) = e.first_after_claim {
            proof.tested += 1;
            proof.held += i64::from(held);
        }
        if let Some(reason) = probe_reason(standing, claimed) {
            proof.probes.push(Probe { question_id: e.question_id, reason });
        }
    }
    v.claimed = claimed_rows.min(total);
    v.reshare();
    proof
}

/// Every topic's proof from the evidence rows (in topic order, as the query returns
/// them), with `totals` the live question count per topic; and the next moment any of
/// them may change with no new writes.
pub fn by_topic(
    evidence: &[QuestionEvidence],
    totals: &[(Uuid, i64)],
    now: OffsetDateTime,
) -> (HashMap<Uuid, TopicProof>, Option<OffsetDateTime>) {
    let mut rows: HashMap<Uuid, Vec<&QuestionEvidence>> = HashMap::new();
    for e in evidence {
        rows.entry(e.topic_id).or_default().push(e);
    }
    let proofs = totals
        .iter()
        .map(|(topic, total)| (*topic, topic_proof(rows.get(topic).map_or(&[][..], |r| r), *total, now)))
        .collect();
    let next_change = evidence.iter().filter_map(|e| changes_at(e, now)).min();
    (proofs, next_change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    fn question(claimed_days_ago: Option<i64>, latest: Option<(i64, bool)>) -> QuestionEvidence {
        QuestionEvidence {
            question_id: Uuid::new_v4(),
            topic_id: Uuid::nil(),
            claimed_at: claimed_days_ago.map(|d| NOW - Duration::days(d)),
            latest: latest.map(|(d, pass)| (NOW - Duration::days(d), pass)),
            first_after_claim: None,
            revised: false,
            stability: None,
        }
    }

    #[test]
    fn a_recent_pass_verifies_and_ages_out_of_the_window() {
        assert_eq!(judge(&question(None, Some((10, true))), NOW), Standing::Verified);
        assert_eq!(judge(&question(Some(100), Some((89, true))), NOW), Standing::Verified);
        assert_eq!(judge(&question(Some(100), Some((91, true))), NOW), Standing::Unproven);
    }

    #[test]
    fn a_fail_after_the_claim_is_a_failed_claim_and_a_claim_after_a_fail_is_untested() {
        assert_eq!(judge(&question(Some(20), Some((5, false))), NOW), Standing::Failed);
        assert_eq!(judge(&question(Some(5), Some((20, false))), NOW), Standing::Unproven);
    }

    #[test]
    fn recall_under_the_floor_is_decaying() {
        let mut e = question(Some(60), Some((30, true)));
        e.stability = Some(3.0);
        assert_eq!(judge(&e, NOW), Standing::Decaying);
        e.stability = Some(400.0);
        assert_eq!(judge(&e, NOW), Standing::Verified);
    }

    #[test]
    fn the_floor_crossing_agrees_with_the_curve() {
        for s in [0.5_f32, 3.0, 40.0, 900.0] {
            let t = time_to_floor(s);
            assert!((recall(s, t) - RECALL_FLOOR).abs() < 1e-3, "stability {s}");
            assert!(time_to_floor(s) > Duration::days(0));
        }
        // Stability is the interval to 90% recall, so 80% comes later.
        assert!(time_to_floor(10.0) > Duration::days(10));
    }

    #[test]
    fn a_major_revision_without_evidence_since_is_content_changed() {
        let mut e = question(Some(30), None);
        e.revised = true;
        assert_eq!(judge(&e, NOW), Standing::ContentChanged);
        e.latest = Some((NOW - Duration::days(1), true));
        assert_eq!(judge(&e, NOW), Standing::Verified);
    }

    #[test]
    fn changes_at_is_the_earlier_of_expiry_and_decay() {
        let mut e = question(None, Some((10, true)));
        assert_eq!(changes_at(&e, NOW), Some(NOW - Duration::days(10) + WINDOW));
        e.stability = Some(5.0);
        let decay = NOW - Duration::days(10) + time_to_floor(5.0);
        assert!(decay < NOW - Duration::days(10) + WINDOW);
        // Already decayed: the next change is the expiry.
        assert_eq!(changes_at(&e, NOW), [decay, NOW - Duration::days(10) + WINDOW].into_iter().find(|t| *t > NOW));
        assert_eq!(changes_at(&question(Some(3), None), NOW), None);
    }

    /// A learner who claims everything and proves little: the figures, calibration and
    /// probes the roadmap will show.
    #[test]
    fn an_over_claimer_scripted() {
        let mut rows = [
            question(Some(40), Some((30, true))),  // claimed, passed: verified
            question(Some(40), Some((30, false))), // claimed, failed since
            question(Some(40), Some((35, false))), // claimed, failed since
            question(Some(40), None),              // claimed, never tested
            question(None, Some((2, true))),       // proven without a claim
        ];
        rows[0].first_after_claim = Some(true);
        rows[1].first_after_claim = Some(false);
        rows[2].first_after_claim = Some(false);
        let refs: Vec<&QuestionEvidence> = rows.iter().collect();
        let proof = topic_proof(&refs, 8, NOW);
        let v = &proof.verification;
        assert_eq!((v.questions, v.claimed, v.verified), (8, 4, 2));
        assert_eq!((v.claimed_failed, v.claimed_unproven), (2, 1));
        assert_eq!((v.claimed_share, v.verified_share), (0.5, 0.25));
        assert_eq!((proof.tested, proof.held), (3, 1));
        assert_eq!(
            proof.probes,
            vec![Probe { question_id: rows[3].question_id, reason: ProbeReason::ClaimedUnproven }]
        );
    }
}
