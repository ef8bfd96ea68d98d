//! Today's agenda as a pure function: what fits in the day's minutes, in the order it
//! should be done. Deterministic for a given input, so the same state and clock always
//! give the same agenda.

use super::model::{AgendaItem, AgendaKind, AgendaReason, LeftOver};
use crate::catalog::model::QuestionSummary;
use crate::wire::SlugRef;

/// Seconds each kind of work is estimated to take.
pub const CARD_REVIEW_SECS: i64 = 12;
pub const NEW_CARD_SECS: i64 = 30;
pub const COLD_ANSWER_SECS: i64 = 240;
pub const NEW_QUESTION_SECS: i64 = 480;
pub const QUIZ_ITEM_SECS: i64 = 30;
/// The practice suggested for the weakest area: a five-item quiz or a two-question
/// mock interview.
pub const PRACTICE_QUIZ_ITEMS: i64 = 5;
pub const PRACTICE_INTERVIEW_QUESTIONS: i64 = 2;

/// How the weakest area is best practised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Practice {
    Quiz,
    Interview,
}

/// Everything the agenda is decided from.
#[derive(Debug, Clone)]
pub struct DayInput {
    pub budget_minutes: i64,
    pub study_day: bool,
    pub cards_due: i64,
    pub questions_due: i64,
    /// New cards available today: unseen cards of the topic under way, within what is
    /// left of the daily cap.
    pub new_cards: i64,
    /// The topic under way and its next open questions, in path order.
    pub next: Option<(SlugRef, Vec<QuestionSummary>)>,
    /// The weakest verified area, why, and how to practise it.
    pub weakest: Option<(SlugRef, String, Practice)>,
}

/// The most of `count` units of `secs` each that fit in `left` minutes, and their
/// minutes (rounded up, so the sum never passes the budget).
fn fit(count: i64, secs: i64, left: i64) -> (i64, i64) {
    let n = count.min(left * 60 / secs).max(0);
    (n, (n * secs + 59) / 60)
}

fn item(kind: AgendaKind, count: i64, minutes: i64, reason_code: AgendaReason, reason: String) -> AgendaItem {
    AgendaItem { kind, count, minutes, reason_code, reason, topic: None, questions: Vec::new() }
}

/// The day's entries and what is due but did not fit. Order: reviews due (they are
/// forgotten next), then practice on the weakest area, then new questions, then their
/// new cards. A rest day keeps only the reviews, in a quarter of the budget.
pub fn plan(input: &DayInput) -> (Vec<AgendaItem>, LeftOver) {
    let mut left = input.budget_minutes;
    let mut items = Vec::new();
    let review_reason = if input.study_day { AgendaReason::DueToday } else { AgendaReason::RestDay };
    let (cards, minutes) = fit(input.cards_due, CARD_REVIEW_SECS, left);
    if cards > 0 {
        left -= minutes;
        let reason = format!("{cards} flashcard(s) are due today.");
        items.push(item(AgendaKind::FlashcardReviews, cards, minutes, review_reason, reason));
    }
    let (questions, minutes) = fit(input.questions_due, COLD_ANSWER_SECS, left);
    if questions > 0 {
        left -= minutes;
        let reason = format!("{questions} question(s) are due for a cold answer today.");
        items.push(item(AgendaKind::QuestionReviews, questions, minutes, review_reason, reason));
    }
    let left_over =
        LeftOver { flashcards_due: input.cards_due - cards, questions_due: input.questions_due - questions };
    if !input.study_day {
        return (items, left_over);
    }
    if let Some((topic, why, practice)) = &input.weakest {
        let (kind, count, secs) = match practice {
            Practice::Quiz => (AgendaKind::Quiz, PRACTICE_QUIZ_ITEMS, QUIZ_ITEM_SECS),
            Practice::Interview => (AgendaKind::MockInterview, PRACTICE_INTERVIEW_QUESTIONS, COLD_ANSWER_SECS),
        };
        let (n, minutes) = fit(count, secs, left);
        if n == count {
            left -= minutes;
            let mut entry = item(kind, n, minutes, AgendaReason::WeakestArea, format!("{}: {why}", topic.title));
            entry.topic = Some(topic.clone());
            items.push(entry);
        }
    }
    if let Some((topic, open)) = &input.next {
        let (n, minutes) = fit(open.len() as i64, NEW_QUESTION_SECS, left);
        if n > 0 {
            left -= minutes;
            let mut entry = item(
                AgendaKind::NewQuestions,
                n,
                minutes,
                AgendaReason::NextOnPath,
                format!("The next {n} question(s) on the path, in {}.", topic.title),
            );
            entry.topic = Some(topic.clone());
            entry.questions = open.iter().take(n as usize).cloned().collect();
            items.push(entry);
        }
        let (cards, minutes) = fit(input.new_cards, NEW_CARD_SECS, left);
        if cards > 0 {
            let mut entry = item(
                AgendaKind::NewFlashcards,
                cards,
                minutes,
                AgendaReason::NewCardsUnderCap,
                format!("{cards} new flashcard(s) of {}, within your daily new-card limit.", topic.title),
            );
            entry.topic = Some(topic.clone());
            items.push(entry);
        }
    }
    (items, left_over)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::Difficulty;

    fn question(n: usize) -> QuestionSummary {
        QuestionSummary {
            id: uuid::Uuid::from_u128(n as u128),
            slug: format!("q{n}"),
            title: format!("Q{n}"),
            difficulty: Difficulty::Mid,
            tags: vec![],
            topic: topic(),
        }
    }

    fn topic() -> SlugRef {
        SlugRef { slug: "basics".into(), title: "Basics".into() }
    }

    fn input(budget: i64, cards_due: i64, questions_due: i64) -> DayInput {
        DayInput {
            budget_minutes: budget,
            study_day: true,
            cards_due,
            questions_due,
            new_cards: 10,
            next: Some((topic(), (0..6).map(question).collect())),
            weakest: Some((topic(), "low quiz accuracy".into(), Practice::Quiz)),
        }
    }

    fn total(items: &[AgendaItem]) -> i64 {
        items.iter().map(|i| i.minutes).sum()
    }

    #[test]
    fn reviews_come_first_and_everything_fits_the_budget() {
        for budget in [5, 10, 30, 45, 90, 480] {
            let (items, _) = plan(&input(budget, 40, 3));
            assert!(total(&items) <= budget, "{budget}: {items:?}");
            assert_eq!(items[0].kind, AgendaKind::FlashcardReviews);
        }
        let (items, left) = plan(&input(45, 40, 3));
        let kinds: Vec<AgendaKind> = items.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                AgendaKind::FlashcardReviews,
                AgendaKind::QuestionReviews,
                AgendaKind::Quiz,
                AgendaKind::NewQuestions,
                AgendaKind::NewFlashcards
            ]
        );
        assert_eq!(left, LeftOver::default());
        // 40 cards (8 min) + 3 cold answers (12) + a quiz (3) leave 22: two new questions.
        assert_eq!(items[3].count, 2);
        assert_eq!(items[3].questions.len(), 2);
    }

    #[test]
    fn a_backlog_leaves_the_rest_over_and_no_new_material() {
        let (items, left) = plan(&input(10, 100, 5));
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!((items[0].count, left.flashcards_due, left.questions_due), (50, 50, 5));
    }

    #[test]
    fn a_rest_day_only_reviews() {
        let mut day = input(40, 5, 1);
        day.study_day = false;
        let (items, _) = plan(&day);
        assert!(items.iter().all(|i| i.reason_code == AgendaReason::RestDay), "{items:?}");
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn the_same_input_gives_the_same_agenda() {
        let a = serde_json::to_string(&plan(&input(45, 12, 2)).0).unwrap();
        let b = serde_json::to_string(&plan(&input(45, 12, 2)).0).unwrap();
        assert_eq!(a, b);
    }
}
