//! The `Questions` widget: a product's questions with their answers, the form to ask one, and, for shoppers who
//! bought the product, the form to answer.

use super::rules::{MAX_ANSWER_CHARS, MAX_QUESTION_CHARS, PAGE, questions_shown};
use super::{
    Answer, AnswerTally, OwnQuestion, Question, QuestionStatus, ShopperQuestions,
    answer_product_question, ask_about_product, mark_answer_helpful, my_product_questions,
    product_questions,
};
use crate::i18n::use_i18n;
use crate::identity::client::{signed_in, use_signed_in};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::time::iso_date;
use crate::ui::{ErrorNotice, NamedLine, Pending, emit_event, use_page_query, use_shop_links};
use leptos::prelude::*;

/// The page address's key the questions' view lives in (`?questions=10`); a link of another widget keeps it.
const VIEW_KEYS: [&str; 1] = ["questions"];

/// The DOM event sent when the shopper asked a question, with `{sku}`; it waits for the shop before others see it.
pub const QUESTION_ASKED_EVENT: &str = "rapport:question-asked";

/// The signed-in shopper's standing with the product's questions; empty for a guest.
type Mine = LocalResource<Result<ShopperQuestions, AppError>>;

/// A product's questions and answers: the questions most helpfully answered first, each with its answers most
/// helpful first, "more questions", and the forms to ask and (for buyers) to answer.
///
/// How many questions show follows the page address (`?questions=10`), so the list renders on the server, works
/// without JavaScript, and a link reproduces it.
///
/// ```
/// use app::questions::Questions;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// # provide_context(app::ui::EmbeddedQuery(RwSignal::new(Default::default())));
/// let html = view! { <Questions sku="KIT-00001".to_owned() /> }.to_html();
/// assert!(html.contains("<section id=\"questions\""));
/// ```
#[component]
pub fn Questions(
    /// The product's SKU.
    sku: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_page_query();
    let shown = move || questions_shown(query.get("questions").and_then(|s| s.parse().ok()));
    let page_sku = sku.clone();
    let page = Resource::new(shown, move |shown| {
        product_questions(page_sku.clone(), shown)
    });
    let shopper = use_signed_in();
    let mine_sku = sku.clone();
    // What the shopper has to do with the questions comes from the browser: the page render knows no shopper.
    let mine: Mine = LocalResource::new(move || {
        let sku = mine_sku.clone();
        let signed_in = shopper.get();
        async move {
            if signed_in {
                my_product_questions(sku).await
            } else {
                Ok(ShopperQuestions::default())
            }
        }
    });
    let changed = move || {
        page.refetch();
        mine.refetch();
    };
    view! {
        <section id="questions" class="rapport-questions" part="questions" aria-labelledby="rapport-questions-title">
            <h2 id="rapport-questions-title">{move || i18n.t("questions.title")}</h2>
            <Transition fallback=Pending>
                {move || Suspend::new(async move {
                    let shown = shown();
                    match page.await {
                        Ok(page) => {
                            let total = page.total;
                            view! {
                                <p class="rapport-questions__count" data-testid="questions-count">
                                    {move || i18n.t_count("questions.count", total, &[])}
                                </p>
                                <ol class="rapport-questions__list">
                                    {page.questions.into_iter().map(|question| {
                                        let shop_name = page.shop_name.clone();
                                        view! { <QuestionItem question mine shop_name on_answered=changed /> }
                                    }).collect_view()}
                                </ol>
                                {page.more.then(|| view! {
                                    <a href=move || query.keeping(&format!("?questions={}#questions", shown + PAGE), &VIEW_KEYS)
                                        class="rapport-button rapport-questions__more"
                                        on:click=move |ev| {
                                            ev.prevent_default();
                                            query.go_keeping(&format!("?questions={}", shown + PAGE), &VIEW_KEYS);
                                        }>
                                        {move || i18n.t("questions.more")}
                                    </a>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
            <AskQuestion sku mine on_asked=changed />
        </section>
    }
    .into_any()
}

#[component]
fn QuestionItem(
    question: Question,
    mine: Mine,
    shop_name: String,
    on_answered: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = question.id;
    let answering = RwSignal::new(false);
    // Set from an effect, not read in the render: a local resource read under the page's Transition would keep
    // the server's render waiting for it, and the server never loads it.
    let can_answer = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(mine)) = mine.get() {
            can_answer.set(mine.can_answer && !mine.answered.contains(&id));
        }
    });
    let answer_count = question.answers.len() as i64;
    // After the answer form closes, focus returns to the question it was about rather than to the page's start.
    let item = NodeRef::<leptos::html::Li>::new();
    let body_id = move || format!("rapport-question-{id}");
    view! {
        <li class="rapport-question" part="question" data-question-id=id.to_string() tabindex="-1" node_ref=item>
            <p class="rapport-question__body">
                <span class="rapport-question__mark" aria-hidden="true">{move || i18n.t("questions.q")}</span>
                <span id=body_id() dir="auto">{question.body.clone()}</span>
            </p>
            <p class="rapport-question__meta">
                <span><NamedLine key="questions.asked_by" name=question.asker.clone() /></span>
                <time datetime=iso_date(question.asked_at)>{move || i18n.date(question.asked_at)}</time>
            </p>
            {(answer_count == 0).then(|| view! { <p class="rapport-question__unanswered">{move || i18n.t("questions.no_answer_yet")}</p> })}
            <ul class="rapport-question__answers" aria-label=move || i18n.t_count("questions.answers", answer_count, &[])>
                {question.answers.into_iter().map(|answer| {
                    let shop_name = shop_name.clone();
                    view! { <AnswerItem answer mine shop_name /> }
                }).collect_view()}
            </ul>
            <Show when=move || can_answer.get()>
                <Show when=move || answering.get() fallback=move || view! {
                    <button type="button" class="rapport-link-button" data-testid="answer-question" aria-describedby=body_id()
                        on:click=move |_| answering.set(true)>
                        {move || i18n.t("questions.answer")}
                    </button>
                }>
                    <AnswerForm question_id=id on_done=move |answered: bool| {
                        answering.set(false);
                        if let Some(item) = item.get_untracked() {
                            let _ = item.focus();
                        }
                        if answered {
                            on_answered();
                        }
                    } />
                </Show>
            </Show>
        </li>
    }
    .into_any()
}

#[component]
fn AnswerItem(answer: Answer, mine: Mine, shop_name: String) -> impl IntoView {
    let i18n = use_i18n();
    let id = answer.id;
    let tally = RwSignal::new(AnswerTally {
        helpful: answer.helpful,
        voted: false,
    });
    // The shopper's own earlier mark arrives after hydration, from the browser.
    Effect::new(move |_| {
        if let Some(Ok(mine)) = mine.get() {
            tally.update(|t| t.voted = mine.helpful_votes.contains(&id));
        }
    });
    let problem = RwSignal::new(None::<AppError>);
    let cast = Action::new(move |helpful: &bool| {
        let helpful = *helpful;
        async move { mark_answer_helpful(id, helpful).await }
    });
    // The count before the mark in flight, to restore if the server refuses it.
    let before_vote = StoredValue::new(None::<AnswerTally>);
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
    let vote = move |_| {
        if !signed_in() {
            problem.set(Some(AppError::unauthorized(Translation::of(
                "questions.sign_in_to_vote",
            ))));
            return;
        }
        let before = tally.get_untracked();
        let helpful = !before.voted;
        // Show the mark at once; the server's answer confirms or corrects it.
        before_vote.set_value(Some(before));
        tally.set(AnswerTally {
            helpful: before.helpful + if helpful { 1 } else { -1 },
            voted: helpful,
        });
        problem.set(None);
        cast.dispatch(helpful);
    };
    let by_shop = answer.by_shop;
    let body_id = format!("rapport-answer-{id}");
    let author = if by_shop {
        shop_name
    } else {
        answer.author.clone()
    };
    view! {
        <li class="rapport-answer" class:rapport-answer--shop=by_shop part="answer" data-answer-id=id.to_string()>
            <p class="rapport-answer__body">
                <span class="rapport-question__mark" aria-hidden="true">{move || i18n.t("questions.a")}</span>
                <span id=body_id.clone() dir="auto">{answer.body.clone()}</span>
            </p>
            <p class="rapport-answer__meta">
                <span class="rapport-answer__author">
                    <NamedLine key=if by_shop { "questions.answer_from_shop" } else { "questions.answer_from_buyer" } name=author />
                </span>
                <time datetime=iso_date(answer.answered_at)>{move || i18n.date(answer.answered_at)}</time>
                {answer.edited.then(|| view! { <span class="rapport-answer__edited">{move || i18n.t("questions.edited")}</span> })}
            </p>
            <div class="rapport-answer__helpful">
                <button type="button" class="rapport-button rapport-answer__vote" part="vote" data-testid="answer-helpful"
                    aria-describedby=body_id aria-pressed=move || tally.get().voted.to_string() on:click=vote>
                    {move || i18n.t("questions.helpful")}
                </button>
                <span data-testid="answer-helpful-count">{move || i18n.t_count("questions.found_helpful", tally.get().helpful, &[])}</span>
            </div>
            {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
        </li>
    }
    .into_any()
}

/// The buyer's answer to one question; `on_done(true)` once it is saved, `on_done(false)` when given up.
#[component]
fn AnswerForm(
    question_id: i64,
    on_done: impl Fn(bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = RwSignal::new(String::new());
    let field = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(field) = field.get() {
            let _ = field.focus();
        }
    });
    let send = Action::new(move |body: &String| {
        let body = body.clone();
        async move { answer_product_question(question_id, body).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            on_done(true);
        }
    });
    let field_id = format!("rapport-answer-{question_id}");
    view! {
        <form class="rapport-answer-form" part="answer-form" on:submit=move |ev| {
            ev.prevent_default();
            send.dispatch(body.get_untracked());
        }>
            <label for=field_id.clone()>{move || i18n.t("questions.your_answer")}</label>
            <textarea id=field_id name="body" rows="3" maxlength=MAX_ANSWER_CHARS.to_string() required node_ref=field
                prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            <div class="rapport-answer-form__buttons">
                <button type="submit" class="rapport-button rapport-button--primary" disabled=move || send.pending().get()>
                    {move || i18n.t("questions.send_answer")}
                </button>
                <button type="button" class="rapport-link-button" on:click=move |_| on_done(false)>
                    {move || i18n.t("questions.cancel")}
                </button>
            </div>
            {move || send.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error labels=&[("body", "questions.your_answer")] /> })}
        </form>
    }
}

/// The form to ask about the product, and the shopper's questions that others do not see yet (waiting for the
/// shop, or turned down with its reason). Guests see a sign-in link instead.
#[component]
fn AskQuestion(
    sku: String,
    mine: Mine,
    on_asked: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let shopper = use_signed_in();
    let links = use_shop_links();
    let body = RwSignal::new(String::new());
    let block = NodeRef::<leptos::html::Div>::new();
    let event_sku = sku.clone();
    // One widget per product on a page: the product names the field.
    let field_id = format!("rapport-question-body-{sku}");
    let ask = Action::new(move |body: &String| {
        let (sku, body) = (sku.clone(), body.clone());
        async move { ask_about_product(sku, body).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = ask.value().get() {
            body.set(String::new());
            if let Some(block) = block.get_untracked() {
                emit_event(
                    &block,
                    QUESTION_ASKED_EVENT,
                    &[("sku", event_sku.as_str().into())],
                );
            }
            on_asked();
        }
    });
    view! {
        <div class="rapport-questions__ask" node_ref=block>
            <h3>{move || i18n.t("questions.ask_title")}</h3>
            <Show when=move || shopper.get() fallback=move || view! {
                <p><a href=links.sign_in.clone()>{move || i18n.t("questions.sign_in_to_ask")}</a></p>
            }>
                {move || mine.get().and_then(Result::ok).map(|mine| {
                    mine.unpublished.into_iter().map(|question| view! { <OwnQuestionView question /> }).collect_view()
                })}
                <form class="rapport-questions__form" part="question-form" on:submit=move |ev| {
                    ev.prevent_default();
                    ask.dispatch(body.get_untracked());
                }>
                    <label for=field_id.clone()>{move || i18n.t("questions.your_question")}</label>
                    <textarea id=field_id.clone() name="body" rows="3" maxlength=MAX_QUESTION_CHARS.to_string() required
                        prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                    <p class="rapport-questions__hint">{move || i18n.t("questions.ask_hint")}</p>
                    <button type="submit" class="rapport-button rapport-button--primary" disabled=move || ask.pending().get()>
                        {move || i18n.t("questions.send_question")}
                    </button>
                    {move || ask.value().get().map(|result| match result {
                        Ok(_) => view! { <p role="status" class="rapport-questions__thanks">{move || i18n.t("questions.thanks")}</p> }.into_any(),
                        Err(error) => view! { <ErrorNotice error labels=&[("body", "questions.your_question")] /> }.into_any(),
                    })}
                </form>
            </Show>
        </div>
    }
}

/// One of the shopper's questions that others do not see: waiting for the shop, or turned down with the reason.
#[component]
fn OwnQuestionView(question: OwnQuestion) -> impl IntoView {
    let i18n = use_i18n();
    let status = question.status;
    let status_key = format!("questions.mine.{}", status.as_str());
    view! {
        <div class="rapport-question-mine" data-testid="my-question" data-status=status.as_str()>
            <p class="rapport-question__body" dir="auto">{question.body.clone()}</p>
            <p class="rapport-question-mine__status">
                {move || i18n.t(&status_key)}
                {(status == QuestionStatus::Rejected).then(|| question.rejection_reason.clone()).flatten().map(|reason| view! {
                    " " <span data-testid="my-question-reason">{reason}</span>
                })}
            </p>
        </div>
    }
}
