//! The readiness forecast, as pure functions: what a learner following the plan will
//! likely recall on the interview date, per stage and for the track, and what to change
//! to reach a target. Unit-tested on scripted learners (on track, behind, impossible)
//! and against a day-by-day simulation of the plan.
//!
//! The model, in the words the OpenAPI description uses:
//! 1. The questions in scope are the track's core questions plus the electives the goal
//!    names, walked in path order.
//! 2. Each costs study time: a question not yet claimed [`NEW_MINUTES`], a claimed but
//!    unproven one [`PROBE_MINUTES`] (one check), a verified one nothing. Every learned
//!    question also costs [`UPKEEP_MINUTES_PER_DAY`] of reviews for each day from when it
//!    is learned to the date.
//! 3. The plan takes questions in path order while the study minutes up to the date
//!    (study days × minutes per day) cover their cost and upkeep.
//! 4. A question the plan covers is recalled on the date with the learner's desired
//!    retention (reviews on schedule hold it there). One it does not cover: a verified
//!    question with its predicted recall on the date; a claimed one with the learner's
//!    calibration rate (how often their claims hold; ½ before any test); a new one 0.
//! 5. Readiness is the mean expected recall over a stage's (or the track's) questions.

/// Minutes to learn a new question: read the answer, learn its flashcards, answer it
/// cold once.
pub const NEW_MINUTES: f64 = 8.0;
/// Minutes to check a claimed question: one quiz item or one cold answer.
pub const PROBE_MINUTES: f64 = 3.0;
/// Minutes of reviews a learned question costs per day (flashcards and cold answers
/// coming back on their schedule: about a minute a week).
pub const UPKEEP_MINUTES_PER_DAY: f64 = 1.0 / 7.0;
/// The most minutes per day a suggestion will ask for.
pub const MAX_MINUTES_PER_DAY: i64 = 480;
/// How far a suggestion will move the date.
pub const MAX_EXTRA_DAYS: i64 = 365;

/// Where a question stands for the forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Known {
    /// Proven; `recall_on_date` is the predicted recall on the date without reviews.
    Verified { recall_on_date: f64 },
    /// Claimed, not proven.
    Claimed,
    /// Not claimed.
    New,
}

/// One question in scope: which group (stage or elective) holds it, and what is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub group: usize,
    pub known: Known,
}

/// The learner's plan parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Study days from today up to the day before the date.
    pub study_days: i64,
    pub minutes_per_day: f64,
    pub desired_retention: f64,
    /// How often the learner's claims hold up (calibration), or ½ untested.
    pub claim_hold_rate: f64,
}

/// Expected readiness per group and over everything, and how many questions the plan
/// covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub groups: Vec<f64>,
    pub overall: f64,
    pub covered: usize,
    /// Minutes the plan uses of the budget.
    pub planned_minutes: f64,
}

fn cost(known: Known) -> f64 {
    match known {
        Known::Verified { .. } => 0.0,
        Known::Claimed => PROBE_MINUTES,
        Known::New => NEW_MINUTES,
    }
}

/// Rounds to four decimals so equal forecasts serialise equally.
pub fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Runs the plan over `items` (path order) for `groups` groups.
pub fn forecast(items: &[Item], groups: usize, budget: &Budget) -> Outcome {
    let total_minutes = budget.study_days.max(0) as f64 * budget.minutes_per_day.max(0.0);
    let days = budget.study_days.max(0) as f64;
    let mut spent = 0.0;
    let mut stopped = false;
    let mut covered = 0;
    let mut sums = vec![(0.0, 0usize); groups];
    for item in items {
        let c = cost(item.known);
        // The study day the question is learned on, and its reviews from then on.
        let learned_on = if budget.minutes_per_day > 0.0 { (spent + c) / budget.minutes_per_day } else { days };
        let upkeep = UPKEEP_MINUTES_PER_DAY * (days - learned_on).max(0.0);
        // Without a study day left nothing is planned, not even reviews.
        let fits = days > 0.0 && !stopped && spent + c + upkeep <= total_minutes;
        // Strict path order: once a question does not fit, nothing after it is planned.
        stopped |= !fits;
        let recall = if fits {
            spent += c + upkeep;
            covered += 1;
            budget.desired_retention
        } else {
            match item.known {
                Known::Verified { recall_on_date } => recall_on_date,
                Known::Claimed => budget.claim_hold_rate,
                Known::New => 0.0,
            }
        };
        if let Some(slot) = sums.get_mut(item.group) {
            slot.0 += recall;
            slot.1 += 1;
        }
    }
    let mean = |sum: f64, n: usize| if n == 0 { 0.0 } else { round4(sum / n as f64) };
    let overall_sum: f64 = sums.iter().map(|s| s.0).sum();
    Outcome {
        groups: sums.iter().map(|(s, n)| mean(*s, *n)).collect(),
        overall: mean(overall_sum, items.len()),
        covered,
        planned_minutes: round4(spent),
    }
}

/// What would reach `target` when the plan falls short.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// This many minutes per day (at most [`MAX_MINUTES_PER_DAY`]).
    MoreMinutes { minutes_per_day: i64, readiness: f64 },
    /// Dropping this elective group (its index) alone.
    DropElective { group: usize, readiness: f64 },
    /// This many more study days before the date (at most [`MAX_EXTRA_DAYS`] calendar
    /// days of study days are tried; the caller turns study days into a date).
    MoreStudyDays { study_days: i64, readiness: f64 },
}

/// The smallest minutes per day (in steps of 5) reaching `target`, if any up to the max.
pub fn minutes_needed(items: &[Item], groups: usize, budget: &Budget, target: f64) -> Option<Change> {
    let start = (budget.minutes_per_day as i64 / 5 + 1) * 5;
    (start..=MAX_MINUTES_PER_DAY).step_by(5).find_map(|m| {
        let out = forecast(items, groups, &Budget { minutes_per_day: m as f64, ..*budget });
        (out.overall >= target).then_some(Change::MoreMinutes { minutes_per_day: m, readiness: out.overall })
    })
}

/// The fewest extra study days reaching `target` at the current minutes, if any.
pub fn days_needed(items: &[Item], groups: usize, budget: &Budget, target: f64, max_extra: i64) -> Option<Change> {
    (1..=max_extra).find_map(|extra| {
        let out = forecast(items, groups, &Budget { study_days: budget.study_days + extra, ..*budget });
        (out.overall >= target).then_some(Change::MoreStudyDays { study_days: extra, readiness: out.overall })
    })
}

/// Each elective group whose removal alone reaches `target`.
pub fn electives_to_drop(
    items: &[Item],
    groups: usize,
    electives: &[usize],
    budget: &Budget,
    target: f64,
) -> Vec<Change> {
    electives
        .iter()
        .filter_map(|&group| {
            let kept: Vec<Item> = items.iter().copied().filter(|i| i.group != group).collect();
            let out = forecast(&kept, groups, budget);
            (out.overall >= target).then_some(Change::DropElective { group, readiness: out.overall })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(study_days: i64, minutes: f64) -> Budget {
        Budget { study_days, minutes_per_day: minutes, desired_retention: 0.9, claim_hold_rate: 0.5 }
    }

    fn new_items(n: usize, group: usize) -> Vec<Item> {
        (0..n).map(|_| Item { group, known: Known::New }).collect()
    }

    #[test]
    fn on_track_covers_everything_at_the_desired_retention() {
        // 40 new questions × 8 min = 320 min plus upkeep, over 21 days × 30 min = 630.
        let out = forecast(&new_items(40, 0), 1, &budget(21, 30.0));
        assert_eq!(out.covered, 40);
        assert_eq!(out.overall, 0.9);
    }

    #[test]
    fn behind_covers_a_prefix_and_a_suggestion_reaches_the_target() {
        let items = new_items(100, 0);
        let b = budget(14, 20.0); // 280 minutes: about 33 questions
        let out = forecast(&items, 1, &b);
        assert!(out.covered > 25 && out.covered < 40, "{out:?}");
        assert!(out.overall < 0.8);
        let Some(Change::MoreMinutes { minutes_per_day, readiness }) = minutes_needed(&items, 1, &b, 0.8) else {
            panic!("more minutes should reach 80%")
        };
        assert!(minutes_per_day > 20 && readiness >= 0.8);
        // Five minutes fewer would not have done it.
        let less = forecast(&items, 1, &Budget { minutes_per_day: (minutes_per_day - 5) as f64, ..b });
        assert!(less.overall < 0.8);
        assert!(matches!(days_needed(&items, 1, &b, 0.8, MAX_EXTRA_DAYS), Some(Change::MoreStudyDays { .. })));
    }

    #[test]
    fn impossible_when_no_budget_reaches_the_target() {
        // 2,000 new questions by tomorrow.
        let items = new_items(2000, 0);
        let b = budget(1, 60.0);
        assert!(forecast(&items, 1, &b).overall < 0.1);
        assert_eq!(minutes_needed(&items, 1, &b, 0.8), None);
    }

    #[test]
    fn path_order_is_strict_and_known_questions_cost_less() {
        let mut items = vec![Item { group: 0, known: Known::Verified { recall_on_date: 0.7 } }; 10];
        items.extend(vec![Item { group: 1, known: Known::Claimed }; 10]);
        items.extend(new_items(10, 2));
        // 60 minutes: verified (upkeep only) and claimed (3 min) fit, new ones only partly.
        let out = forecast(&items, 3, &budget(6, 10.0));
        assert_eq!(out.groups[0], 0.9);
        assert_eq!(out.groups[1], 0.9);
        assert!(out.groups[2] < 0.9);
        // With no time at all: verified keep their own recall, claims their hold rate.
        let none = forecast(&items, 3, &budget(0, 10.0));
        assert_eq!(none.groups, vec![0.7, 0.5, 0.0]);
    }

    #[test]
    fn dropping_an_elective_frees_its_time() {
        let mut items = new_items(30, 0);
        items.extend(new_items(30, 1));
        let b = budget(12, 25.0); // 300 minutes: about 36 of 60 questions
        assert!(forecast(&items, 2, &b).overall < 0.8);
        let drops = electives_to_drop(&items, 2, &[1], &b, 0.8);
        assert!(matches!(drops.as_slice(), [Change::DropElective { group: 1, .. }]), "{drops:?}");
    }

    /// The plan followed day by day: each study day the learner spends their minutes on
    /// the next questions in order and on reviews; on the date each learned question is
    /// recalled with the desired retention. The forecast made on day 0 must match the
    /// simulated outcome within 5 points.
    #[test]
    fn the_forecast_matches_a_day_by_day_simulation() {
        for (n, days, minutes) in [(60, 21, 30.0), (150, 21, 30.0), (150, 30, 15.0), (20, 5, 10.0)] {
            let items = new_items(n, 0);
            let b = budget(days, minutes);
            let predicted = forecast(&items, 1, &b).overall;
            let mut learned = 0usize;
            let mut carry = 0.0;
            for _ in 0..days {
                let mut left = minutes + carry - UPKEEP_MINUTES_PER_DAY * learned as f64;
                while learned < n && left >= NEW_MINUTES {
                    left -= NEW_MINUTES;
                    learned += 1;
                }
                carry = left.max(0.0);
            }
            let simulated = learned as f64 * b.desired_retention / n as f64;
            assert!(
                (predicted - simulated).abs() <= 0.05,
                "n {n}, {days} days × {minutes}: {predicted} vs {simulated}"
            );
        }
    }
}
