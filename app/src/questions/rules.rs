//! The rules of questions and answers: what a question and an answer may be, how many a shopper may send, and the
//! order answers are shown in.

use super::Answer;
use crate::kernel::error::AppError;
use crate::kernel::validate::{TextRule, text};
use std::cmp::Ordering;

/// The longest question: a question is a few sentences, not a review.
pub const MAX_QUESTION_CHARS: usize = 1000;
/// The longest answer, the shop's or a shopper's.
pub const MAX_ANSWER_CHARS: usize = 2000;
/// The longest reason the shop gives for turning a question down.
pub const MAX_REASON_CHARS: usize = 500;
/// Questions shown per "more questions".
pub const PAGE: i64 = 5;

/// The limits a store sets on questions and answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuestionPolicy {
    /// Questions one shopper may ask in 24 hours, over every product.
    pub questions_per_day: i64,
    /// Answers one shopper may write in 24 hours.
    pub answers_per_day: i64,
    /// Helpful votes one shopper may cast (or withdraw) in a minute.
    pub votes_per_minute: i64,
}

impl Default for QuestionPolicy {
    fn default() -> Self {
        Self {
            questions_per_day: 10,
            answers_per_day: 20,
            votes_per_minute: 30,
        }
    }
}

/// A question: one or more lines, never blank, at most [`MAX_QUESTION_CHARS`].
///
/// ```
/// use app::questions::rules::validate_question;
/// assert!(validate_question("Does it fit a 20 cm hob?").is_ok());
/// assert!(validate_question("   ").is_err());
/// ```
pub fn validate_question(body: &str) -> Result<(), AppError> {
    text("body", body, TextRule::paragraphs(MAX_QUESTION_CHARS))
}

/// An answer: one or more lines, never blank, at most [`MAX_ANSWER_CHARS`].
pub fn validate_answer(body: &str) -> Result<(), AppError> {
    text("body", body, TextRule::paragraphs(MAX_ANSWER_CHARS))
}

/// The shop's reason for turning a question down, which its asker sees: never blank.
pub fn validate_reason(reason: &str) -> Result<(), AppError> {
    text("reason", reason, TextRule::paragraphs(MAX_REASON_CHARS))
}

/// The order answers are shown in: the most helpful first; between equally helpful ones the shop's first (it
/// speaks for the product), then the earlier.
pub fn answer_order(a: &Answer, b: &Answer) -> Ordering {
    b.helpful
        .cmp(&a.helpful)
        .then(b.by_shop.cmp(&a.by_shop))
        .then(a.answered_at.cmp(&b.answered_at))
        .then(a.id.cmp(&b.id))
}

/// How many questions to show for a page address's `shown`: at least a page, at most 100, in whole pages.
pub fn questions_shown(asked: Option<i64>) -> i64 {
    let asked = asked.unwrap_or(PAGE).clamp(PAGE, 100);
    (asked + PAGE - 1) / PAGE * PAGE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::time::Millis;

    fn answer(id: i64, helpful: i64, by_shop: bool, at: i64) -> Answer {
        Answer {
            id,
            body: String::new(),
            by_shop,
            author: String::new(),
            helpful,
            edited: false,
            answered_at: Millis(at),
        }
    }

    #[test]
    fn the_most_helpful_answer_comes_first_then_the_shops_then_the_earliest() {
        let mut answers = [
            answer(1, 0, false, 10),
            answer(2, 3, false, 20),
            answer(3, 0, true, 30),
            answer(4, 3, true, 40),
            answer(5, 0, false, 5),
        ];
        answers.sort_by(answer_order);
        let order: Vec<i64> = answers.iter().map(|a| a.id).collect();
        assert_eq!(order, [4, 2, 3, 5, 1]);
    }

    #[test]
    fn questions_and_answers_refuse_blank_long_and_control_text() {
        assert!(validate_question("Is the lid oven-safe?\nUp to which temperature?").is_ok());
        assert_eq!(
            validate_question("").unwrap_err().field.as_deref(),
            Some("body")
        );
        assert!(validate_question(&"a".repeat(MAX_QUESTION_CHARS)).is_ok());
        assert!(validate_question(&"a".repeat(MAX_QUESTION_CHARS + 1)).is_err());
        assert!(validate_question("Is it \u{1b}[31msafe?").is_err());
        assert!(validate_answer(&"a".repeat(MAX_ANSWER_CHARS)).is_ok());
        assert!(validate_answer(&"a".repeat(MAX_ANSWER_CHARS + 1)).is_err());
        assert!(validate_answer(" \n ").is_err());
    }

    #[test]
    fn the_questions_shown_are_whole_pages_within_bounds() {
        assert_eq!(questions_shown(None), PAGE);
        assert_eq!(questions_shown(Some(-3)), PAGE);
        assert_eq!(questions_shown(Some(PAGE + 1)), 2 * PAGE);
        assert_eq!(questions_shown(Some(10_000)), 100);
    }
}
