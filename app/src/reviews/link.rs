//! `/review/:token?stars=N`: the page a review request's star links open. The signed link names the buyer and the
//! product, so the buyer writes their review without signing in, and it counts as a verified purchase. The page
//! renders on the server and its form works without JavaScript.

use super::rules::{MAX_BODY_CHARS, MAX_TITLE_CHARS, MIN_BODY_CHARS};
use super::widget::{REVIEW_FORM_LABELS, star_glyphs, stars_text};
use super::{Review, ReviewStatus};
use crate::i18n::use_i18n;
use crate::kernel::error::AppError;
use crate::ui::{ErrorNotice, server_asset};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::ReviewInput,
    super::ssr,
    crate::identity::ssr::identity,
    crate::identity::token::verify_review_link,
    crate::kernel::error::{Translation, respond_with},
    crate::store::store_error,
};

/// What a review link opens: the product, and the buyer's review of it if they wrote one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewLink {
    pub sku: String,
    pub title: String,
    pub image_url: String,
    /// The store's page of the product.
    pub page_url: String,
    pub review: Option<Review>,
}

/// The buyer and product a link names, as the store knows them: (shopper id, SKU).
#[cfg(feature = "ssr")]
async fn named_by(db: &crate::store::Db, token: &str) -> Result<(String, String), AppError> {
    let secret = identity()?.secret;
    let (shopper, product) =
        verify_review_link(&secret, token, crate::kernel::time::now().as_seconds())
            .map_err(respond_with)?;
    let gone = || {
        respond_with(AppError::not_found(
            Some("token".into()),
            Translation::of("error.link_gone"),
        ))
    };
    let shoppers = crate::identity::ssr::names_of(db, &[shopper.0])
        .await
        .map_err(store_error)?;
    let mut reader = db
        .reader()
        .acquire()
        .await
        .map_err(|error| store_error(error.into()))?;
    let products = crate::catalog::ssr::names_of(&mut reader, &[product.0])
        .await
        .map_err(store_error)?;
    let (shopper_id, _) = shoppers.get(&shopper.0).ok_or_else(gone)?;
    let (sku, _) = products.get(&product.0).ok_or_else(gone)?;
    Ok((shopper_id.clone(), sku.clone()))
}

/// The product a review link names, in `locale`, with the buyer's review of it if any. A link that is not the
/// store's, or has expired, is a 404 that says so.
#[server]
pub async fn open_review_link(token: String, locale: String) -> Result<ReviewLink, AppError> {
    let db = crate::store::db()?;
    let (shopper, sku) = named_by(&db, &token).await?;
    let locale = crate::i18n::negotiate(&locale).unwrap_or(crate::i18n::DEFAULT_LOCALE);
    let product = crate::catalog::ssr::product(&db, &sku, locale)
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            respond_with(AppError::not_found(
                Some("token".into()),
                Translation::of("error.product_gone"),
            ))
        })?;
    let review = ssr::own_review(&db, &shopper, &sku)
        .await
        .map_err(store_error)?;
    Ok(ReviewLink {
        sku,
        title: product.title,
        image_url: product.image_url,
        page_url: product.page_url,
        review,
    })
}

/// Writes (or edits) the review of the buyer a link names, of the product it names.
#[server]
pub async fn write_review_by_link(
    token: String,
    rating: i64,
    title: String,
    body: String,
) -> Result<Review, AppError> {
    let db = crate::store::db()?;
    let reviews: ssr::Reviews = crate::kernel::context::server_context()?;
    let (shopper, sku) = named_by(&db, &token).await?;
    // A forwarded email must not rewrite what the buyer wrote: the link writes a review once; editing is the
    // signed-in buyer's, on the product's page.
    if ssr::own_review(&db, &shopper, &sku)
        .await
        .map_err(store_error)?
        .is_some()
    {
        return Err(respond_with(AppError::conflict(Translation::of(
            "error.reviewed_already",
        ))));
    }
    let input = ReviewInput {
        rating,
        title,
        body,
        criteria: Default::default(),
        photos: None,
    };
    ssr::write_review(
        &db,
        &shopper,
        &sku,
        &input,
        &reviews.policy,
        &*reviews.then,
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)
}

/// The page.
#[component]
pub fn ReviewLinkPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let stars = move || {
        query
            .read()
            .get("stars")
            .and_then(|stars| stars.parse::<i64>().ok())
            .filter(|stars| (1..=5).contains(stars))
    };
    let write = ServerAction::<WriteReviewByLink>::new();
    let link = Resource::new(
        move || (token(), i18n.locale(), write.version().get()),
        |(token, locale, _)| open_review_link(token, locale.to_owned()),
    );
    view! {
        <Title text=move || i18n.t("reviews.write_title") />
        <section class="shop-section rapport-review-link">
            <h1>{move || i18n.t("reviews.write_title")}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(link) => view! { <LinkedProduct link token=token() stars=stars() write /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LinkedProduct(
    link: ReviewLink,
    token: String,
    stars: Option<i64>,
    write: ServerAction<WriteReviewByLink>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ReviewLink {
        sku,
        title,
        image_url,
        page_url,
        review,
    } = link;
    let product_title = title.clone();
    let done = review.map(|review| {
        let key = match review.status {
            ReviewStatus::Published => "reviews.thanks_published",
            ReviewStatus::Pending => "reviews.thanks_pending",
            ReviewStatus::Rejected => "reviews.mine.status.rejected",
        };
        view! {
            <p class="rapport-review-link__done" data-testid="review-link-done" data-status=format!("{:?}", review.status).to_lowercase()>
                {move || i18n.t(key)}
            </p>
        }
    });
    let form = done.is_none().then(|| {
        let chosen = stars.unwrap_or(0);
        view! {
            <ActionForm action=write attr:class="rapport-review-form rapport-review-link__form">
                <input type="hidden" name="token" value=token />
                <fieldset class="rapport-review-form__rating">
                    <legend>{move || i18n.t("reviews.your_rating")}</legend>
                    {(1..=5u8).map(|n| view! {
                        <label>
                            <input type="radio" name="rating" value=n.to_string() checked=i64::from(n) == chosen required=true />
                            <span aria-hidden="true">{star_glyphs(n)}</span>
                            <span class="rapport-visually-hidden">{move || stars_text(i18n, n)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <label>
                    {move || i18n.t("reviews.your_title")}
                    <input type="text" name="title" required=true maxlength=MAX_TITLE_CHARS.to_string() />
                </label>
                <label>
                    {move || i18n.t("reviews.your_text")}
                    <textarea name="body" required=true rows="5" minlength=MIN_BODY_CHARS.to_string() maxlength=MAX_BODY_CHARS.to_string()></textarea>
                </label>
                <div class="rapport-review-form__buttons">
                    <button type="submit" class="rapport-button rapport-button--primary" disabled=move || write.pending().get()>
                        {move || i18n.t("reviews.submit")}
                    </button>
                </div>
            </ActionForm>
            {move || match write.value().get() {
                Some(Err(error)) => Some(view! { <ErrorNotice error labels=REVIEW_FORM_LABELS /> }),
                _ => None,
            }}
        }
    });
    view! {
        <div class="rapport-review-link__product" data-sku=sku>
            <img src=server_asset(&image_url) alt="" width="96" height="96" />
            <p class="rapport-review-link__name">{product_title}</p>
        </div>
        {done}
        {form}
        <p><a href=page_url>{move || i18n.t_with("reviews.link.to_product", &[("title", title.clone())])}</a></p>
    }
}
