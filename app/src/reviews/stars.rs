//! `<rapport-stars>`: a product's average stars and review count, for category pages and search results. Many
//! badges on one page ask together ([`Batch`]): one request brings every product's stars.

use super::{MAX_STAR_RATINGS, StarRating, star_ratings};
use crate::i18n::use_i18n;
use crate::kernel::error::AppError;
use crate::ui::{Batch, Pending, ShopLinks, use_shop_links};
use leptos::prelude::*;

thread_local! {
    static STARS: Batch<Option<StarRating>> = const { Batch::new() };
}

/// `sku`'s stars, asked along with every other badge asking at the same moment; none for an unknown product.
/// A SKU that cannot be one is answered alone, so that one mistyped badge does not blank the page's others.
async fn stars_of(sku: String) -> Result<Option<StarRating>, AppError> {
    crate::kernel::validate::key("product", sku.trim())?;
    Batch::ask(
        &STARS,
        sku,
        MAX_STAR_RATINGS,
        |skus: Vec<String>| async move {
            let ratings = star_ratings(skus.clone()).await?;
            Ok(skus
                .iter()
                .map(|sku| ratings.iter().find(|rating| rating.sku == *sku).cloned())
                .collect())
        },
    )
    .await
}

/// A product's average stars and review count, linking to the page's `<rapport-reviews>` of the product when
/// there is one; nothing while the product has no reviews (or is unknown, which the console says).
#[component]
pub fn StarBadge(sku: String) -> impl IntoView {
    let i18n = use_i18n();
    let links = use_shop_links();
    let asked = sku.clone();
    let rating = LocalResource::new(move || stars_of(asked.clone()));
    move || match rating.get() {
        None => view! { <Pending /> }.into_any(),
        Some(Ok(Some(StarRating {
            count,
            average: Some(average),
            ..
        }))) => {
            let fill = format!("{:.0}%", average * 20.0);
            let shown = format!("{average:.1}");
            let label =
                move || i18n.t_count("reviews.stars_badge", count, &[("average", shown.clone())]);
            view! {
                <a class="rapport-stars" href=reviews_link(&sku, &links) aria-label=label data-count=count>
                    <span class="rapport-stars__glyphs" aria-hidden="true" style=("--rapport-stars-fill", fill)>"★★★★★"</span>
                    <span class="rapport-stars__average" aria-hidden="true">{format!("{average:.1}")}</span>
                    <span class="rapport-stars__count" aria-hidden="true">{format!("({count})")}</span>
                </a>
            }
            .into_any()
        }
        Some(outcome) => {
            match outcome {
                Ok(None) => {
                    leptos::logging::warn!("Rapport: <rapport-stars>: unknown product \"{sku}\"")
                }
                Err(error) => leptos::logging::warn!("Rapport: <rapport-stars>: {error}"),
                Ok(Some(_)) => {}
            }
            view! { <span class="rapport-stars rapport-stars--none" data-count="0"></span> }
                .into_any()
        }
    }
}

/// Where the badge leads: the reviews of the product on this page when it holds them, else on the product's page.
fn reviews_link(sku: &str, links: &ShopLinks) -> String {
    #[cfg(feature = "browser")]
    {
        let selector = format!(
            "rapport-reviews[product=\"{}\"]",
            sku.replace(['"', '\\'], "")
        );
        if let Ok(Some(reviews)) = leptos::prelude::document().query_selector(&selector) {
            if reviews.id().is_empty() {
                reviews.set_id(&format!(
                    "rapport-reviews-{}",
                    sku.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
                ));
            }
            return format!("#{}", reviews.id());
        }
    }
    format!("{}#reviews", links.product(sku))
}
