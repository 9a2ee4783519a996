//! The feed's shelves report their cards: which came into view (at least half of the card, once per page) and
//! which was clicked, by `navigator.sendBeacon`. A beacon outlives the page, so the click that leaves a store's
//! page for the product still arrives; it carries no headers, so the viewer's token travels in its body. A viewer
//! without a token yet (a first visit, before they browse) is not recorded.

use super::feedback::Shelf;
use leptos::prelude::*;

/// Watches the cards (`[data-sku]` elements) inside `shelf_element` once it is on the page, and reports them as
/// cards of `shelf`.
pub fn watch_cards(shelf_element: NodeRef<leptos::html::Section>, shelf: Shelf) {
    #[cfg(feature = "browser")]
    Effect::new(move |_| {
        if let Some(element) = shelf_element.get() {
            browser::watch(element.into(), shelf);
        }
    });
    #[cfg(not(feature = "browser"))]
    let _ = (shelf_element, shelf);
}

#[cfg(feature = "browser")]
mod browser {
    use super::super::{CardClicked, CardsShown};
    use super::Shelf;
    use crate::identity::client::current_token;
    use leptos::prelude::on_cleanup;
    use leptos::server_fn::ServerFn;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{
        Element, Event, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit,
        UrlSearchParams,
    };

    /// Sends one beacon to the server function at `path`; a browser that refuses it loses only a count.
    fn send(path: &str, fields: &[(String, &str)]) {
        let Some(token) = current_token() else {
            return;
        };
        let Ok(body) = UrlSearchParams::new() else {
            return;
        };
        body.append("token", &token);
        for (name, value) in fields {
            body.append(name, value);
        }
        let url = format!("{}{path}", leptos::server_fn::client::get_server_url());
        let _ = leptos::prelude::window()
            .navigator()
            .send_beacon_with_opt_url_search_params(&url, Some(&body));
    }

    fn sku_of(card: &Element) -> Option<String> {
        card.get_attribute("data-sku")
    }

    pub(super) fn watch(shelf_element: Element, shelf: Shelf) {
        let seen = Closure::<dyn Fn(Vec<IntersectionObserverEntry>, IntersectionObserver)>::new(
            move |entries: Vec<IntersectionObserverEntry>, observer: IntersectionObserver| {
                let mut fields = vec![("shelf".to_owned(), shelf.key())];
                let shown: Vec<String> = entries
                    .iter()
                    // The first report covers every card watched, however little of it shows.
                    .filter(|entry| entry.is_intersecting() && entry.intersection_ratio() >= 0.5)
                    .filter_map(|entry| {
                        let card = entry.target();
                        observer.unobserve(&card);
                        sku_of(&card)
                    })
                    .collect();
                if shown.is_empty() {
                    return;
                }
                let names: Vec<String> = (0..shown.len()).map(|i| format!("skus[{i}]")).collect();
                for (name, sku) in names.iter().zip(&shown) {
                    fields.push((name.clone(), sku.as_str()));
                }
                send(CardsShown::PATH, &fields);
            },
        );
        let options = IntersectionObserverInit::new();
        options.set_threshold(&0.5.into());
        let Ok(observer) =
            IntersectionObserver::new_with_options(seen.as_ref().unchecked_ref(), &options)
        else {
            return;
        };
        if let Ok(cards) = shelf_element.query_selector_all("[data-sku]") {
            for index in 0..cards.length() {
                if let Some(card) = cards
                    .item(index)
                    .and_then(|node| node.dyn_into::<Element>().ok())
                {
                    observer.observe(&card);
                }
            }
        }
        let clicked = Closure::<dyn Fn(Event)>::new(move |event: Event| {
            let card = event
                .target()
                .and_then(|target| target.dyn_into::<Element>().ok())
                .filter(|target| target.closest("a").ok().flatten().is_some())
                .and_then(|target| target.closest("[data-sku]").ok().flatten());
            if let Some(sku) = card.as_ref().and_then(sku_of) {
                send(
                    CardClicked::PATH,
                    &[("shelf".to_owned(), shelf.key()), ("sku".to_owned(), &sku)],
                );
            }
        });
        let _ = shelf_element
            .add_event_listener_with_callback("click", clicked.as_ref().unchecked_ref());
        let kept = SendWrapper::new((shelf_element, observer, seen, clicked));
        on_cleanup(move || {
            let (shelf_element, observer, _seen, clicked) = kept.take();
            observer.disconnect();
            let _ = shelf_element
                .remove_event_listener_with_callback("click", clicked.as_ref().unchecked_ref());
        });
    }
}
