//! Rapport's widgets in any store's page. The loader a store page includes (`public/embed.js`, see
//! `EMBEDDING.md`) defines one custom element per widget; when one comes near the viewport it loads this WASM
//! and calls [`mount_widget`], which renders the widget into the element's shadow root, talking to the Rapport
//! server across origins with the shopper's token in a header.

#[cfg(feature = "widgets")]
mod mount;
#[cfg(feature = "widgets")]
pub use mount::{MountedWidget, mount_widget, start_embed};

use crate::ui::escape_html;

/// A widget a store page can hold, by its custom element. Everything said about it is its row in [`WIDGETS`].
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
    MyAlerts,
    ReviewPoints,
    Stars,
    ProductView,
}

/// The room a widget keeps on the page until it is ready, so that the page does not jump when it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserve {
    /// A block this high (a CSS length).
    Block(&'static str),
    /// An inline box this high and wide, kept only when the page names a signed-in shopper: guests see nothing
    /// there. `always` keeps it for guests too.
    Inline {
        height: &'static str,
        width: &'static str,
        always: bool,
    },
    /// Nothing: the element shows nothing and mounts as soon as it is in the page (it records something).
    Nothing,
}

/// One widget's row in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WidgetSpec {
    pub widget: EmbeddableWidget,
    /// The custom element's name.
    pub tag: &'static str,
    /// Whether the element needs `product="SKU"`.
    pub needs_product: bool,
    pub reserve: Reserve,
    /// The DOM events it sends to the store's page (EMBEDDING.md, "DOM events").
    pub emits: &'static [&'static str],
}

/// The widget registry: one row per widget. The embed loader's list of elements (`public/embed.js`), the theme's
/// reserved room (`public/rapport-theme.css`), the snippets page, the gallery, EMBEDDING.md's table, the locale
/// files' names and the end-to-end "every widget" test all follow it; the tests below and in `end2end` fail when
/// one of them drifts. A new widget is a variant, a row here, its arm in `mount`, and its component, CSS and strings.
pub const WIDGETS: [WidgetSpec; 14] = [
    WidgetSpec {
        widget: EmbeddableWidget::Reviews,
        tag: "rapport-reviews",
        needs_product: true,
        reserve: Reserve::Block("40rem"),
        emits: &["rapport:review-submitted"],
    },
    WidgetSpec {
        widget: EmbeddableWidget::WishlistButton,
        tag: "rapport-wishlist-button",
        needs_product: true,
        reserve: Reserve::Inline {
            height: "2.5rem",
            width: "9rem",
            always: true,
        },
        emits: &["rapport:wishlist-change"],
    },
    WidgetSpec {
        widget: EmbeddableWidget::Wishlist,
        tag: "rapport-wishlist",
        needs_product: false,
        reserve: Reserve::Block("10rem"),
        emits: &["rapport:add-to-cart", "rapport:wishlist-change"],
    },
    WidgetSpec {
        widget: EmbeddableWidget::PriceAlert,
        tag: "rapport-price-alert",
        needs_product: true,
        reserve: Reserve::Block("28rem"),
        emits: &["rapport:alert-subscribed"],
    },
    WidgetSpec {
        widget: EmbeddableWidget::AlertInbox,
        tag: "rapport-alert-inbox",
        needs_product: false,
        reserve: Reserve::Inline {
            height: "2.5rem",
            width: "2.5rem",
            always: false,
        },
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::TierBadge,
        tag: "rapport-tier-badge",
        needs_product: false,
        reserve: Reserve::Inline {
            height: "1.75rem",
            width: "6rem",
            always: false,
        },
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::TierProgress,
        tag: "rapport-tier-progress",
        needs_product: false,
        reserve: Reserve::Block("9rem"),
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::Feed,
        tag: "rapport-feed",
        needs_product: false,
        reserve: Reserve::Block("50rem"),
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::AlsoBought,
        tag: "rapport-also-bought",
        needs_product: true,
        reserve: Reserve::Block("48rem"),
        emits: &["rapport:wishlist-change"],
    },
    WidgetSpec {
        widget: EmbeddableWidget::AlsoViewed,
        tag: "rapport-also-viewed",
        needs_product: true,
        reserve: Reserve::Block("48rem"),
        emits: &["rapport:wishlist-change"],
    },
    WidgetSpec {
        widget: EmbeddableWidget::MyAlerts,
        tag: "rapport-my-alerts",
        needs_product: false,
        reserve: Reserve::Block("12rem"),
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::ReviewPoints,
        tag: "rapport-review-points",
        needs_product: false,
        reserve: Reserve::Block("8rem"),
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::Stars,
        tag: "rapport-stars",
        needs_product: true,
        reserve: Reserve::Inline {
            height: "1.5rem",
            width: "7rem",
            always: true,
        },
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::ProductView,
        tag: "rapport-product-view",
        needs_product: true,
        reserve: Reserve::Nothing,
        emits: &[],
    },
];

impl EmbeddableWidget {
    /// Every widget, in the registry's order.
    pub const ALL: [Self; WIDGETS.len()] = {
        let mut all = [Self::Reviews; WIDGETS.len()];
        let mut index = 0;
        while index < WIDGETS.len() {
            all[index] = WIDGETS[index].widget;
            index += 1;
        }
        all
    };

    /// The widget's row in the registry.
    pub fn spec(self) -> &'static WidgetSpec {
        WIDGETS
            .iter()
            .find(|spec| spec.widget == self)
            .expect("every widget has its row in WIDGETS")
    }

    /// The custom element's name.
    pub fn tag(self) -> &'static str {
        self.spec().tag
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|widget| widget.tag().eq_ignore_ascii_case(tag))
    }

    /// Whether the element needs `product="SKU"`.
    pub fn needs_product(self) -> bool {
        self.spec().needs_product
    }

    /// Whether the element shows anything (`<rapport-product-view>` only records).
    pub fn is_visible(self) -> bool {
        self.spec().reserve != Reserve::Nothing
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
mod tests;
