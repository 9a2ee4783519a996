//! Shopper events: what shoppers did with which product, and when. Every capability records its events
//! through [`ssr::record`]; the personalised feed reads them.

mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;
pub use server::*;
pub use widget::ProductView;

use serde::{Deserialize, Serialize};

/// What a shopper did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Viewed,
    Wishlisted,
    Unwishlisted,
    Carted,
    Purchased,
    Reviewed,
    Dismissed,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Viewed => "viewed",
            EventKind::Wishlisted => "wishlisted",
            EventKind::Unwishlisted => "unwishlisted",
            EventKind::Carted => "carted",
            EventKind::Purchased => "purchased",
            EventKind::Reviewed => "reviewed",
            EventKind::Dismissed => "dismissed",
        }
    }

    /// The kind a stored name stands for.
    pub fn parse(name: &str) -> Option<EventKind> {
        [
            EventKind::Viewed,
            EventKind::Wishlisted,
            EventKind::Unwishlisted,
            EventKind::Carted,
            EventKind::Purchased,
            EventKind::Reviewed,
            EventKind::Dismissed,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

/// An event as the merchant API receives it: by a shopper or by a guest, never both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// The store's shopper id.
    #[serde(default)]
    pub shopper_id: Option<String>,
    /// A guest id, for visitors who have not signed in.
    #[serde(default)]
    pub guest_id: Option<String>,
    pub sku: String,
    pub kind: EventKind,
    /// RFC 3339 time; now when absent.
    #[serde(default)]
    pub occurred_at: Option<String>,
}
