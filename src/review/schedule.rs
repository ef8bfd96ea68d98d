//! One scheduling step: the card's memory state and a rating in, the next state, due
//! time and the intervals every rating would have given out. The algorithm is the
//! `fsrs` crate's; this module only maps it onto stored card state.

use fsrs::{FSRS, MemoryState, NextStates};
use time::{Duration, OffsetDateTime};

use super::model::{CardState, Rating, RatingIntervals};

/// What is stored per user and card.
#[derive(Debug, Clone, PartialEq)]
pub struct CardMemory {
    pub state: CardState,
    pub stability: f32,
    pub difficulty: f32,
    pub last_reviewed_at: OffsetDateTime,
    pub reps: i32,
    pub lapses: i32,
}

/// The outcome of one review.
#[derive(Debug, Clone)]
pub struct Step {
    pub memory: CardMemory,
    pub due_at: OffsetDateTime,
    pub interval_days: f64,
    pub intervals: RatingIntervals,
}

/// Shortest interval scheduled: a card rated `again` comes back within the session.
const MIN_INTERVAL_SECS: i64 = 60;

fn pick(states: &NextStates, rating: Rating) -> (MemoryState, f32) {
    let s = match rating {
        Rating::Again => &states.again,
        Rating::Hard => &states.hard,
        Rating::Good => &states.good,
        Rating::Easy => &states.easy,
    };
    (s.memory, s.interval)
}

/// Rounds intervals of cards in review to whole days (a review belongs to a day);
/// learning steps keep their fraction of a day.
fn interval_days(raw: f32, next_state: CardState) -> f64 {
    let raw = f64::from(raw.max(0.0));
    if next_state == CardState::Review { raw.round().max(1.0) } else { raw }
}

fn next_state(current: Option<CardState>, rating: Rating) -> CardState {
    match (current, rating) {
        (None | Some(CardState::New) | Some(CardState::Learning), Rating::Again) => CardState::Learning,
        (Some(CardState::Review) | Some(CardState::Relearning), Rating::Again) => CardState::Relearning,
        _ => CardState::Review,
    }
}

/// The longest interval ever scheduled: a hundred years is "never" for a learner.
const MAX_INTERVAL_DAYS: f64 = 36_500.0;

pub fn review(
    current: Option<&CardMemory>,
    rating: Rating,
    now: OffsetDateTime,
    desired_retention: f32,
    parameters: &[f32],
) -> anyhow::Result<Step> {
    // Empty parameters are the defaults; a learner's fitted ones otherwise.
    let fsrs = FSRS::new(parameters)?;
    let memory = current.map(|c| MemoryState { stability: c.stability, difficulty: c.difficulty });
    let elapsed = current.map_or(0, |c| (now - c.last_reviewed_at).whole_days().max(0));
    let states = fsrs.next_states(memory, desired_retention, u32::try_from(elapsed).unwrap_or(u32::MAX))?;
    let state = next_state(current.map(|c| c.state), rating);
    let (memory, raw) = pick(&states, rating);
    let days = interval_days(raw, state);
    // Capped so no scheduler output (or NaN) can overflow the date arithmetic.
    let secs = ((days.clamp(0.0, MAX_INTERVAL_DAYS) * 86_400.0) as i64).max(MIN_INTERVAL_SECS);
    let due_at = now.checked_add(Duration::seconds(secs)).unwrap_or(now);
    let all = |r: Rating| {
        let (_, raw) = pick(&states, r);
        interval_days(raw, next_state(current.map(|c| c.state), r))
    };
    let lapse = rating == Rating::Again && matches!(current.map(|c| c.state), Some(CardState::Review));
    Ok(Step {
        memory: CardMemory {
            state,
            stability: memory.stability,
            difficulty: memory.difficulty,
            last_reviewed_at: now,
            reps: current.map_or(0, |c| c.reps) + 1,
            lapses: current.map_or(0, |c| c.lapses) + i32::from(lapse),
        },
        due_at,
        interval_days: days,
        intervals: RatingIntervals {
            again: all(Rating::Again),
            hard: all(Rating::Hard),
            good: all(Rating::Good),
            easy: all(Rating::Easy),
        },
    })
}

/// The card's state after `history` (time order), replayed from the start: what a
/// review that arrives after later ones of the same card leads to. `None` for no history.
pub fn replay(
    history: &[(OffsetDateTime, Rating)],
    desired_retention: f32,
    parameters: &[f32],
) -> anyhow::Result<Option<Step>> {
    let mut last: Option<Step> = None;
    for (at, rating) in history {
        let step = review(last.as_ref().map(|s| &s.memory), *rating, *at, desired_retention, parameters)?;
        last = Some(step);
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap()
    }

    #[test]
    fn a_new_card_rated_good_is_due_later_than_one_rated_again() {
        let good = review(None, Rating::Good, t0(), 0.9, &[]).unwrap();
        let again = review(None, Rating::Again, t0(), 0.9, &[]).unwrap();
        assert!(good.due_at > again.due_at);
        assert_eq!(good.memory.state, CardState::Review);
        assert_eq!(again.memory.state, CardState::Learning);
        assert!(good.intervals.again < good.intervals.hard && good.intervals.hard <= good.intervals.good);
        assert!(good.intervals.good <= good.intervals.easy);
    }

    #[test]
    fn intervals_grow_with_successful_reviews_and_reset_on_a_lapse() {
        let mut now = t0();
        let mut step = review(None, Rating::Good, now, 0.9, &[]).unwrap();
        let mut last = step.interval_days;
        for _ in 0..4 {
            now = step.due_at;
            step = review(Some(&step.memory), Rating::Good, now, 0.9, &[]).unwrap();
            assert!(step.interval_days > last, "{} !> {}", step.interval_days, last);
            last = step.interval_days;
        }
        let lapse = review(Some(&step.memory), Rating::Again, step.due_at, 0.9, &[]).unwrap();
        assert_eq!(lapse.memory.state, CardState::Relearning);
        assert_eq!(lapse.memory.lapses, 1);
        assert!(lapse.interval_days < last);
    }

    #[test]
    fn a_long_overdue_card_gets_a_longer_interval_when_recalled() {
        let first = review(None, Rating::Good, t0(), 0.9, &[]).unwrap();
        let on_time = review(Some(&first.memory), Rating::Good, first.due_at, 0.9, &[]).unwrap();
        let late = review(Some(&first.memory), Rating::Good, first.due_at + Duration::days(30), 0.9, &[]).unwrap();
        assert!(late.interval_days > on_time.interval_days, "recalling after a long gap shows stronger memory");
    }

    #[test]
    fn a_replayed_history_ends_where_reviewing_it_in_order_does() {
        let ratings = [Rating::Good, Rating::Again, Rating::Good, Rating::Easy, Rating::Hard];
        let times: Vec<OffsetDateTime> = [0, 2, 3, 9, 30].iter().map(|d| t0() + Duration::days(*d)).collect();
        let mut online: Option<Step> = None;
        for (at, rating) in times.iter().zip(ratings) {
            online = Some(review(online.as_ref().map(|s| &s.memory), rating, *at, 0.9, &[]).unwrap());
        }
        // Arriving out of order changes nothing once the history is replayed in time order.
        let mut arrived: Vec<(OffsetDateTime, Rating)> = times.iter().copied().zip(ratings).collect();
        arrived.reverse();
        arrived.sort_by_key(|(at, _)| *at);
        let replayed = replay(&arrived, 0.9, &[]).unwrap().unwrap();
        let online = online.unwrap();
        assert_eq!(replayed.memory, online.memory);
        assert_eq!(replayed.due_at, online.due_at);
        assert_eq!(replay(&[], 0.9, &[]).unwrap().map(|s| s.due_at), None);
    }

    #[test]
    fn higher_desired_retention_means_shorter_intervals() {
        let first = review(None, Rating::Good, t0(), 0.9, &[]).unwrap();
        let relaxed = review(Some(&first.memory), Rating::Good, first.due_at, 0.8, &[]).unwrap();
        let strict = review(Some(&first.memory), Rating::Good, first.due_at, 0.95, &[]).unwrap();
        assert!(strict.interval_days < relaxed.interval_days);
    }
}
