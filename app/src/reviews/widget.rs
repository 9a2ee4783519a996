//! The `Reviews` widget: a product's rating summary, its reviews with helpfulness votes, and the shopper's own review.

use super::photo_picker::PhotoPicker;
use super::photo_strip::PhotoStrip;
use super::{
    Review, ReviewInput, ReviewPhoto, ReviewSort, ReviewStatus, ReviewSummary, ShopReply,
    VoteTally, delete_my_review, my_product_review, my_review_votes, product_reviews,
    report_review, vote_on_review, write_product_review,
};
use crate::i18n::{I18n, use_i18n};
use crate::identity::client::{signed_in, use_signed_in};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::time::iso_date;
use crate::ui::{EmbeddedQuery, ErrorNotice, Pending, emit_event, use_page_query, use_shop_links};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// What the review forms call the fields an error may name.
pub(super) const REVIEW_FORM_LABELS: &[(&str, &str)] = &[
    ("stars", "reviews.your_rating"),
    ("title", "reviews.your_title"),
    ("body", "reviews.your_text"),
];

/// The DOM event sent when the shopper's review was saved, with `{sku, rating, status}` (`status` is `pending`
/// until moderation publishes it, or `published`).
pub const REVIEW_SUBMITTED_EVENT: &str = "rapport:review-submitted";

/// The DOM event sent when the shopper deleted their review, with `{sku}`.
pub const REVIEW_DELETED_EVENT: &str = "rapport:review-deleted";

const SORTS: [(ReviewSort, &str, &str); 4] = [
    (
        ReviewSort::MostHelpful,
        "most_helpful",
        "reviews.sort.most_helpful",
    ),
    (ReviewSort::Newest, "newest", "reviews.sort.newest"),
    (
        ReviewSort::HighestRating,
        "highest_rating",
        "reviews.sort.highest_rating",
    ),
    (
        ReviewSort::LowestRating,
        "lowest_rating",
        "reviews.sort.lowest_rating",
    ),
];

/// The page address's keys the reviews' view lives in; a link of another widget keeps them.
const VIEW_KEYS: [&str; 5] = ["sort", "stars", "verified", "photos", "shown"];

/// The view the page address asks for, so that a link reproduces it:
/// `?sort=newest&stars=5&verified=1&photos=1&shown=20`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReviewView {
    sort: ReviewSort,
    stars: Option<u8>,
    verified_only: bool,
    with_photos: bool,
    shown: i64,
}

impl ReviewView {
    fn query(&self) -> String {
        let sort = SORTS
            .iter()
            .find(|(s, _, _)| *s == self.sort)
            .map_or("most_helpful", |(_, name, _)| name);
        let mut query = format!("?sort={sort}");
        if let Some(stars) = self.stars {
            query.push_str(&format!("&stars={stars}"));
        }
        if self.verified_only {
            query.push_str("&verified=1");
        }
        if self.with_photos {
            query.push_str("&photos=1");
        }
        if self.shown > super::PAGE {
            query.push_str(&format!("&shown={}", self.shown));
        }
        query.push_str("#reviews");
        query
    }
}

/// Writes an embedded widget's JSON-LD into the store page's head, one script per product, replaced as the
/// widget shows another page of reviews and taken out when the widget goes (a single-page store moving on to
/// another product must not keep describing this one).
fn place_in_head(sku: &str, json_ld: &str) {
    #[cfg(feature = "browser")]
    {
        // SKUs are keys (letters, digits, `-`, `_`, `.`): keeping only those makes one value safe in the selector
        // and the attribute alike.
        let key: String = sku
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        let selector = format!("script[data-rapport-json-ld=\"{key}\"]");
        let find = move || {
            leptos::prelude::document()
                .query_selector(&selector)
                .ok()
                .flatten()
        };
        let script = find().or_else(|| {
            let document = leptos::prelude::document();
            let script = document.create_element("script").ok()?;
            script.set_attribute("type", "application/ld+json").ok()?;
            script.set_attribute("data-rapport-json-ld", &key).ok()?;
            document.head()?.append_child(&script).ok()?;
            Some(script)
        });
        if let Some(script) = script {
            script.set_text_content(Some(json_ld));
            on_cleanup(move || {
                if let Some(script) = find() {
                    script.remove();
                }
            });
        }
    }
    #[cfg(not(feature = "browser"))]
    let _ = (sku, json_ld);
}

pub(super) fn stars_text(i18n: I18n, stars: u8) -> String {
    i18n.t_with("reviews.stars_of_five", &[("stars", stars.to_string())])
}

pub(super) fn star_glyphs(stars: u8) -> String {
    (1..=5)
        .map(|s| if s <= stars { '★' } else { '☆' })
        .collect()
}

/// A product's reviews: summary with a star histogram, sortable and filterable list with helpfulness votes,
/// "load more", a note on how reviews are sorted, and the signed-in shopper's own review form.
///
/// The view follows the page address (`?sort=`, `?stars=`, `?verified=1`, `?shown=`), so it renders on the server,
/// works without JavaScript, and a link reproduces it.
///
/// ```
/// use app::reviews::Reviews;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// # provide_context(app::ui::EmbeddedQuery(RwSignal::new(Default::default())));
/// let html = view! { <Reviews sku="KIT-00001".to_owned() /> }.to_html();
/// assert!(html.contains("<section id=\"reviews\""));
/// ```
#[component]
pub fn Reviews(
    /// The product's SKU.
    sku: String,
    /// The product's name: when given, the widget adds schema.org JSON-LD for search engines.
    #[prop(optional, into)]
    product_name: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_page_query();
    let view_of_query = move || ReviewView {
        sort: query
            .get("sort")
            .and_then(|name| {
                SORTS
                    .iter()
                    .find(|(_, n, _)| *n == name)
                    .map(|(sort, _, _)| *sort)
            })
            .unwrap_or_default(),
        stars: query
            .get("stars")
            .and_then(|s| s.parse().ok())
            .filter(|s| (1..=5).contains(s)),
        verified_only: query.get("verified").as_deref() == Some("1"),
        with_photos: query.get("photos").as_deref() == Some("1"),
        shown: query
            .get("shown")
            .and_then(|s| s.parse().ok())
            .unwrap_or(super::PAGE)
            .clamp(super::PAGE, 500),
    };
    let page_sku = sku.clone();
    let page = Resource::new(view_of_query, move |view| {
        product_reviews(
            page_sku.clone(),
            view.sort,
            view.stars,
            view.verified_only,
            view.with_photos,
            view.shown,
        )
    });
    let seo_sku = sku.clone();
    let criteria_asked = Signal::derive(move || {
        page.get()
            .and_then(Result::ok)
            .map(|page| page.summary.criteria_asked)
            .unwrap_or_default()
    });
    let shop_name = Signal::derive(move || {
        page.get()
            .and_then(Result::ok)
            .map(|page| page.shop_name)
            .unwrap_or_default()
    });
    let votes_sku = sku.clone();
    let my_votes = LocalResource::new(move || {
        let sku = votes_sku.clone();
        async move {
            if signed_in() {
                my_review_votes(sku).await.unwrap_or_default()
            } else {
                BTreeMap::new()
            }
        }
    });
    view! {
        <section id="reviews" class="rapport-reviews" part="reviews" aria-labelledby="rapport-reviews-title">
            <h2 id="rapport-reviews-title">{move || i18n.t("reviews.title")}</h2>
            <Transition fallback=Pending>
                {move || {
                    let (product_name, seo_sku) = (product_name.clone(), seo_sku.clone());
                    Suspend::new(async move {
                    let current = view_of_query();
                    match page.await {
                        Ok(page) => view! {
                            {product_name.as_deref().and_then(|name| super::seo::product_json_ld(name, &seo_sku, &page.summary, &page.reviews)).and_then(|json_ld| {
                                // Crawlers do not read inside an embedded widget's shadow root: its markup goes to the page's head.
                                if use_context::<EmbeddedQuery>().is_some() {
                                    place_in_head(&seo_sku, &json_ld);
                                    return None;
                                }
                                Some(view! { <script type="application/ld+json" inner_html=json_ld></script> })
                            })}
                            <ReviewSummaryView summary=page.summary.clone() current />
                            <ReviewControls current />
                            <ol class="rapport-reviews__list">
                                {page.reviews.into_iter().map(|review| {
                                    let shop_name = page.shop_name.clone();
                                    view! { <ReviewItem review my_votes shop_name /> }
                                }).collect_view()}
                            </ol>
                            {page.more.then(|| {
                                let more = ReviewView { shown: current.shown + super::PAGE, ..current };
                                view! { <a href=move || query.keeping(&more.query(), &VIEW_KEYS) class="rapport-button rapport-reviews__more">{move || i18n.t("reviews.load_more")}</a> }
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
                }}
            </Transition>
            <details class="rapport-reviews__method">
                <summary>{move || i18n.t("reviews.method_title")}</summary>
                <p>{move || i18n.t("reviews.method_text")}</p>
            </details>
            <WriteReview sku criteria_asked shop_name on_written=move || page.refetch() />
        </section>
    }
    .into_any()
}

#[component]
fn ReviewSummaryView(summary: ReviewSummary, current: ReviewView) -> impl IntoView {
    let i18n = use_i18n();
    let count = summary.count;
    let average = summary
        .average
        .map(|a| format!("{a:.1}"))
        .unwrap_or_else(|| "–".to_owned());
    let query = use_page_query();
    // The category's criteria, in its order, each with the average of the reviews that rated it.
    let criteria: Vec<(String, f64)> = summary
        .criteria_asked
        .iter()
        .filter_map(|c| summary.criteria.get(c).map(|average| (c.clone(), *average)))
        .collect();
    view! {
        <div class="rapport-reviews__summary">
            <p class="rapport-reviews__average">
                <span class="rapport-reviews__average-value" data-testid="review-average">{average}</span>
                <span class="rapport-reviews__average-count">{move || i18n.t_count("reviews.count", count, &[])}</span>
            </p>
            <ul class="rapport-reviews__histogram">
                {summary.histogram.into_iter().zip([5u8, 4, 3, 2, 1]).map(|(n, stars)| {
                    let percent = if count > 0 { (n * 100 + count / 2) / count } else { 0 };
                    let selected = current.stars == Some(stars);
                    let target = ReviewView { stars: (!selected).then_some(stars), shown: super::PAGE, ..current };
                    view! {
                        <li>
                            <a href=move || query.keeping(&target.query(), &VIEW_KEYS) class="rapport-reviews__bar" aria-current=selected.then_some("true") data-stars=stars.to_string()>
                                <span class="rapport-reviews__bar-label">{move || stars_text(i18n, stars)}</span>
                                <span class="rapport-reviews__bar-track" aria-hidden="true">
                                    <span class="rapport-reviews__bar-fill" style=("width", format!("{percent}%"))></span>
                                </span>
                                <span class="rapport-reviews__bar-count">{format!("{n} ({percent}%)")}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <dl class="rapport-reviews__criteria">
                {criteria.into_iter().map(|(criterion, average)| {
                    let key = format!("reviews.criterion.{criterion}");
                    view! { <dt>{move || i18n.t(&key)}</dt><dd>{format!("{average:.1}")}</dd> }
                }).collect_view()}
            </dl>
        </div>
    }
    .into_any()
}

/// Sort and "verified purchases only": a GET form, so it works without JavaScript; once hydrated it applies a
/// change at once, in place, without scrolling.
#[component]
fn ReviewControls(current: ReviewView) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_page_query();
    let chosen = RwSignal::new(current);
    let apply = move || {
        let view = ReviewView {
            shown: super::PAGE,
            ..chosen.get_untracked()
        };
        query.go_keeping(&view.query(), &VIEW_KEYS);
    };
    // A checkbox filter ("verified purchases only", "with photos"), applied as soon as it changes.
    let filter = move |name: &'static str,
                       label: &'static str,
                       checked: bool,
                       set: fn(&mut ReviewView, bool)| {
        view! {
            <label>
                <input type="checkbox" name=name value="1" checked=checked
                    on:change=move |ev| {
                        chosen.update(|view| set(view, event_target_checked(&ev)));
                        apply();
                    } />
                {move || i18n.t(label)}
            </label>
        }
    };
    view! {
        <form method="get" class="rapport-reviews__controls" on:submit=move |ev| {
            ev.prevent_default();
            apply();
        }>
            {current.stars.map(|stars| view! { <input type="hidden" name="stars" value=stars.to_string() /> })}
            {move || query.others(&VIEW_KEYS).into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
            <label>
                {move || i18n.t("reviews.sort")}
                <select name="sort" on:change=move |ev| {
                    let name = event_target_value(&ev);
                    let sort = SORTS.iter().find(|(_, n, _)| *n == name).map(|(sort, _, _)| *sort).unwrap_or_default();
                    chosen.update(|view| view.sort = sort);
                    apply();
                }>
                    {SORTS.iter().map(|(sort, name, key)| {
                        let selected = *sort == current.sort;
                        view! { <option value=*name selected=selected>{move || i18n.t(key)}</option> }
                    }).collect_view()}
                </select>
            </label>
            {filter("verified", "reviews.verified_only", current.verified_only, |view, on| view.verified_only = on)}
            {filter("photos", "reviews.with_photos", current.with_photos, |view, on| view.with_photos = on)}
            <button type="submit" class="rapport-button">{move || i18n.t("reviews.apply")}</button>
        </form>
    }
    .into_any()
}

#[component]
fn ReviewItem(
    review: Review,
    my_votes: LocalResource<BTreeMap<i64, bool>>,
    shop_name: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = review.id;
    let tally = RwSignal::new(VoteTally {
        helpful: review.helpful,
        not_helpful: review.not_helpful,
        your_vote: None,
    });
    // The shopper's own earlier vote arrives after hydration, from the browser.
    Effect::new(move |_| {
        if let Some(votes) = my_votes.get() {
            tally.update(|t| t.your_vote = votes.get(&id).copied());
        }
    });
    let problem = RwSignal::new(None::<AppError>);
    let cast = Action::new(move |choice: &Option<bool>| {
        let choice = *choice;
        async move { vote_on_review(id, choice).await }
    });
    // The counts before the vote in flight, to restore if the server refuses it.
    let before_vote = StoredValue::new(None::<VoteTally>);
    Effect::new(move |_| match cast.value().get() {
        Some(Ok(server)) => tally.set(server),
        Some(Err(error)) => {
            if let Some(before) = before_vote.get_value() {
                tally.set(before);
            }
            problem.set(Some(error));
        }
        None => {}
    });
    let vote = move |helpful: bool| {
        if !signed_in() {
            problem.set(Some(AppError::unauthorized(Translation::of(
                "reviews.sign_in_to_vote",
            ))));
            return;
        }
        let before = tally.get_untracked();
        let choice = if before.your_vote == Some(helpful) {
            None
        } else {
            Some(helpful)
        };
        // Show the vote at once; the server's answer confirms or corrects it.
        before_vote.set_value(Some(before));
        tally.set(optimistic(before, choice));
        problem.set(None);
        cast.dispatch(choice);
    };
    let reporting = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let report = Action::new(move |reason: &String| {
        let reason = reason.clone();
        async move { report_review(id, reason).await }
    });
    let criteria = review.criteria.clone();
    view! {
        <li class="rapport-review" part="review" data-review-id=id.to_string()>
            <p class="rapport-review__stars" aria-label=move || stars_text(i18n, review.rating)>{star_glyphs(review.rating)}</p>
            <h3 class="rapport-review__title" dir="auto">{review.title.clone()}</h3>
            <p class="rapport-review__meta">
                <bdi class="rapport-review__author">{review.author.clone()}</bdi>
                {review.author_tier.clone().map(|tier| view! { " " <crate::tiers::TierMark tier /> })}
                " · "
                <time datetime=iso_date(review.created_at)>{move || i18n.date(review.created_at)}</time>
                {review.verified.then(|| view! { <span class="rapport-review__verified">{move || i18n.t("reviews.verified")}</span> })}
                {review.edited.then(|| view! { <span class="rapport-review__edited">{move || i18n.t("reviews.edited")}</span> })}
            </p>
            <p class="rapport-review__body" dir="auto">{review.body.clone()}</p>
            {(!review.photos.is_empty()).then(|| view! {
                <PhotoStrip photos=review.photos.clone() author=review.author.clone() title=review.title.clone() />
            })}
            <dl class="rapport-review__criteria">
                {criteria.into_iter().map(|(criterion, stars)| {
                    let key = format!("reviews.criterion.{criterion}");
                    view! { <dt>{move || i18n.t(&key)}</dt><dd aria-label=move || stars_text(i18n, stars)>{star_glyphs(stars)}</dd> }
                }).collect_view()}
            </dl>
            {review.reply.clone().map(|reply| view! { <ShopReplyView reply shop_name /> })}
            <p class="rapport-review__helpful-count" data-testid="helpful-count">
                {move || i18n.t_count("reviews.found_helpful", tally.get().helpful, &[])}
            </p>
            <div class="rapport-review__actions">
                <button type="button" class="rapport-button rapport-review__vote" part="vote" data-vote="helpful"
                    aria-pressed=move || (tally.get().your_vote == Some(true)).to_string()
                    on:click=move |_| vote(true)>
                    {move || i18n.t("reviews.helpful")}
                </button>
                <button type="button" class="rapport-button rapport-review__vote" part="vote" data-vote="not-helpful"
                    aria-pressed=move || (tally.get().your_vote == Some(false)).to_string()
                    on:click=move |_| vote(false)>
                    {move || i18n.t("reviews.not_helpful")}
                </button>
                <button type="button" class="rapport-link-button" on:click=move |_| reporting.update(|r| *r = !*r)>
                    {move || i18n.t("reviews.report")}
                </button>
            </div>
            <Show when=move || reporting.get() && report.value().get().is_none_or(|r| r.is_err())>
                <form class="rapport-review__report" on:submit=move |ev| {
                    ev.prevent_default();
                    report.dispatch(reason.get_untracked());
                }>
                    <label>
                        {move || i18n.t("reviews.report_reason")}
                        <input type="text" maxlength="500" required prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="rapport-button">{move || i18n.t("reviews.report_send")}</button>
                </form>
            </Show>
            {move || report.value().get().map(|result| match result {
                Ok(()) => view! { <p role="status">{move || i18n.t("reviews.reported")}</p> }.into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            })}
            {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
        </li>
    }
    .into_any()
}

/// The shop's reply under a review: who answered, when, and whether they changed it since.
#[component]
fn ShopReplyView(reply: ShopReply, shop_name: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="rapport-review__reply" part="review-reply" data-testid="shop-reply">
            <p class="rapport-review__reply-from">
                <strong>{move || i18n.t_with("reviews.reply_from", &[("shop", shop_name.clone())])}</strong>
                <time datetime=iso_date(reply.replied_at)>{move || i18n.date(reply.replied_at)}</time>
                {reply.edited.then(|| view! { <span class="rapport-review__edited">{move || i18n.t("reviews.edited")}</span> })}
            </p>
            <p class="rapport-review__reply-body" dir="auto">{reply.body.clone()}</p>
        </div>
    }
}

/// The counts as they will be once the server has taken `choice` (a vote, or `None` to withdraw).
fn optimistic(before: VoteTally, choice: Option<bool>) -> VoteTally {
    let mut after = before;
    match before.your_vote {
        Some(true) => after.helpful -= 1,
        Some(false) => after.not_helpful -= 1,
        None => {}
    }
    match choice {
        Some(true) => after.helpful += 1,
        Some(false) => after.not_helpful += 1,
        None => {}
    }
    after.your_vote = choice;
    after
}

/// The signed-in shopper's own review of the product: where it stands (waiting for the shop, published, or not
/// published with the shop's reason), with edit and delete; the form when they have none or edit it. Guests see a
/// sign-in link instead.
#[component]
fn WriteReview(
    sku: String,
    /// What the product's category asks reviews to rate.
    criteria_asked: Signal<Vec<String>>,
    /// The shop's name, for its reply to the shopper's review.
    shop_name: Signal<String>,
    on_written: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let shopper = use_signed_in();
    let rating = RwSignal::new(0i64);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let criteria = RwSignal::new(BTreeMap::<String, i64>::new());
    let photos = RwSignal::new(Vec::<ReviewPhoto>::new());
    let uploading = RwSignal::new(0usize);
    let editing = RwSignal::new(false);
    let confirming_delete = RwSignal::new(false);
    // The button pressed goes away: focus moves to what takes its place.
    let title_field = NodeRef::<leptos::html::Input>::new();
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if editing.get()
            && let Some(field) = title_field.get()
        {
            let _ = field.focus();
        }
    });
    Effect::new(move |_| {
        if confirming_delete.get()
            && let Some(button) = confirm_button.get()
        {
            let _ = button.focus();
        }
    });
    let links = use_shop_links();
    // Events leave from the block, which stays while the form comes and goes.
    let block = NodeRef::<leptos::html::Div>::new();
    let event_sku = sku.clone();
    let deleted_sku = sku.clone();
    let mine_sku = sku.clone();
    // The shopper's own review comes from the browser, after hydration: the page render knows no shopper.
    let mine = LocalResource::new(move || {
        let sku = mine_sku.clone();
        let signed_in = shopper.get();
        async move {
            if signed_in {
                my_product_review(sku).await
            } else {
                Ok(None)
            }
        }
    });
    let write_sku = sku.clone();
    let write = Action::new(move |input: &ReviewInput| {
        let (sku, input) = (write_sku.clone(), input.clone());
        async move { write_product_review(sku, input).await }
    });
    let delete = Action::new(move |_: &()| {
        let sku = sku.clone();
        async move { delete_my_review(sku).await }
    });
    let on_deleted = on_written.clone();
    Effect::new(move |_| {
        if let Some(Ok(review)) = write.value().get() {
            if let Some(block) = block.get_untracked() {
                emit_event(
                    &block,
                    REVIEW_SUBMITTED_EVENT,
                    &[
                        ("sku", event_sku.as_str().into()),
                        ("rating", f64::from(review.rating).into()),
                        ("status", review.status.as_str().into()),
                    ],
                );
            }
            delete.value().set(None);
            editing.set(false);
            photos.set(Vec::new());
            mine.refetch();
            on_written();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            if let Some(block) = block.get_untracked() {
                emit_event(
                    &block,
                    REVIEW_DELETED_EVENT,
                    &[("sku", deleted_sku.as_str().into())],
                );
            }
            confirming_delete.set(false);
            rating.set(0);
            title.set(String::new());
            body.set(String::new());
            criteria.set(BTreeMap::new());
            photos.set(Vec::new());
            mine.refetch();
            on_deleted();
        }
    });
    // Editing starts from the review as it stands.
    let edit = move |review: &Review| {
        rating.set(i64::from(review.rating));
        title.set(review.title.clone());
        body.set(review.body.clone());
        criteria.set(
            review
                .criteria
                .iter()
                .map(|(criterion, stars)| (criterion.clone(), i64::from(*stars)))
                .collect(),
        );
        photos.set(review.photos.clone());
        write.value().set(None);
        delete.value().set(None);
        editing.set(true);
    };
    let review_form = move || {
        view! {
            <form class="rapport-review-form" part="review-form" on:submit=move |ev| {
                ev.prevent_default();
                write.dispatch(ReviewInput {
                    rating: rating.get_untracked(),
                    title: title.get_untracked(),
                    body: body.get_untracked(),
                    criteria: criteria.get_untracked(),
                    photos: Some(photos.with_untracked(|photos| photos.iter().map(|photo| photo.id).collect())),
                });
            }>
                <fieldset class="rapport-review-form__rating">
                    <legend>{move || i18n.t("reviews.your_rating")}</legend>
                    {(1..=5u8).map(|stars| view! {
                        <label>
                            <input type="radio" name="rating" value=stars.to_string() required
                                prop:checked=move || rating.get() == i64::from(stars)
                                on:change=move |_| rating.set(i64::from(stars)) />
                            <span aria-hidden="true">{star_glyphs(stars)}</span>
                            <span class="rapport-visually-hidden">{move || stars_text(i18n, stars)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <label>
                    {move || i18n.t("reviews.your_title")}
                    <input type="text" name="title" maxlength="120" required node_ref=title_field prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev)) />
                </label>
                <label>
                    {move || i18n.t("reviews.your_text")}
                    <textarea name="body" rows="5" maxlength="5000" required prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                </label>
                <div class="rapport-review-form__criteria">
                    {move || criteria_asked.get().into_iter().map(|criterion| {
                        let key = format!("reviews.criterion.{criterion}");
                        let name = criterion.clone();
                        let shown = criterion.clone();
                        view! {
                            <label>
                                {move || i18n.t(&key)}
                                <select name=name
                                    on:change=move |ev| {
                                        let value: i64 = event_target_value(&ev).parse().unwrap_or(0);
                                        criteria.update(|c| {
                                            if value == 0 { c.remove(&criterion); } else { c.insert(criterion.clone(), value); }
                                        });
                                    }>
                                    <option value="0">"–"</option>
                                    {(1..=5u8).rev().map(|s| {
                                        // Each option says whether it is chosen: a value set on the select before
                                        // its options exist would fall back to the first.
                                        let shown = shown.clone();
                                        view! {
                                            <option value=s.to_string() prop:selected=move || criteria.with(|c| c.get(&shown) == Some(&i64::from(s)))>
                                                {star_glyphs(s)}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            </label>
                        }
                    }).collect_view()}
                </div>
                <PhotoPicker photos uploading />
                <div class="rapport-review-form__buttons">
                    <button type="submit" class="rapport-button rapport-button--primary" disabled=move || { write.pending().get() || uploading.get() > 0 }>
                        {move || i18n.t("reviews.submit")}
                    </button>
                    <Show when=move || editing.get()>
                        <button type="button" class="rapport-link-button" on:click=move |_| editing.set(false)>
                            {move || i18n.t("reviews.mine.cancel")}
                        </button>
                    </Show>
                </div>
                {move || write.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error labels=REVIEW_FORM_LABELS /> })}
            </form>
        }
    };
    view! {
        <div class="rapport-reviews__write" node_ref=block>
            <Show when=move || shopper.get() fallback=move || view! {
                <h3>{move || i18n.t("reviews.write_title")}</h3>
                <p><a href=links.sign_in.clone()>{move || i18n.t("reviews.sign_in_to_write")}</a></p>
            }>
                {move || match mine.get() {
                    None => view! { <Pending /> }.into_any(),
                    Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    Some(Ok(Some(stored))) if !editing.get() => {
                        // Just written, the answer is newer than the stored copy until that is read again.
                        let review = write.value().get().and_then(Result::ok).filter(|written| written.id == stored.id).unwrap_or(stored);
                        let shown = review.clone();
                        view! {
                            <OwnReviewView review=shown shop_name=shop_name.get() />
                            {move || write.value().get().and_then(Result::ok).map(|written| {
                                let key = if written.status == ReviewStatus::Published { "reviews.thanks_published" } else { "reviews.thanks_pending" };
                                view! { <p role="status" class="rapport-review-mine__thanks">{move || i18n.t(key)}</p> }
                            })}
                            <div class="rapport-review-mine__actions">
                                <button type="button" class="rapport-button" data-testid="edit-my-review" on:click=move |_| edit(&review)>
                                    {move || i18n.t("reviews.mine.edit")}
                                </button>
                                <Show when=move || confirming_delete.get() fallback=move || view! {
                                    <button type="button" class="rapport-link-button" data-testid="delete-my-review" on:click=move |_| confirming_delete.set(true)>
                                        {move || i18n.t("reviews.mine.delete")}
                                    </button>
                                }>
                                    <span role="status">{move || i18n.t("reviews.mine.delete_confirm")}</span>
                                    <button type="button" class="rapport-button" data-testid="confirm-delete-my-review" node_ref=confirm_button
                                        disabled=move || delete.pending().get() on:click=move |_| { delete.dispatch(()); }>
                                        {move || i18n.t("reviews.mine.delete_yes")}
                                    </button>
                                    <button type="button" class="rapport-link-button" on:click=move |_| confirming_delete.set(false)>
                                        {move || i18n.t("reviews.mine.cancel")}
                                    </button>
                                </Show>
                            </div>
                            {move || delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                        }.into_any()
                    }
                    Some(Ok(found)) => view! {
                        <h3>{move || i18n.t(if found.is_some() { "reviews.mine.edit_title" } else { "reviews.write_title" })}</h3>
                        {move || delete.value().get().and_then(Result::ok).map(|()| view! { <p role="status">{move || i18n.t("reviews.mine.deleted")}</p> })}
                        {review_form()}
                    }.into_any(),
                }}
            </Show>
        </div>
    }
    .into_any()
}

/// The shopper's own review as they wrote it, with where it stands and the shop's reply.
#[component]
fn OwnReviewView(review: Review, shop_name: String) -> impl IntoView {
    let i18n = use_i18n();
    let status_key = format!("reviews.mine.status.{}", review.status.as_str());
    view! {
        <section class="rapport-review-mine" part="my-review" data-testid="my-review" data-status=review.status.as_str()>
            <h3>{move || i18n.t("reviews.mine.title")}</h3>
            <p class="rapport-review-mine__status" role="status">{move || i18n.t(&status_key)}</p>
            {review.rejection_reason.clone().map(|reason| view! {
                <p class="rapport-review-mine__reason">
                    {move || i18n.t("reviews.mine.reason")} " " <span data-testid="my-review-reason">{reason}</span>
                </p>
            })}
            <p class="rapport-review__stars" aria-label=move || stars_text(i18n, review.rating)>{star_glyphs(review.rating)}</p>
            <p class="rapport-review__title" dir="auto">{review.title.clone()}</p>
            <p class="rapport-review__body" dir="auto">{review.body.clone()}</p>
            {(!review.photos.is_empty()).then(|| view! {
                <PhotoStrip photos=review.photos.clone() author=review.author.clone() title=review.title.clone() />
            })}
            {review.reply.clone().map(|reply| view! { <ShopReplyView reply shop_name /> })}
        </section>
    }
}
