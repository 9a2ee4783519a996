//! Product questions and answers (商品咨询): shoppers ask about a product before they buy; the shop publishes the
//! question (or turns it down with a reason) and answers it; shoppers who bought the product answer too; every
//! shopper may mark an answer helpful, once, and answers are shown most helpful first ([`rules::answer_order`]).

mod desk;
pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;
pub use desk::QuestionsDesk;
pub use server::*;
pub use widget::{QUESTION_ASKED_EVENT, Questions};

use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};

/// Where a question stands: waiting for the shop, shown on the product, or turned down with a reason.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionStatus {
    Pending,
    Published,
    Rejected,
}

impl QuestionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Published => "published",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "published" => Some(Self::Published),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// An answer as shoppers see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub id: i64,
    pub body: String,
    /// The shop's own answer; otherwise a shopper's who bought the product.
    pub by_shop: bool,
    /// The answering shopper's display name; empty for the shop (the page names the shop).
    pub author: String,
    /// Shoppers who marked it helpful.
    pub helpful: i64,
    pub edited: bool,
    /// Milliseconds since 1970 (UTC).
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub answered_at: Millis,
}

/// A published question with its answers, most helpful first.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: i64,
    pub body: String,
    pub asker: String,
    /// Milliseconds since 1970 (UTC).
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub asked_at: Millis,
    pub answers: Vec<Answer>,
}

/// A product's questions as the widget shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionsPage {
    pub questions: Vec<Question>,
    /// Published questions of the product in all.
    pub total: i64,
    /// Whether "more questions" has more to show.
    pub more: bool,
    /// The shop's name, shown with its answers.
    pub shop_name: String,
}

/// A question the signed-in shopper asked, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnQuestion {
    pub id: i64,
    pub body: String,
    pub status: QuestionStatus,
    /// The shop's reason, when it turned the question down.
    pub rejection_reason: Option<String>,
    pub asked_at: Millis,
}

/// What the signed-in shopper has to do with one product's questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopperQuestions {
    /// Whether they bought the product, and so may answer.
    pub can_answer: bool,
    /// Their questions about it that are not shown on the product: waiting, or turned down.
    pub unpublished: Vec<OwnQuestion>,
    /// The answers they marked helpful.
    pub helpful_votes: Vec<i64>,
    /// The questions they answered.
    pub answered: Vec<i64>,
}

/// An answer's helpful count after a vote, and whether the voter's vote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerTally {
    pub helpful: i64,
    pub voted: bool,
}

/// The merchant desk's lists of questions.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeskQueue {
    /// Asked, not yet published or turned down: oldest first.
    #[default]
    Waiting,
    /// Published without an answer yet: oldest first.
    Unanswered,
    /// Published with answers: newest first.
    Answered,
    /// Turned down: newest first.
    Rejected,
}

impl DeskQueue {
    pub const ALL: [Self; 4] = [
        Self::Waiting,
        Self::Unanswered,
        Self::Answered,
        Self::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Unanswered => "unanswered",
            Self::Answered => "answered",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|queue| queue.as_str() == text)
    }
}

/// A question on the merchant's desk: the question, its product, where it stands, and its published answers.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskQuestion {
    pub question: Question,
    pub sku: String,
    pub product_title: String,
    pub status: QuestionStatus,
    pub rejection_reason: Option<String>,
}

/// A merchant's decision on a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuestionDecision {
    Publish,
    Reject { reason: String },
}
