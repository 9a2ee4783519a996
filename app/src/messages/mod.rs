//! Messages: emails to one shopper about something that happened to them (their question was answered), queued in
//! the transaction of what caused them (through a flow) and delivered by the server's delivery workers, as the
//! alerts' notices are. The store's suppression list ([`ssr::suppress`]) keeps every email, notice or message, from
//! addresses the receiving server refused for good.

#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// What a message says, with the fields its email needs, as they were when it was queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MessageBody {
    /// A question the shopper asked was answered.
    QuestionAnswered(QuestionAnswered),
    /// An order was delivered a while ago: how are the products?
    ReviewRequest(ReviewRequest),
    /// An order placed a while ago is still not paid.
    UnpaidOrder(UnpaidOrderReminder),
}

impl MessageBody {
    /// The kind's name in the outbox.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::QuestionAnswered(_) => "question_answered",
            Self::ReviewRequest(_) => "review_request",
            Self::UnpaidOrder(_) => "unpaid_order",
        }
    }
}

/// A request to review what an order brought, the products the buyer has not reviewed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRequest {
    /// The store's order number.
    pub order_id: String,
    pub products: Vec<RequestedReview>,
    /// The one reminder, a while after the request, of what is still not reviewed.
    #[serde(default)]
    pub reminder: bool,
}

/// One product a review request asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedReview {
    pub sku: String,
    pub title: String,
    /// The secret of its review links (`/review/<link>?stars=1..5`), which open the review form for this buyer.
    pub link: String,
}

/// A reminder of an order placed but not paid, with the store's page to pay it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpaidOrderReminder {
    /// The store's order number.
    pub order_id: String,
    pub total: crate::kernel::money::Money,
    pub payment_url: String,
    pub products: Vec<UnpaidProduct>,
}

/// One line of an unpaid order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpaidProduct {
    pub sku: String,
    pub title: String,
    pub quantity: i64,
}

/// An answer to the shopper's question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionAnswered {
    pub sku: String,
    pub product_title: String,
    /// The store's own page of the product, when the catalogue has one.
    pub product_url: Option<String>,
    pub question: String,
    pub answer: String,
    /// Who answered: the shop, or a shopper who bought the product (their display name).
    pub answered_by: Answerer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answerer {
    Shop,
    Buyer(String),
}

/// An address nothing is sent to, since the receiving server refused it for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Suppression {
    /// Lower-case.
    pub email: String,
    /// The receiving server's reply.
    pub reason: String,
    /// RFC 3339.
    pub suppressed_at: String,
}

/// Part of the suppression list, the latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Suppressions {
    pub suppressions: Vec<Suppression>,
    /// How many addresses the whole list holds.
    pub total: i64,
}
