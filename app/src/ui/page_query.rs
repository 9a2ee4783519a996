//! The view a widget shows (sort, filter, list) lives in the page address in the storefront, so a link
//! reproduces it and it works without JavaScript. An embedded widget must not touch the store's address, so it
//! keeps the same query in a signal of its own; the widget reads and changes it the same way in both.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

/// The query of an embedded widget, provided by the embed mount instead of a router.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedQuery(pub RwSignal<ParamsMap>);

/// A widget's view query: the page's in the storefront, the widget's own when embedded.
#[derive(Clone, Copy)]
pub struct PageQuery {
    params: Signal<ParamsMap>,
    go: Callback<String>,
}

impl PageQuery {
    /// The value of `key`; reactive.
    pub fn get(&self, key: &str) -> Option<String> {
        self.params.with(|params| params.get(key))
    }

    /// Shows the view of `href`, a link of the form `?key=value&…` (a path or `#fragment` is ignored when
    /// embedded), without scrolling.
    pub fn go(&self, href: &str) {
        self.go.run(href.to_owned());
    }

    /// `href` (a widget's own view, `?key=value…#fragment`) with the page's other query parameters kept: on a
    /// storefront page every widget's view lives in the one address, so one widget's link must not drop another's.
    /// `own` names the widget's keys, which `href` alone decides. Reactive.
    pub fn keeping(&self, href: &str, own: &[&str]) -> String {
        self.params.with(|params| merged(params, href, own))
    }

    /// [`PageQuery::go`] to `href`, keeping the page's other query parameters as [`PageQuery::keeping`] does.
    pub fn go_keeping(&self, href: &str, own: &[&str]) {
        let href = self
            .params
            .with_untracked(|params| merged(params, href, own));
        self.go(&href);
    }

    /// The page's query parameters other than `own`, for a GET form's hidden fields to carry along. Reactive.
    pub fn others(&self, own: &[&str]) -> Vec<(String, String)> {
        self.params.with(|params| {
            params
                .latest_values()
                .filter(|(key, _)| !own.contains(&key.as_ref()))
                .map(|(key, value)| (key.to_string(), value.to_owned()))
                .collect()
        })
    }
}

/// `text` as a query's key or value: unreserved characters as they are (so that `sort=highest_rating` reads as
/// written), every other byte percent-encoded.
fn escaped(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `href`'s query, then `current`'s parameters that are not among `own` and that `href` does not set, then
/// `href`'s fragment.
fn merged(current: &ParamsMap, href: &str, own: &[&str]) -> String {
    let (link, fragment) = match href.split_once('#') {
        Some((link, fragment)) => (link, Some(fragment)),
        None => (href, None),
    };
    let params = parse_query(link);
    let kept = current
        .latest_values()
        .filter(|(key, _)| !own.contains(&key.as_ref()) && params.get_str(key).is_none());
    let pairs: Vec<String> = params
        .latest_values()
        .chain(kept)
        .map(|(key, value)| format!("{}={}", escaped(key), escaped(value)))
        .collect();
    let mut merged = format!("?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        merged.push('#');
        merged.push_str(fragment);
    }
    merged
}

/// The view query of the widget being built; see the module documentation.
///
/// ```
/// use app::ui::{EmbeddedQuery, use_page_query};
/// use leptos::prelude::*;
/// # let owner = Owner::new(); owner.set();
/// // An embedded widget's own query, as the embed mount provides it; in the storefront, the router's.
/// provide_context(EmbeddedQuery(RwSignal::new(Default::default())));
/// let query = use_page_query();
/// let newest = move |_| query.go("?sort=newest");
/// # newest(());
/// assert_eq!(query.get("sort").as_deref(), Some("newest"));
/// ```
pub fn use_page_query() -> PageQuery {
    match use_context::<EmbeddedQuery>() {
        Some(EmbeddedQuery(local)) => PageQuery {
            params: local.into(),
            go: Callback::new(move |href: String| local.set(parse_query(&href))),
        },
        None => {
            let query = leptos_router::hooks::use_query_map();
            let navigate = leptos_router::hooks::use_navigate();
            PageQuery {
                params: query.into(),
                go: Callback::new(move |href: String| {
                    navigate(
                        &href,
                        leptos_router::NavigateOptions {
                            scroll: false,
                            ..Default::default()
                        },
                    )
                }),
            }
        }
    }
}

/// The query of `href` (`/wishlist?list=3&sort=price#top` gives `list=3`, `sort=price`).
pub fn parse_query(href: &str) -> ParamsMap {
    let without_fragment = href.split('#').next().unwrap_or_default();
    let query = without_fragment
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default();
    let mut params = ParamsMap::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.replace(key.replace('+', " "), value.replace('+', " "));
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_gives_its_query_without_path_or_fragment() {
        let params = parse_query("/wishlist?list=3&sort=price_drop#top");
        assert_eq!(params.get("list").as_deref(), Some("3"));
        assert_eq!(params.get("sort").as_deref(), Some("price_drop"));
        assert_eq!(params.get("top"), None);
        let params = parse_query("?stars=4&verified=1&q=two+words%21#reviews");
        assert_eq!(params.get("stars").as_deref(), Some("4"));
        assert_eq!(params.get("q").as_deref(), Some("two words!"));
        assert_eq!(parse_query("/wishlist"), ParamsMap::new());
        assert_eq!(parse_query("?"), ParamsMap::new());
    }

    #[test]
    fn a_widgets_link_keeps_the_other_widgets_view_and_decides_its_own() {
        let page = parse_query("?sort=newest&stars=5&questions=10&lang=zh-CN");
        let reviews = ["sort", "stars", "verified", "shown"];
        // The reviews drop their star filter and keep the questions' and the language.
        assert_eq!(
            merged(&page, "?sort=highest_rating#reviews", &reviews),
            "?sort=highest_rating&questions=10&lang=zh-CN#reviews"
        );
        // The questions show more and keep the reviews' view.
        assert_eq!(
            merged(&page, "?questions=15#questions", &["questions"]),
            "?questions=15&sort=newest&stars=5&lang=zh-CN#questions"
        );
        assert_eq!(merged(&ParamsMap::new(), "#top", &[]), "?#top");
        assert_eq!(
            merged(&parse_query("?q=two+words"), "?page=2", &[]),
            "?page=2&q=two%20words"
        );
    }
}
