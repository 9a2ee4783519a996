//! Messages: emails to one shopper about something that happened to them (their question was answered, their order
//! arrived or waits for payment), queued in the transaction of what caused them (through a flow) and delivered by
//! the server's delivery workers, as the alerts' notices are. Each kind has its own preference, which the shopper
//! changes from any message's link or in the preferences widget ([`MyEmailPreferences`]). The store's suppression
//! list ([`ssr::suppress`]) keeps every email, notice or message, from addresses the receiving server refused for
//! good.

mod preferences;
pub mod rules;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use preferences::*;

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
    /// Something in the shopper's cart got cheaper.
    CartPriceDrop(CartPriceDrop),
}

impl MessageBody {
    pub fn kind(&self) -> MessageKind {
        match self {
            Self::QuestionAnswered(_) => MessageKind::QuestionAnswered,
            Self::ReviewRequest(_) => MessageKind::ReviewRequest,
            Self::UnpaidOrder(_) => MessageKind::UnpaidOrder,
            Self::CartPriceDrop(_) => MessageKind::CartPriceDrop,
        }
    }
}

/// What a message is about: each kind has its own preference, which a shopper changes from any of its emails or
/// in the preferences widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    QuestionAnswered,
    ReviewRequest,
    UnpaidOrder,
    CartPriceDrop,
}

impl MessageKind {
    pub const ALL: [MessageKind; 4] = [
        MessageKind::QuestionAnswered,
        MessageKind::ReviewRequest,
        MessageKind::UnpaidOrder,
        MessageKind::CartPriceDrop,
    ];

    /// The kind's name in the outbox, the preferences and their links.
    pub fn key(self) -> &'static str {
        match self {
            MessageKind::QuestionAnswered => "question_answered",
            MessageKind::ReviewRequest => "review_request",
            MessageKind::UnpaidOrder => "unpaid_order",
            MessageKind::CartPriceDrop => "cart_price_drop",
        }
    }

    pub fn from_key(key: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// Transactional kinds follow from something the shopper did and go unless they turn them off; marketing
    /// kinds follow the store's consent rule ([`MarketingConsent`]).
    pub fn purpose(self) -> Purpose {
        match self {
            MessageKind::QuestionAnswered | MessageKind::ReviewRequest => Purpose::Transactional,
            MessageKind::UnpaidOrder | MessageKind::CartPriceDrop => Purpose::Marketing,
        }
    }

    /// Whether a message of this kind goes to a shopper whose own choice for it is `choice` (none made yet).
    pub fn allowed(self, choice: Option<bool>, consent: MarketingConsent) -> bool {
        choice.unwrap_or(match self.purpose() {
            Purpose::Transactional => true,
            Purpose::Marketing => consent == MarketingConsent::OptOut,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// About something the shopper did: a question they asked, an order they placed.
    Transactional,
    /// Asking the shopper to buy or come back.
    Marketing,
}

/// The store's rule for marketing email to a shopper who has not chosen yet: sent until they turn it off
/// (opt-out, where the law lets a store write to its customers about what they bought), or only once they turned
/// it on (opt-in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarketingConsent {
    #[default]
    OptOut,
    OptIn,
}

/// A shopper's choice for one kind of message, as the preferences show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPreference {
    pub kind: MessageKind,
    pub purpose: Purpose,
    /// Whether messages of this kind go to them now (their own choice, or the store's rule while they made none).
    pub allowed: bool,
}

/// A shopper's email preferences, every kind in [`MessageKind::ALL`]'s order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPreferences {
    /// The kind the email that linked here was about, when a link opened them.
    pub about: Option<MessageKind>,
    pub preferences: Vec<EmailPreference>,
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

/// A product in the shopper's cart got cheaper: what it costs now, what it cost when they were last told (or put
/// it in the cart), and the lowest price of the 30 days before, as an alert's notice says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartPriceDrop {
    pub sku: String,
    pub title: String,
    /// The store's own page of the product, when the catalogue has one.
    pub product_url: Option<String>,
    /// How many of it the cart holds.
    pub quantity: i64,
    pub old_price: crate::kernel::money::Money,
    pub new_price: crate::kernel::money::Money,
    pub lowest_30_days: crate::kernel::money::Money,
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

/// One message of a period, as the merchant's figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageFact {
    pub kind: MessageKind,
    /// The recipient's row id.
    pub shopper: i64,
    /// When the email went; `None` while it waits or after it failed.
    pub sent_at: Option<crate::kernel::time::Millis>,
    pub failed: bool,
    pub opened: bool,
    pub clicked: bool,
    /// Handed to the merchant's webhook rather than emailed (the shopper stopped opening marketing email).
    pub webhook: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transactional_email_goes_until_turned_off_and_marketing_follows_the_stores_rule_until_chosen()
     {
        use MarketingConsent::{OptIn, OptOut};
        let answer = MessageKind::QuestionAnswered;
        let reminder = MessageKind::UnpaidOrder;
        for consent in [OptOut, OptIn] {
            assert!(answer.allowed(None, consent));
            assert!(!answer.allowed(Some(false), consent));
            assert!(reminder.allowed(Some(true), consent));
            assert!(!reminder.allowed(Some(false), consent));
        }
        assert!(reminder.allowed(None, OptOut));
        assert!(!reminder.allowed(None, OptIn));
    }

    #[test]
    fn every_kind_is_named_by_its_key() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(MessageKind::from_key("newsletter"), None);
    }
}
