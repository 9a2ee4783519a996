//! The shopper's review points, as their account page lists them, and `<rapport-review-points>` in a store's.

use super::my_review_points;
use crate::i18n::use_i18n;
use crate::identity::client::{signed_in_list, use_signed_in};
use crate::ui::{ErrorNotice, use_shop_links};
use leptos::prelude::*;

/// The points the signed-in shopper's reviews earned towards their member tier: per review, the month it counts
/// in, and whether the monthly cap cut it or a merchant's decision took it back. Loads in the browser, where
/// the shopper's token is, and follows the shopper signing in or out; a guest is asked to sign in.
///
/// ```
/// use app::reviews::MyReviewPoints;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <MyReviewPoints /> }.to_html();
/// assert!(html.contains("rapport-review-points"));
/// ```
#[component]
pub fn MyReviewPoints() -> impl IntoView {
    let i18n = use_i18n();
    let shopper = use_signed_in();
    let awards = signed_in_list(my_review_points);
    let links = StoredValue::new(use_shop_links());
    let sign_in = links.with_value(|links| links.sign_in.clone());
    view! {
        <section class="rapport-review-points">
            <h2>{move || i18n.t("points.title")}</h2>
            <p>{move || i18n.t("points.rule")}</p>
            <Show when=move || shopper.get() fallback=move || view! {
                <p class="rapport-review-points__sign-in"><a href=sign_in.clone()>{move || i18n.t("points.sign_in")}</a></p>
            }>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match awards.await {
                        Ok(awards) if awards.is_empty() => view! { <p>{move || i18n.t("points.none")}</p> }.into_any(),
                        Ok(awards) => {
                            let counted: i64 = awards.iter().filter(|a| !a.revoked).map(|a| a.points).sum();
                            view! {
                                <p data-testid="review-points-total">{move || i18n.t_count("points.total", counted, &[])}</p>
                                <ul class="rapport-review-points__list">
                                    {awards.into_iter().map(|award| view! {
                                        <li>
                                            <a href=links.with_value(|links| links.product(&award.sku))>{award.product_title}</a>
                                            " · " {award.month} " · "
                                            <strong>{move || i18n.t_count("points.points", award.points, &[])}</strong>
                                            {award.capped.then(|| view! { " · " {move || i18n.t("points.capped")} })}
                                            {award.revoked.then(|| view! { " · " {move || i18n.t("points.revoked")} })}
                                        </li>
                                    }).collect_view()}
                                </ul>
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
