//! Fitting a learner's FSRS parameters to their own review log, with the `fsrs`
//! crate's optimizer, and measuring the fit before and after. Pure CPU work, run on a
//! blocking thread inside a one-thread rayon pool so an optimization can use at most
//! one core and never starves request handling (the crate would otherwise spread over
//! every core).

use std::collections::BTreeMap;

use fsrs::{ComputeParametersInput, FSRS, FSRSItem, FSRSReview, ModelEvaluation, compute_parameters};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::review::model::Rating;

/// Below this many training items (reviews with at least one earlier review of the
/// same card) the fit is refused: the optimizer would chase noise.
pub const MIN_ITEMS: usize = 150;
/// Nor below this many cards with two or more reviews: the optimizer sets its initial
/// stabilities from first intervals and drops rare (rating, interval) pairs as
/// outliers, so a few cards reviewed many times teach it nothing.
pub const MIN_CARDS: usize = 40;

/// Cards with at least two reviews in the log.
pub fn cards_with_history(log: &[LoggedReview]) -> usize {
    let mut counts: BTreeMap<Uuid, usize> = BTreeMap::new();
    for review in log {
        *counts.entry(review.card).or_default() += 1;
    }
    counts.values().filter(|n| **n >= 2).count()
}

/// One row of the review log.
#[derive(Debug, Clone)]
pub struct LoggedReview {
    pub card: Uuid,
    pub rating: Rating,
    pub at: OffsetDateTime,
}

fn rating_number(rating: Rating) -> u32 {
    match rating {
        Rating::Again => 1,
        Rating::Hard => 2,
        Rating::Good => 3,
        Rating::Easy => 4,
    }
}

/// Each card's reviews in time order, as FSRS items: one item per review that has an
/// earlier one, holding the card's history up to and including it; `delta_t` is the
/// whole days since the previous review (0 for the first).
pub fn items(log: &[LoggedReview]) -> Vec<FSRSItem> {
    let mut by_card: BTreeMap<Uuid, Vec<&LoggedReview>> = BTreeMap::new();
    for review in log {
        by_card.entry(review.card).or_default().push(review);
    }
    let mut items = Vec::new();
    for reviews in by_card.values_mut() {
        reviews.sort_by_key(|r| r.at);
        let mut history: Vec<FSRSReview> = Vec::with_capacity(reviews.len());
        let mut previous: Option<OffsetDateTime> = None;
        for review in reviews.iter() {
            let delta_t = previous.map_or(0, |p| {
                let days = (review.at.date() - p.date()).whole_days();
                u32::try_from(days.max(0)).unwrap_or(u32::MAX)
            });
            history.push(FSRSReview { rating: rating_number(review.rating), delta_t });
            previous = Some(review.at);
            if history.len() >= 2 {
                items.push(FSRSItem { reviews: history.clone() });
            }
        }
    }
    items
}

/// The items the model is judged on: reviews on a later day than the card's previous
/// one (a same-day review is predicted at full recall, so one answered `again` would
/// make the log loss infinite and the crate refuse the whole set), whose history has a
/// finite memory state.
fn usable(items: Vec<FSRSItem>, current: &[f32]) -> anyhow::Result<Vec<FSRSItem>> {
    let fsrs = FSRS::new(current)?;
    Ok(items
        .into_iter()
        .filter(|item| {
            let (history, last) = item.reviews.split_at(item.reviews.len() - 1);
            if last[0].delta_t == 0 {
                return false;
            }
            fsrs.memory_state(FSRSItem { reviews: history.to_vec() }, None).is_ok_and(|state| {
                let recall = fsrs::current_retrievability(state, last[0].delta_t as f32, fsrs::FSRS6_DEFAULT_DECAY);
                state.stability > 0.0 && recall.is_finite()
            })
        })
        .collect())
}

/// The fitted parameters and the fit before (with `current`) and after.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Items judged (see [`usable`]).
    pub items: usize,
    pub parameters: Vec<f32>,
    pub before: ModelEvaluation,
    pub after: ModelEvaluation,
}

/// Fits parameters to `items` on one thread. `current` is what the learner schedules
/// with now (empty for the defaults). Both evaluations are on the training items
/// themselves (in-sample), which is what "how well do these parameters describe my
/// history" asks.
pub fn fit(items: Vec<FSRSItem>, current: &[f32]) -> anyhow::Result<Fit> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let items = usable(items, current)?;
    if items.len() < MIN_ITEMS {
        anyhow::bail!("only {} reviews can be modelled; fitting needs {MIN_ITEMS}", items.len());
    }
    let count = items.len();
    pool.install(|| {
        use anyhow::Context;
        let before =
            FSRS::new(current)?.evaluate(items.clone(), |_| true).context("evaluating the parameters in use")?;
        let parameters = compute_parameters(ComputeParametersInput {
            train_set: items.clone(),
            ..ComputeParametersInput::default()
        })
        .context("fitting")?;
        let after = FSRS::new(&parameters)?.evaluate(items, |_| true).context("evaluating the fitted parameters")?;
        Ok(Fit { items: count, parameters, before, after })
    })
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use time::Duration;

    /// A learner who forgets faster than the default model expects: cards reviewed at
    /// growing intervals, failing whenever more than `memory_days` passed.
    pub fn generated_log(cards: usize, reviews_per_card: usize, memory_days: i64) -> Vec<LoggedReview> {
        let start = time::macros::datetime!(2025-01-01 09:00 UTC);
        let mut log = Vec::new();
        for c in 0..cards {
            let card = Uuid::from_u128(c as u128 + 1);
            let mut at = start + Duration::hours(c as i64);
            let mut interval = 1;
            for r in 0..reviews_per_card {
                let forgot = r > 0 && interval > memory_days + (c as i64 % 3);
                let rating = if forgot {
                    Rating::Again
                } else if c % 5 == 0 {
                    Rating::Hard
                } else {
                    Rating::Good
                };
                log.push(LoggedReview { card, rating, at });
                interval = if forgot { 1 } else { interval * 2 + (c as i64 % 2) };
                at += Duration::days(interval);
            }
        }
        log
    }

    #[test]
    fn items_hold_each_cards_history_in_order_with_day_gaps() {
        let log = generated_log(2, 4, 10);
        let items = items(&log);
        assert_eq!(items.len(), 6, "three items per card of four reviews");
        assert_eq!(items[0].reviews.len(), 2);
        assert_eq!(items[0].reviews[0].delta_t, 0);
        assert!(items[2].reviews.iter().skip(1).all(|r| r.delta_t > 0));
    }

    #[test]
    fn the_fit_changes_the_parameters_and_describes_the_history_better() {
        let items = items(&generated_log(60, 6, 6));
        assert!(items.len() >= MIN_ITEMS, "{}", items.len());
        let fit = fit(items, &[]).unwrap();
        assert_eq!(fit.parameters.len(), fsrs::DEFAULT_PARAMETERS.len());
        assert_ne!(fit.parameters, fsrs::DEFAULT_PARAMETERS.to_vec());
        assert!(fit.after.log_loss < fit.before.log_loss, "{:?} vs {:?}", fit.after, fit.before);
    }
}
