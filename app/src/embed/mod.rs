//! Rapport's widgets in any store's page. The loader a store page includes (`public/embed.js`, see
//! `EMBEDDING.md`) defines one custom element per widget; when one comes near the viewport it loads this WASM
//! and calls [`mount_widget`], which renders the widget into the element's shadow root, talking to the Rapport
//! server across origins with the shopper's token in a header. The loader draws a few badges itself, without the
//! WASM ([`Code::Loader`], [`Code::LoaderWhen`]), from server functions with paths of their own
//! (`CALLED_BY_LOADER`).

#[cfg(feature = "widgets")]
mod mount;
#[cfg(feature = "widgets")]
pub use mount::{MountedWidget, mount_widget, start_embed};

use crate::alerts::ALERT_SUBSCRIBED_EVENT;
use crate::feed::rules::{DEFAULT_PER_SECTION, MAX_PER_SECTION, MIN_PER_SECTION, RECENTLY_VIEWED};
use crate::identity::client::IDENTITY_CHANGE_EVENT;
use crate::questions::QUESTION_ASKED_EVENT;
use crate::reviews::{REVIEW_DELETED_EVENT, REVIEW_SUBMITTED_EVENT};
use crate::ui::{ADD_TO_CART_EVENT, escape_html};
use crate::wishlist::WISHLIST_CHANGE_EVENT;

/// Something a store's page saw the shopper do, as the loader's `Rapport.track(kind, {sku, quantity})` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracked {
    /// Opened the product's page.
    View,
    /// Put this many of the product in the store's cart.
    Cart(i64),
    /// Took the product out of the store's cart.
    Uncart,
}

impl Tracked {
    /// Reads a tracking call's kind (`view`, `cart` or `uncart`), with the quantity a cart event carries (1 when
    /// none).
    ///
    /// ```
    /// use app::embed::Tracked;
    /// assert_eq!(Tracked::parse("cart", Some(2)), Ok(Tracked::Cart(2)));
    /// assert_eq!(Tracked::parse("view", None), Ok(Tracked::View));
    /// assert_eq!(Tracked::parse("uncart", None), Ok(Tracked::Uncart));
    /// assert!(Tracked::parse("purchase", None).is_err());
    /// ```
    pub fn parse(
        kind: &str,
        quantity: Option<i64>,
    ) -> Result<Self, crate::kernel::error::AppError> {
        match kind {
            "view" => Ok(Self::View),
            "cart" => Ok(Self::Cart(quantity.unwrap_or(1))),
            "uncart" => Ok(Self::Uncart),
            other => Err(crate::kernel::error::AppError::invalid(
                "kind",
                format!(
                    "\"{other}\" is not something Rapport records from a page; use \"view\", \"cart\" or \"uncart\""
                ),
            )),
        }
    }
}

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
    WentOnTo,
    MyAlerts,
    ReviewPoints,
    Stars,
    ProductView,
    RecentlyViewed,
    Questions,
    EmailPreferences,
}

/// A chunk of the widgets' WASM: the code of widgets that pages of one kind show, which a page fetches once it
/// shows one of them. Code two chunks share goes into a further chunk, one for each set of chunks sharing it, and
/// each file compresses less well than one whole would: sixteen chunks (one per widget) made about 280 files,
/// and four chunks weighed more on a product page than no split at all (BENCHMARKS.md, "Split by kind of page").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Chunk {
    /// Small badges: those a list of products shows on each card (a category page, search results), and those
    /// of a store's header, which every page shows.
    Badges,
    /// What a product's own page shows about it, and the shelves of products bought or viewed with it.
    Product,
    /// The shopper's own pages and the home page: wish list, alerts, tier progress, review points, the feed and
    /// the recently viewed.
    Account,
}

impl Chunk {
    pub const ALL: [Chunk; 3] = [Chunk::Badges, Chunk::Product, Chunk::Account];

    /// Its name, as the split point's module (`app::embed::mount`) and the split's map of chunks spell it.
    pub fn name(self) -> &'static str {
        match self {
            Chunk::Badges => "badges",
            Chunk::Product => "product",
            Chunk::Account => "account",
        }
    }
}

/// Where a widget's code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// In the loader itself (`public/embed.js`), which draws the widget without the WASM: a badge a page shows
    /// dozens of, whose few lines of script cost a shopper far less than the WASM's reactive runtime, so that a
    /// page of such badges alone fetches no WASM at all (BENCHMARKS.md, "Star badges drawn by the loader").
    Loader,
    /// In the loader when the element carries the flag option `flag` (the compact heart on each of a category
    /// page's cards), else in the chunk `otherwise` (the full heart, with its count and list chooser).
    LoaderWhen {
        flag: &'static str,
        otherwise: Chunk,
    },
    /// In this chunk of the widgets' WASM.
    Wasm(Chunk),
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
    /// What it shows, in a sentence (the elements' manifest and TypeScript declarations).
    pub about: &'static str,
    /// Whether the element needs `product="SKU"`.
    pub needs_product: bool,
    /// Whether it asks for the shopper's or guest's own data as it mounts, and so for a guest session first when
    /// the browser keeps no token: the loader then asks for that session beside the WASM rather than after it.
    pub as_viewer: bool,
    /// Where its code is: the loader, or a chunk of the widgets' WASM.
    pub code: Code,
    pub reserve: Reserve,
    /// The settings a store gives it through attributes, each mirrored by a JS property.
    pub options: &'static [WidgetOption],
    /// The DOM events it sends to the store's page (see [`DOM_EVENTS`]).
    pub emits: &'static [&'static str],
}

/// A setting of a widget: an attribute of its element, and the element's JS property of the same meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WidgetOption {
    /// The attribute's name (`per-section`).
    pub attribute: &'static str,
    /// The JS property's name (`perSection`).
    pub property: &'static str,
    pub kind: OptionKind,
    pub about: &'static str,
}

/// What an option's attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// A whole number from `min` to `max`; `default` when the attribute is absent.
    Count { min: u32, max: u32, default: u32 },
    /// On when the attribute is present (a boolean attribute, as HTML's `hidden`).
    Flag,
    /// Any text; the widget does without it when absent or blank.
    Text,
}

/// The options' attributes, named once for the registry's rows and the mount that reads them.
pub const LIMIT: &str = "limit";
pub const PER_SECTION: &str = "per-section";
pub const COMPACT: &str = "compact";
pub const PRODUCT_NAME: &str = "product-name";

/// `limit` for a shelf of products.
const fn limit(default: usize) -> WidgetOption {
    WidgetOption {
        attribute: LIMIT,
        property: "limit",
        kind: OptionKind::Count {
            min: 1,
            max: MAX_PER_SECTION as u32,
            default: default as u32,
        },
        about: "Products shown at most.",
    }
}

/// A DOM event widgets send to the store's page (EMBEDDING.md, "DOM events").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomEvent {
    pub name: &'static str,
    /// The fields of its `detail`, each with its TypeScript type; empty when it has none.
    pub detail: &'static [(&'static str, &'static str)],
    pub about: &'static str,
}

/// Every DOM event widgets and the loader send. Each bubbles and is `composed`.
pub const DOM_EVENTS: [DomEvent; 8] = [
    DomEvent {
        name: ADD_TO_CART_EVENT,
        detail: &[("sku", "string"), ("quantity", "number")],
        about: "The shopper asks to add a product to the cart; the store's page adds it.",
    },
    DomEvent {
        name: WISHLIST_CHANGE_EVENT,
        detail: &[("sku", "string"), ("saved", "boolean")],
        about: "A heart saved the product (true) or took it out of every list (false).",
    },
    DomEvent {
        name: REVIEW_SUBMITTED_EVENT,
        detail: &[
            ("sku", "string"),
            ("rating", "number"),
            ("status", "'pending' | 'published'"),
        ],
        about: "The shopper's review was saved; pending reviews await moderation.",
    },
    DomEvent {
        name: REVIEW_DELETED_EVENT,
        detail: &[("sku", "string")],
        about: "The shopper deleted their review of the product.",
    },
    DomEvent {
        name: QUESTION_ASKED_EVENT,
        detail: &[("sku", "string")],
        about: "The shopper asked about the product; the question shows once the shop publishes it.",
    },
    DomEvent {
        name: ALERT_SUBSCRIBED_EVENT,
        detail: &[
            ("sku", "string"),
            ("kind", "'price_drop' | 'back_in_stock'"),
        ],
        about: "An alert was set up.",
    },
    DomEvent {
        name: READY_EVENT,
        detail: &[],
        about: "The widget shows its content (sent by the loader).",
    },
    DomEvent {
        name: IDENTITY_CHANGE_EVENT,
        detail: &[("signed_in", "boolean")],
        about: "On window: the page's shopper signed in or out.",
    },
];

/// The loader's event: a widget shows its content.
pub const READY_EVENT: &str = "rapport:ready";

/// The widget registry: one row per widget. The embed loader's list of elements (`public/embed.js`), the theme's
/// reserved room (`public/rapport-theme.css`), the snippets page, the gallery, EMBEDDING.md's table, the locale
/// files' names and the end-to-end "every widget" test all follow it; the tests below and in `end2end` fail when
/// one of them drifts. A new widget is a variant, a row here, its arm in `mount`, and its component, CSS and strings.
pub const WIDGETS: [WidgetSpec; 18] = [
    WidgetSpec {
        widget: EmbeddableWidget::Reviews,
        tag: "rapport-reviews",
        about: "The product's reviews: stars, sorting and filters, helpfulness votes, and the form to write one.",
        needs_product: true,
        as_viewer: false,
        code: Code::Wasm(Chunk::Product),
        reserve: Reserve::Block("40rem"),
        options: &[WidgetOption {
            attribute: PRODUCT_NAME,
            property: "productName",
            kind: OptionKind::Text,
            about: "The product's name: the reviews then add its schema.org JSON-LD to the page's head.",
        }],
        emits: &[REVIEW_SUBMITTED_EVENT, REVIEW_DELETED_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::WishlistButton,
        tag: "rapport-wishlist-button",
        about: "A heart that saves the product to the shopper's wish list.",
        needs_product: true,
        as_viewer: true,
        code: Code::LoaderWhen {
            flag: COMPACT,
            otherwise: Chunk::Badges,
        },
        reserve: Reserve::Inline {
            height: "2.5rem",
            width: "9rem",
            always: true,
        },
        options: &[WidgetOption {
            attribute: COMPACT,
            property: "compact",
            kind: OptionKind::Flag,
            about: "The card form: the heart alone, no count and no list chooser.",
        }],
        emits: &[WISHLIST_CHANGE_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::Wishlist,
        tag: "rapport-wishlist",
        about: "The shopper's wish lists, with prices, sharing and adding to the cart.",
        needs_product: false,
        as_viewer: true,
        code: Code::Wasm(Chunk::Account),
        reserve: Reserve::Block("10rem"),
        options: &[],
        emits: &[ADD_TO_CART_EVENT, WISHLIST_CHANGE_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::PriceAlert,
        tag: "rapport-price-alert",
        about: "Sign-up for an email when the product's price drops or it is back in stock.",
        needs_product: true,
        as_viewer: true,
        code: Code::Wasm(Chunk::Product),
        reserve: Reserve::Block("28rem"),
        options: &[],
        emits: &[ALERT_SUBSCRIBED_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::AlertInbox,
        tag: "rapport-alert-inbox",
        about: "A bell with the signed-in shopper's unread alerts.",
        needs_product: false,
        as_viewer: false,
        code: Code::Wasm(Chunk::Badges),
        reserve: Reserve::Inline {
            height: "2.5rem",
            width: "2.5rem",
            always: false,
        },
        options: &[],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::TierBadge,
        tag: "rapport-tier-badge",
        about: "The signed-in shopper's member tier.",
        needs_product: false,
        as_viewer: false,
        code: Code::Wasm(Chunk::Badges),
        reserve: Reserve::Inline {
            height: "1.75rem",
            width: "6rem",
            always: false,
        },
        options: &[],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::TierProgress,
        tag: "rapport-tier-progress",
        about: "How far the shopper is from the next member tier, and its benefits.",
        needs_product: false,
        as_viewer: false,
        code: Code::Wasm(Chunk::Account),
        reserve: Reserve::Block("9rem"),
        options: &[],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::Feed,
        tag: "rapport-feed",
        about: "The shopper's personalised home feed, in sections.",
        needs_product: false,
        as_viewer: false,
        code: Code::Wasm(Chunk::Account),
        reserve: Reserve::Block("50rem"),
        options: &[WidgetOption {
            attribute: PER_SECTION,
            property: "perSection",
            kind: OptionKind::Count {
                min: MIN_PER_SECTION as u32,
                max: MAX_PER_SECTION as u32,
                default: DEFAULT_PER_SECTION as u32,
            },
            about: "Cards per section at most.",
        }],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::AlsoBought,
        tag: "rapport-also-bought",
        about: "Customers who bought this product also bought.",
        needs_product: true,
        as_viewer: false,
        code: Code::Wasm(Chunk::Product),
        reserve: Reserve::Block("48rem"),
        options: &[limit(DEFAULT_PER_SECTION)],
        emits: &[WISHLIST_CHANGE_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::AlsoViewed,
        tag: "rapport-also-viewed",
        about: "Customers who viewed this product also viewed.",
        needs_product: true,
        as_viewer: false,
        code: Code::Wasm(Chunk::Product),
        reserve: Reserve::Block("48rem"),
        options: &[limit(DEFAULT_PER_SECTION)],
        emits: &[WISHLIST_CHANGE_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::WentOnTo,
        tag: "rapport-went-on-to",
        about: "Customers who viewed this product went on to: what shoppers touched next, in the order they did.",
        needs_product: true,
        as_viewer: false,
        code: Code::Wasm(Chunk::Product),
        reserve: Reserve::Block("48rem"),
        options: &[limit(DEFAULT_PER_SECTION)],
        emits: &[WISHLIST_CHANGE_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::MyAlerts,
        tag: "rapport-my-alerts",
        about: "The shopper's alerts, to cancel or to widen to price rises.",
        needs_product: false,
        as_viewer: true,
        code: Code::Wasm(Chunk::Account),
        reserve: Reserve::Block("12rem"),
        options: &[],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::ReviewPoints,
        tag: "rapport-review-points",
        about: "The review points the signed-in shopper has earned.",
        needs_product: false,
        as_viewer: false,
        code: Code::Wasm(Chunk::Account),
        reserve: Reserve::Block("8rem"),
        options: &[],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::Stars,
        tag: "rapport-stars",
        about: "The product's average stars and review count, for category pages and search results.",
        needs_product: true,
        as_viewer: false,
        code: Code::Loader,
        reserve: Reserve::Inline {
            height: "1.5rem",
            width: "7rem",
            always: true,
        },
        options: &[],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::ProductView,
        tag: "rapport-product-view",
        about: "Shows nothing: records that the shopper viewed the product.",
        needs_product: true,
        as_viewer: true,
        code: Code::Wasm(Chunk::Badges),
        reserve: Reserve::Nothing,
        options: &[],
        emits: &[],
    },
    WidgetSpec {
        widget: EmbeddableWidget::RecentlyViewed,
        tag: "rapport-recently-viewed",
        about: "The products the shopper viewed lately, newest first, with a button to clear them.",
        needs_product: false,
        as_viewer: false,
        code: Code::Wasm(Chunk::Account),
        reserve: Reserve::Block("24rem"),
        options: &[limit(RECENTLY_VIEWED)],
        emits: &[WISHLIST_CHANGE_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::Questions,
        tag: "rapport-questions",
        about: "Shoppers' questions about the product with the shop's and buyers' answers, helpful votes, and the form to ask.",
        needs_product: true,
        as_viewer: false,
        code: Code::Wasm(Chunk::Product),
        reserve: Reserve::Block("20rem"),
        options: &[],
        emits: &[QUESTION_ASKED_EVENT],
    },
    WidgetSpec {
        widget: EmbeddableWidget::EmailPreferences,
        tag: "rapport-email-preferences",
        about: "The signed-in shopper's email preferences: each kind of email the store sends them, on or off.",
        needs_product: false,
        as_viewer: false,
        code: Code::Wasm(Chunk::Account),
        reserve: Reserve::Block("12rem"),
        options: &[],
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

    /// The chunk of the widgets' WASM its code is in; none for a widget the loader always draws.
    pub fn chunk(self) -> Option<Chunk> {
        match self.spec().code {
            Code::Loader => None,
            Code::LoaderWhen { otherwise, .. } => Some(otherwise),
            Code::Wasm(chunk) => Some(chunk),
        }
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

/// A widget's settings, read from its element's attributes by [`EmbeddableWidget::settings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    widget: EmbeddableWidget,
    given: Vec<(&'static str, String)>,
}

impl EmbeddableWidget {
    /// Reads the element's settings from its attributes (name and value; the page's other attributes are left
    /// alone). A count that is not a whole number in its range is refused with what it should be, as the widget
    /// could only guess what the page meant.
    pub fn settings<'a>(
        self,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Settings, String> {
        let mut given = Vec::new();
        for (name, value) in attributes {
            let Some(option) = self.spec().options.iter().find(|o| o.attribute == name) else {
                continue;
            };
            let value = value.trim();
            if let OptionKind::Count { min, max, .. } = option.kind
                && !value
                    .parse::<u32>()
                    .is_ok_and(|count| (min..=max).contains(&count))
            {
                return Err(format!(
                    "<{} {name}=\"{value}\">: {name} takes a whole number from {min} to {max}",
                    self.tag()
                ));
            }
            given.push((option.attribute, value.to_owned()));
        }
        Ok(Settings {
            widget: self,
            given,
        })
    }
}

impl Settings {
    /// The option `attribute` of the widget, and the element's value of it if it has one.
    fn read(&self, attribute: &str) -> (&'static WidgetOption, Option<&str>) {
        let option = self
            .widget
            .spec()
            .options
            .iter()
            .find(|option| option.attribute == attribute)
            .expect("a widget reads only the options its registry row lists");
        let value = self
            .given
            .iter()
            .find(|(name, _)| *name == attribute)
            .map(|(_, value)| value.as_str());
        (option, value)
    }

    /// A count option: the element's, or the option's default.
    pub fn count(&self, attribute: &str) -> usize {
        let (option, value) = self.read(attribute);
        let OptionKind::Count { default, .. } = option.kind else {
            panic!("{attribute} is not a count");
        };
        value
            .and_then(|value| value.parse().ok())
            .unwrap_or(default) as usize
    }

    /// A flag option: whether the element has the attribute.
    pub fn flag(&self, attribute: &str) -> bool {
        self.read(attribute).1.is_some()
    }

    /// A text option, unless absent or blank.
    pub fn text(&self, attribute: &str) -> Option<String> {
        self.read(attribute)
            .1
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    }
}

/// A server function the loader calls by a path of its own (`endpoint = "…"`), and the hashed path server_fn gave
/// it before, where the widgets of earlier builds, still open in a shopper's page, ask (see
/// `kernel::hashed_server_fn_path`). The server answers at both.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalledByLoader {
    pub path: &'static str,
    pub hashed: &'static str,
}

#[cfg(feature = "ssr")]
pub const CALLED_BY_LOADER: [CalledByLoader; 4] = [
    CalledByLoader {
        path: <crate::identity::StartGuestSession as leptos::server_fn::ServerFn>::PATH,
        hashed: crate::identity::HASHED_GUEST_SESSION_PATH,
    },
    CalledByLoader {
        path: <crate::reviews::StarRatings as leptos::server_fn::ServerFn>::PATH,
        hashed: crate::reviews::HASHED_STAR_RATINGS_PATH,
    },
    CalledByLoader {
        path: <crate::wishlist::WishlistStates as leptos::server_fn::ServerFn>::PATH,
        hashed: crate::wishlist::HASHED_WISHLIST_STATES_PATH,
    },
    CalledByLoader {
        path: <crate::wishlist::ChangeWishlist as leptos::server_fn::ServerFn>::PATH,
        hashed: crate::wishlist::HASHED_CHANGE_WISHLIST_PATH,
    },
];

/// What the widgets the loader draws say, by translation key; their texts in every language are generated into the
/// loader. The compact heart's errors are those its requests can meet (a SKU that cannot be one never leaves the
/// page); as in a widget of the WASM, an error of another key shows its English message, and one without a key that
/// message within `common.error`.
pub const LOADER_SAYS: [&str; 15] = [
    "number.group",
    "wishlist.save",
    "wishlist.saved",
    "common.error",
    "error.no_such_product",
    "error.product_unavailable",
    "error.no_such_list",
    "error.list_full",
    "error.profile_unknown",
    "error.sign_in_or_guest",
    "error.token_invalid",
    "error.token_expired",
    "error.guest_sessions",
    "error.internal",
    "error.network",
];

/// The counted texts the loader says, each generated in its form for one and its form for any other count
/// (`.one`, `.other`): the loader picks as `count === 1`, which a test holds every language to.
pub const LOADER_COUNTS: [&str; 1] = ["reviews.stars_badge"];

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
