//! The merchant's questions desk: questions waiting to be published, those without an answer, those answered and
//! those turned down; the shop's answer, publishing, turning down with a reason, and taking a shopper's answer down.

use super::{
    AnswerAsShop, DESK_PAGE, DeskQuestion, DeskQueue, ModerateQuestion, QuestionStatus,
    TakeDownAnswer, questions_desk,
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

fn queue_address(queue: DeskQueue, shown: i64) -> String {
    let mut address = format!("/merchant/questions?queue={}", queue.as_str());
    if shown > DESK_PAGE {
        address.push_str(&format!("&shown={shown}"));
    }
    address
}

/// The desk's actions, handed to each card together.
#[derive(Clone, Copy)]
struct DeskActions {
    answer: ServerAction<AnswerAsShop>,
    decide: ServerAction<ModerateQuestion>,
    take_down: ServerAction<TakeDownAnswer>,
}

/// The questions desk, for merchants signed in with the store's credentials; others see the sign-in form. The
/// list follows the page address (`?queue=unanswered&shown=40`), and every action is an ordinary form, so the desk
/// works without JavaScript.
///
/// ```
/// use app::questions::QuestionsDesk;
/// use leptos::prelude::*;
/// use leptos_router::components::{Route, Router, Routes};
/// use leptos_router::location::RequestUrl;
/// use leptos_router::path;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// # provide_context(RequestUrl::new("/merchant/questions"));
/// let html = view! {
///     <Router>
///         <Routes fallback=|| "not found">
///             <Route path=path!("/merchant/questions") view=QuestionsDesk />
///         </Routes>
///     </Router>
/// }
/// .to_html();
/// assert!(html.contains("rapport-questions-desk"));
/// ```
#[component]
pub fn QuestionsDesk() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let chosen = move || {
        let query = query.read();
        let queue = query
            .get("queue")
            .and_then(|name| DeskQueue::parse(&name))
            .unwrap_or_default();
        let shown = query
            .get("shown")
            .and_then(|s| s.parse().ok())
            .unwrap_or(DESK_PAGE)
            .clamp(DESK_PAGE, 500);
        (queue, shown)
    };
    let actions = DeskActions {
        answer: ServerAction::<AnswerAsShop>::new(),
        decide: ServerAction::<ModerateQuestion>::new(),
        take_down: ServerAction::<TakeDownAnswer>::new(),
    };
    let sign_out = ServerAction::<MerchantSignOut>::new();
    // After any action or signing out, the list is read again.
    let page = Resource::new(
        move || {
            (
                chosen(),
                actions.answer.version().get(),
                actions.decide.version().get(),
                actions.take_down.version().get(),
                sign_out.version().get(),
            )
        },
        |((queue, shown), ..)| questions_desk(queue, shown),
    );
    view! {
        <Title text=move || i18n.t("questions.desk.title") />
        <section class="shop-section rapport-moderation rapport-questions-desk">
            <crate::identity::merchant::MerchantHomeLink />
            <h1>{move || i18n.t("questions.desk.title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (queue, shown) = chosen();
                    match page.await {
                        Ok(page) => view! {
                            <MerchantSession merchant=page.merchant.clone() sign_out>
                                <a href="/merchant/reviews">{move || i18n.t("moderation.title")}</a>
                            </MerchantSession>
                            <MerchantQueues label="questions.desk.queues" queues=DeskQueue::ALL.into_iter().map(|each| {
                                (queue_address(each, DESK_PAGE), format!("questions.desk.queue.{}", each.as_str()), each == queue)
                            }).collect() />
                            {move || actions.answer.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                            {move || actions.decide.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                            {move || actions.take_down.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                            {page.items.is_empty().then(|| view! { <p class="rapport-moderation__empty">{move || i18n.t("questions.desk.empty")}</p> })}
                            <ol class="rapport-moderation__list">
                                {page.items.into_iter().map(|item| {
                                    let shop_name = page.shop_name.clone();
                                    view! { <DeskCard item actions shop_name /> }
                                }).collect_view()}
                            </ol>
                            {page.more.then(|| view! {
                                <a class="rapport-button" href=queue_address(queue, shown + DESK_PAGE)>{move || i18n.t("moderation.more")}</a>
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

#[component]
fn DeskCard(item: DeskQuestion, actions: DeskActions, shop_name: String) -> impl IntoView {
    let i18n = use_i18n();
    let question = item.question;
    let id = question.id.to_string();
    let status = item.status;
    let status_key = format!("questions.desk.status.{}", status.as_str());
    let shop_answer = question
        .answers
        .iter()
        .find(|answer| answer.by_shop)
        .map(|answer| answer.body.clone());
    let has_shop_answer = shop_answer.is_some();
    let (answer_id, publish_id, reject_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <li class="rapport-moderation__item" data-question-id=id.clone() data-testid="desk-question">
            <p class="rapport-moderation__product">
                <a href=format!("/p/{}#questions", item.sku)>{item.product_title.clone()}</a>
                " · "
                <span class="rapport-moderation__status">{move || i18n.t(&status_key)}</span>
            </p>
            <p class="rapport-question__body" dir="auto">{question.body.clone()}</p>
            <p class="rapport-review__meta">
                <bdi class="rapport-review__author">{question.asker.clone()}</bdi>
                " · "
                <time datetime=iso_date(question.asked_at)>{move || i18n.date(question.asked_at)}</time>
            </p>
            {item.rejection_reason.clone().map(|reason| view! {
                <p class="rapport-moderation__rejection">{move || i18n.t("moderation.rejected_because")} " " {reason}</p>
            })}
            {(!question.answers.is_empty()).then(|| view! {
                <ul class="rapport-question__answers">
                    {question.answers.into_iter().map(|answer| {
                        let answer_id = answer.id.to_string();
                        let take_down_id = answer_id.clone();
                        let author = if answer.by_shop { shop_name.clone() } else { answer.author.clone() };
                        view! {
                            <li class="rapport-answer" class:rapport-answer--shop=answer.by_shop data-answer-id=answer_id>
                                <p class="rapport-answer__body" dir="auto">{answer.body.clone()}</p>
                                <p class="rapport-answer__meta">
                                    <bdi>{author}</bdi> " · " {move || i18n.t_count("questions.found_helpful", answer.helpful, &[])}
                                </p>
                                {(!answer.by_shop).then(|| view! {
                                    <ActionForm action=actions.take_down attr:class="rapport-moderation__decision">
                                        <input type="hidden" name="answer_id" value=take_down_id.clone() />
                                        <button type="submit" class="rapport-link-button" data-testid="take-down-answer">{move || i18n.t("questions.desk.take_down")}</button>
                                    </ActionForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(status != QuestionStatus::Rejected).then(|| view! {
                <ActionForm action=actions.answer attr:class="rapport-moderation__reply-form">
                    <input type="hidden" name="question_id" value=answer_id />
                    <label>
                        {move || i18n.t(if has_shop_answer { "questions.desk.answer_edit" } else { "questions.desk.answer" })}
                        <textarea name="body" rows="3" maxlength=super::rules::MAX_ANSWER_CHARS.to_string() required>{shop_answer.clone().unwrap_or_default()}</textarea>
                    </label>
                    <button type="submit" class="rapport-button" data-testid="desk-answer-save">
                        {move || i18n.t(if status == QuestionStatus::Pending { "questions.desk.answer_publish" } else { "questions.desk.answer_save" })}
                    </button>
                </ActionForm>
            })}
            <div class="rapport-moderation__decisions">
                {(status == QuestionStatus::Pending).then(|| view! {
                    <ActionForm action=actions.decide attr:class="rapport-moderation__decision">
                        <input type="hidden" name="question_id" value=publish_id />
                        <input type="hidden" name="decision" value="publish" />
                        <button type="submit" class="rapport-button" data-decision="publish">{move || i18n.t("questions.desk.publish")}</button>
                    </ActionForm>
                })}
                {(status != QuestionStatus::Rejected).then(|| view! {
                    <ActionForm action=actions.decide attr:class="rapport-moderation__decision">
                        <input type="hidden" name="question_id" value=reject_id />
                        <input type="hidden" name="decision" value="reject" />
                        <label>
                            {move || i18n.t("moderation.reason")}
                            <input type="text" name="reason" maxlength=super::rules::MAX_REASON_CHARS.to_string() required />
                        </label>
                        <button type="submit" class="rapport-button" data-decision="reject">{move || i18n.t("questions.desk.reject")}</button>
                    </ActionForm>
                })}
            </div>
        </li>
    }
    .into_any()
}
