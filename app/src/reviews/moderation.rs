//! The merchant's moderation desk: the queues of pending, reported, rejected and published reviews, with
//! approve / reject / restore and each review's history.

use super::widget::{star_glyphs, stars_text};
use super::{
    MODERATION_PAGE, ModerateReview, ModerationItem, ModerationQueue, RemoveReviewPhoto,
    ReplyToReview, ReviewStatus, TakeDownReply, moderation_page,
};
use crate::i18n::use_i18n;
use crate::identity::merchant::{
    MerchantQueues, MerchantSession, MerchantSignInForm, MerchantSignOut,
};
use crate::kernel::time::iso_date;
use crate::ui::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn queue_address(queue: ModerationQueue, shown: i64) -> String {
    let mut address = format!("/merchant/reviews?queue={}", queue.as_str());
    if shown > MODERATION_PAGE {
        address.push_str(&format!("&shown={shown}"));
    }
    address
}

/// The moderation desk, for merchants signed in with the store's credentials; others see the sign-in form.
/// The queue follows the page address (`?queue=reported&shown=40`), and every decision is an ordinary form, so
/// the desk works without JavaScript.
///
/// ```
/// use app::reviews::ModerationDesk;
/// use leptos::prelude::*;
/// use leptos_router::components::{Route, Router, Routes};
/// use leptos_router::location::RequestUrl;
/// use leptos_router::path;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// # provide_context(RequestUrl::new("/merchant/reviews"));
/// let html = view! {
///     <Router>
///         <Routes fallback=|| "not found">
///             <Route path=path!("/merchant/reviews") view=ModerationDesk />
///         </Routes>
///     </Router>
/// }
/// .to_html();
/// assert!(html.contains("rapport-moderation"));
/// ```
#[component]
pub fn ModerationDesk() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let chosen = move || {
        let query = query.read();
        let queue = query
            .get("queue")
            .and_then(|name| ModerationQueue::parse(&name))
            .unwrap_or_default();
        let shown = query
            .get("shown")
            .and_then(|s| s.parse().ok())
            .unwrap_or(MODERATION_PAGE)
            .clamp(MODERATION_PAGE, 500);
        (queue, shown)
    };
    let decide = ServerAction::<ModerateReview>::new();
    let reply = ServerAction::<ReplyToReview>::new();
    let take_down = ServerAction::<TakeDownReply>::new();
    let remove_photo = ServerAction::<RemoveReviewPhoto>::new();
    let sign_out = ServerAction::<MerchantSignOut>::new();
    // After a decision, a reply or signing out, the queue is read again.
    let page = Resource::new(
        move || {
            (
                chosen(),
                decide.version().get(),
                reply.version().get(),
                take_down.version().get(),
                remove_photo.version().get(),
                sign_out.version().get(),
            )
        },
        |((queue, shown), ..)| moderation_page(queue, shown),
    );
    let actions = ReplyActions {
        reply,
        take_down,
        remove_photo,
    };
    view! {
        <Title text=move || i18n.t("moderation.title") />
        <section class="shop-section rapport-moderation">
            <crate::identity::merchant::MerchantHomeLink />
            <h1>{move || i18n.t("moderation.title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (queue, shown) = chosen();
                    match page.await {
                        Ok(page) => view! {
                            <MerchantSession merchant=page.merchant.clone() sign_out>
                                <a href="/merchant/questions">{move || i18n.t("questions.desk.title")}</a>
                            </MerchantSession>
                            <MerchantQueues label="moderation.queues" queues=ModerationQueue::ALL.into_iter().map(|each| {
                                (queue_address(each, MODERATION_PAGE), format!("moderation.queue.{}", each.as_str()), each == queue)
                            }).collect() />
                            {move || decide.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                            {move || reply.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                            {move || take_down.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                            {move || remove_photo.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                            {page.items.is_empty().then(|| view! { <p class="rapport-moderation__empty">{move || i18n.t("moderation.empty")}</p> })}
                            <ol class="rapport-moderation__list">
                                {page.items.into_iter().map(|item| view! { <ModerationCard item decide actions /> }).collect_view()}
                            </ol>
                            {page.more.then(|| view! {
                                <a class="rapport-button" href=queue_address(queue, shown + MODERATION_PAGE)>{move || i18n.t("moderation.more")}</a>
                            })}
                        }.into_any(),
                        Err(error) if error.needs_sign_in() => view! {
                            <MerchantSignInForm next=queue_address(queue, shown) />
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

/// The desk's actions on a card beside the decision, handed to each card together.
#[derive(Clone, Copy)]
struct ReplyActions {
    reply: ServerAction<ReplyToReview>,
    take_down: ServerAction<TakeDownReply>,
    remove_photo: ServerAction<RemoveReviewPhoto>,
}

#[component]
fn ModerationCard(
    item: ModerationItem,
    decide: ServerAction<ModerateReview>,
    actions: ReplyActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let review = item.review;
    let id = review.id.to_string();
    let status_key = format!("moderation.status.{}", review.status.as_str());
    let decision_form = move |decision: &'static str, label: &'static str, with_reason: bool| {
        let id = id.clone();
        view! {
            <ActionForm action=decide attr:class="rapport-moderation__decision">
                <input type="hidden" name="review_id" value=id />
                <input type="hidden" name="decision" value=decision />
                {with_reason.then(|| view! {
                    <label>
                        {move || i18n.t("moderation.reason")}
                        <input type="text" name="reason" maxlength="500" required />
                    </label>
                })}
                <button type="submit" class="rapport-button" data-decision=decision>{move || i18n.t(label)}</button>
            </ActionForm>
        }
    };
    let decisions = match review.status {
        ReviewStatus::Pending => view! {
            {decision_form("approve", "moderation.approve", false)}
            {decision_form("reject", "moderation.reject", true)}
        }
        .into_any(),
        ReviewStatus::Published => decision_form("reject", "moderation.reject", true).into_any(),
        ReviewStatus::Rejected => decision_form("restore", "moderation.restore", false).into_any(),
    };
    view! {
        <li class="rapport-moderation__item" data-review-id=review.id.to_string()>
            <p class="rapport-moderation__product">
                <a href=format!("/p/{}", item.sku)>{item.product_title.clone()}</a>
                " · "
                <span class="rapport-moderation__status">{move || i18n.t(&status_key)}</span>
            </p>
            <p class="rapport-review__stars" aria-label=move || stars_text(i18n, review.rating)>{star_glyphs(review.rating)}</p>
            <h2 class="rapport-review__title" dir="auto">{review.title.clone()}</h2>
            <p class="rapport-review__meta">
                <bdi class="rapport-review__author">{review.author.clone()}</bdi>
                " · "
                <time datetime=iso_date(review.created_at)>{move || i18n.date(review.created_at)}</time>
                {review.verified.then(|| view! { <span class="rapport-review__verified">{move || i18n.t("reviews.verified")}</span> })}
                {review.edited.then(|| view! { <span class="rapport-review__edited">{move || i18n.t("reviews.edited")}</span> })}
            </p>
            <p class="rapport-review__body" dir="auto">{review.body.clone()}</p>
            {(!review.photos.is_empty()).then(|| {
                let (review_id, photos) = (review.id.to_string(), review.photos.clone());
                view! {
                    <ul class="rapport-moderation__photos" aria-label=move || i18n.t("reviews.photos.label")>
                        {photos.into_iter().enumerate().map(|(n, photo)| {
                            let n = (n + 1).to_string();
                            let label = n.clone();
                            let review_id = review_id.clone();
                            let (width, height) = super::rules::thumb_size(photo.width, photo.height);
                            view! {
                                <li data-testid="moderation-photo">
                                    <a href=photo.url target="_blank" rel="noopener">
                                        <img src=photo.thumb_url alt=move || i18n.t_with("moderation.photo_n", &[("n", n.clone())]) width=width.to_string() height=height.to_string() loading="lazy" />
                                    </a>
                                    <ActionForm action=actions.remove_photo attr:class="rapport-moderation__decision">
                                        <input type="hidden" name="review_id" value=review_id />
                                        <input type="hidden" name="photo_id" value=photo.id.to_string() />
                                        <button type="submit" class="rapport-link-button" data-testid="remove-photo"
                                            aria-label=move || i18n.t_with("moderation.remove_photo_n", &[("n", label.clone())])>
                                            {move || i18n.t("moderation.remove_photo")}
                                        </button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
            {review.rejection_reason.clone().map(|reason| view! {
                <p class="rapport-moderation__rejection">{move || i18n.t("moderation.rejected_because")} " " {reason}</p>
            })}
            {(!item.open_reports.is_empty()).then(|| view! {
                <div class="rapport-moderation__reports">
                    <h3>{move || i18n.t("moderation.reports")}</h3>
                    <ul>
                        {item.open_reports.into_iter().map(|report| view! {
                            <li><time datetime=iso_date(report.reported_at)>{move || i18n.date(report.reported_at)}</time> " · " {report.reason}</li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <ReplyDesk review_id=review.id reply=review.reply.clone().map(|reply| reply.body) history=item.reply_history actions />
            <details class="rapport-moderation__history">
                <summary>{move || i18n.t("moderation.history")}</summary>
                <ol>
                    {item.history.into_iter().map(|entry| {
                        let action_key = format!("moderation.action.{}", entry.action);
                        view! {
                            <li>
                                <time>{crate::kernel::time::to_rfc3339(entry.at)}</time> " · " {entry.actor} " · " {move || i18n.t(&action_key)}
                                {entry.reason.map(|reason| view! { " · " {reason} })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </details>
            <div class="rapport-moderation__decisions">{decisions}</div>
        </li>
    }
    .into_any()
}

/// The shop's public reply to one review: write it, change it or take it down, and its earlier versions. Ordinary
/// forms, so the desk works without JavaScript.
#[component]
fn ReplyDesk(
    review_id: i64,
    reply: Option<String>,
    history: Vec<super::ReplyVersion>,
    actions: ReplyActions,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = review_id.to_string();
    let take_down_id = id.clone();
    let has_reply = reply.is_some();
    // The last version is the reply in the form above, while there is one.
    let mut history = history;
    if has_reply {
        history.pop();
    }
    let earlier = history.len();
    view! {
        <div class="rapport-moderation__reply" data-testid="reply-desk">
            <ActionForm action=actions.reply attr:class="rapport-moderation__reply-form">
                <input type="hidden" name="review_id" value=id />
                <label>
                    {move || i18n.t(if has_reply { "moderation.reply_edit" } else { "moderation.reply" })}
                    <textarea name="body" rows="3" maxlength="2000" required>{reply.clone().unwrap_or_default()}</textarea>
                </label>
                <button type="submit" class="rapport-button" data-testid="reply-save">{move || i18n.t("moderation.reply_save")}</button>
            </ActionForm>
            {has_reply.then(|| view! {
                <ActionForm action=actions.take_down attr:class="rapport-moderation__decision">
                    <input type="hidden" name="review_id" value=take_down_id />
                    <button type="submit" class="rapport-link-button" data-testid="reply-take-down">{move || i18n.t("moderation.reply_take_down")}</button>
                </ActionForm>
            })}
            {(earlier > 0).then(|| view! {
                <details class="rapport-moderation__history">
                    <summary>{move || i18n.t("moderation.reply_history")}</summary>
                    <ol>
                        {history.into_iter().map(|version| {
                            view! {
                                <li>
                                    <time>{crate::kernel::time::to_rfc3339(version.at)}</time> " · " {version.actor} " · "
                                    {match version.body {
                                        Some(body) => view! { <span>{body}</span> }.into_any(),
                                        None => view! { <em>{move || i18n.t("moderation.reply_taken_down")}</em> }.into_any(),
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </details>
            })}
        </div>
    }
}
