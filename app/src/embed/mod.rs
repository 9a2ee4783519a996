//! Rapport's widgets in any store's page. The loader a store page includes (`public/embed.js`, see
//! `EMBEDDING.md`) defines one custom element per widget; when one comes near the viewport it loads this WASM
//! and calls [`mount_widget`], which renders the widget into the element's shadow root, talking to the Rapport
//! server across origins with the shopper's token in a header.

#[cfg(feature = "widgets")]
mod mount;
#[cfg(feature = "widgets")]
pub use mount::{MountedWidget, mount_widget, start_embed};

use crate::ui::escape_html;

/// A widget a store page can hold, by its custom element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddableWidget {
    Reviews,
    WishlistButton,
    Wishlist,
    PriceAlert,
    AlertInbox,
    TierBadge,
    TierProgress,
    Feed,
    AlsoBought,
    AlsoViewed,
}

impl EmbeddableWidget {
    pub const ALL: [Self; 10] = [
        Self::Reviews,
        Self::WishlistButton,
        Self::Wishlist,
        Self::PriceAlert,
        Self::AlertInbox,
        Self::TierBadge,
        Self::TierProgress,
        Self::Feed,
        Self::AlsoBought,
        Self::AlsoViewed,
    ];

    /// The custom element's name.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Reviews => "rapport-reviews",
            Self::WishlistButton => "rapport-wishlist-button",
            Self::Wishlist => "rapport-wishlist",
            Self::PriceAlert => "rapport-price-alert",
            Self::AlertInbox => "rapport-alert-inbox",
            Self::TierBadge => "rapport-tier-badge",
            Self::TierProgress => "rapport-tier-progress",
            Self::Feed => "rapport-feed",
            Self::AlsoBought => "rapport-also-bought",
            Self::AlsoViewed => "rapport-also-viewed",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|widget| widget.tag().eq_ignore_ascii_case(tag))
    }

    /// Whether the element needs `product="SKU"`.
    pub fn needs_product(self) -> bool {
        matches!(
            self,
            Self::Reviews
                | Self::WishlistButton
                | Self::PriceAlert
                | Self::AlsoBought
                | Self::AlsoViewed
        )
    }

    /// The element as a merchant pastes it into a page, for the product `sku` where it needs one.
    pub fn snippet(self, sku: &str) -> String {
        let tag = self.tag();
        if self.needs_product() {
            format!("<{tag} product=\"{}\"></{tag}>", escape_html(sku))
        } else {
            format!("<{tag}></{tag}>")
        }
    }
}

/// The page lines that load the widgets from the Rapport server at `server` (its public URL): the loader, and
/// the theme defaults, which keep each widget's room from the first paint when they are in the head.
pub fn loader_snippet(server: &str) -> String {
    let server = escape_html(server.trim_end_matches('/'));
    format!(
        "<script src=\"{server}/embed.js\" async></script>\n\
         <link rel=\"stylesheet\" href=\"{server}/rapport-theme.css\">"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_widget_is_found_by_its_tag_and_pastes_as_an_element() {
        for widget in EmbeddableWidget::ALL {
            assert_eq!(EmbeddableWidget::from_tag(widget.tag()), Some(widget));
            assert!(widget.tag().starts_with("rapport-"));
        }
        assert_eq!(
            EmbeddableWidget::from_tag("RAPPORT-FEED"),
            Some(EmbeddableWidget::Feed)
        );
        assert_eq!(EmbeddableWidget::from_tag("rapport-nothing"), None);
        assert_eq!(
            EmbeddableWidget::Reviews.snippet("KIT-00001"),
            "<rapport-reviews product=\"KIT-00001\"></rapport-reviews>"
        );
        assert_eq!(
            EmbeddableWidget::WishlistButton.snippet("a\"<b>"),
            "<rapport-wishlist-button product=\"a&quot;&lt;b&gt;\"></rapport-wishlist-button>"
        );
        assert_eq!(
            EmbeddableWidget::Feed.snippet("ignored"),
            "<rapport-feed></rapport-feed>"
        );
        assert_eq!(
            loader_snippet("https://rapport.example/"),
            "<script src=\"https://rapport.example/embed.js\" async></script>\n\
             <link rel=\"stylesheet\" href=\"https://rapport.example/rapport-theme.css\">"
        );
    }
}
