//! The shopper's own reviews, as their account page lists them: where each stands, and the shop's reason for one it
//! did not publish.

use super::my_reviews;
use super::widget::{star_glyphs, stars_text};
use crate::i18n::use_i18n;
use crate::identity::client::{signed_in_list, use_signed_in};
use crate::ui::{ErrorNotice, use_shop_links};
use leptos::prelude::*;

/// Reviews listed before "show all": the newest are what a shopper comes to check.
const FIRST_SHOWN: usize = 10;

/// Every review the signed-in shopper wrote, newest first: its product, stars and title, whether it waits for the
/// shop, is published or was not published (with the shop's reason), and a link to the product's reviews, where the
/// shopper edits or deletes it. Loads in the browser, where the shopper's token is.
///
/// ```
/// use app::reviews::MyReviews;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <MyReviews /> }.to_html();
/// assert!(html.contains("rapport-my-reviews"));
/// ```
#[component]
pub fn MyReviews() -> impl IntoView {
    let i18n = use_i18n();
    let shopper = use_signed_in();
    let reviews = signed_in_list(my_reviews);
    let links = StoredValue::new(use_shop_links());
    let showing_all = RwSignal::new(false);
    view! {
        <section class="rapport-my-reviews" data-testid="my-reviews">
            <h2>{move || i18n.t("reviews.mine.list_title")}</h2>
            <Show when=move || shopper.get()>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match reviews.await {
                            Ok(reviews) if reviews.is_empty() => view! { <p>{move || i18n.t("reviews.mine.none")}</p> }.into_any(),
                            Ok(reviews) => {
                                let total = reviews.len();
                                view! {
                                <ul class="rapport-my-reviews__list">
                                    {reviews.into_iter().enumerate().map(|(n, own)| {
                                        let status_key = format!("reviews.mine.status.{}", own.review.status.as_str());
                                        let rating = own.review.rating;
                                        let address = links.with_value(|links| links.product(&own.sku)) + "#reviews";
                                        view! {
                                            <li data-status=own.review.status.as_str() prop:hidden=move || { n >= FIRST_SHOWN && !showing_all.get() }>
                                                <a href=address>{own.product_title}</a>
                                                " · "
                                                <span aria-hidden="true">{star_glyphs(rating)}</span>
                                                <span class="rapport-visually-hidden">{move || stars_text(i18n, rating)}</span>
                                                " · " {own.review.title}
                                                <p class="rapport-my-reviews__status">{move || i18n.t(&status_key)}</p>
                                                {own.review.rejection_reason.map(|reason| view! {
                                                    <p class="rapport-my-reviews__reason">{move || i18n.t("reviews.mine.reason")} " " {reason}</p>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {(total > FIRST_SHOWN).then(|| view! {
                                    <Show when=move || !showing_all.get()>
                                        <button type="button" class="rapport-button" on:click=move |_| showing_all.set(true)>
                                            {move || i18n.t_count("reviews.mine.show_all", total as i64, &[])}
                                        </button>
                                    </Show>
                                })}
                            }.into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </Show>
        </section>
    }
    .into_any()
}
