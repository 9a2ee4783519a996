//! The alerts' widgets: subscribing on a product, the bell with its notices, and the account's list of alerts.

use super::{
    Alert, AlertKind, AlertStatus, Notice, NoticeKind, PriceRule, ProductAlerts, alerts_on_product,
    cancel_alert, choose_price_rise_notices, inbox_notices, mark_inbox_read, my_alert_settings,
    subscribe_alert,
};
use crate::i18n::{I18n, use_i18n};
use crate::identity::client::{signed_in, use_signed_in};
use crate::identity::ensure_viewer;
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::kernel::time::iso_date;
use crate::ui::{EmbeddedQuery, ErrorNotice, Pending, emit_event, use_shop_links};
use leptos::prelude::*;

/// The DOM event sent to the host page when the shopper subscribes, with `{sku, kind}`.
pub const ALERT_SUBSCRIBED_EVENT: &str = "rapport:alert-subscribed";

/// The id of the `PriceAlert` widget's section, for links that lead to it (`/p/SKU#rapport-price-alert`).
pub const PRICE_ALERT_ANCHOR: &str = "rapport-price-alert";

/// How often an open page asks for new notices.
const INBOX_REFRESH_MS: u64 = 30_000;

/// An alert's rule in words: "any price drop", "when it is ¥80.00 or less", "a drop of 15% or more".
pub(super) fn rule_text(i18n: I18n, alert: &Alert) -> String {
    match (alert.kind, alert.rule) {
        (AlertKind::BackInStock, _) => i18n.t("alerts.rule.back_in_stock"),
        (AlertKind::PriceDrop, PriceRule::AnyDrop) => i18n.t_with(
            "alerts.rule.any",
            &[("price", i18n.money(&alert.reference))],
        ),
        (AlertKind::PriceDrop, PriceRule::Below { target_minor }) => i18n.t_with(
            "alerts.rule.target",
            &[(
                "price",
                i18n.money(&Money::new(target_minor, alert.reference.currency.clone())),
            )],
        ),
        (AlertKind::PriceDrop, PriceRule::ByPercent { percent }) => i18n.t_with(
            "alerts.rule.percent",
            &[
                ("percent", percent.to_string()),
                ("price", i18n.money(&alert.reference)),
            ],
        ),
    }
}

/// Which price rule the form has chosen.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleChoice {
    Any,
    Target,
    Percent,
}

/// "Notify me when the price drops" (any drop, below a target, or by at least N percent) and, for a product out
/// of stock, "Notify me when back in stock". Shows the shopper's current alert with a way to change or cancel it.
/// Guests subscribe with an email address when the store sends email, and are asked to sign in otherwise. Sends
/// `rapport:alert-subscribed` with `{sku, kind}` to the host page.
///
/// ```
/// use app::alerts::PriceAlert;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <PriceAlert sku="KIT-00001".to_owned() /> }.to_html();
/// assert!(html.contains("rapport-price-alert"));
/// ```
#[component]
pub fn PriceAlert(
    /// The product's SKU.
    sku: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let embedded = use_context::<EmbeddedQuery>().is_some();
    let changed = RwSignal::new(0u32);
    let load_sku = sku.clone();
    let state = LocalResource::new(move || {
        changed.track();
        let (sku, locale) = (load_sku.clone(), i18n.locale().to_owned());
        async move {
            ensure_viewer().await?;
            alerts_on_product(sku, locale).await
        }
    });
    let problem = RwSignal::new(None::<AppError>);
    // Kept across reloads of the choices: a guest who signed up for one alert need not type it again for the other.
    let email = RwSignal::new(String::new());
    let subscribe_sku = sku.clone();
    let subscribe = Action::new(
        move |(kind, rule, email): &(AlertKind, PriceRule, Option<String>)| {
            let (sku, kind, rule, email) = (subscribe_sku.clone(), *kind, *rule, email.clone());
            let locale = i18n.locale().to_owned();
            async move { subscribe_alert(sku, kind, rule, email, locale).await }
        },
    );
    let cancel = Action::new(move |alert_id: &i64| {
        let alert_id = *alert_id;
        async move { cancel_alert(alert_id).await }
    });
    let root = NodeRef::<leptos::html::Section>::new();
    let event_sku = sku.clone();
    Effect::new(move |_| match subscribe.value().get() {
        Some(Ok(alert)) => {
            problem.set(None);
            changed.update(|n| *n += 1);
            if let Some(root) = root.get_untracked() {
                emit_event(
                    &root,
                    ALERT_SUBSCRIBED_EVENT,
                    &[
                        ("sku", event_sku.as_str().into()),
                        ("kind", alert.kind.name().into()),
                    ],
                );
            }
        }
        Some(Err(error)) => problem.set(Some(error)),
        None => {}
    });
    Effect::new(move |_| match cancel.value().get() {
        Some(Ok(())) => {
            problem.set(None);
            changed.update(|n| *n += 1);
        }
        Some(Err(error)) => problem.set(Some(error)),
        None => {}
    });
    view! {
        <section class="rapport-price-alert" part="price-alert" id=PRICE_ALERT_ANCHOR node_ref=root aria-labelledby="rapport-price-alert-title">
            <h2 id="rapport-price-alert-title" class="rapport-price-alert__title">{move || i18n.t("alerts.title")}</h2>
            // In the storefront nothing while loading: the server renders this fallback (the data is the browser's),
            // and anything else would not hydrate. Embedded, the mark keeps the widget's room until the data is in.
            <Suspense fallback=move || embedded.then(Pending)>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(state) => view! { <AlertChoices state email subscribe cancel /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
            {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
        </section>
    }
    .into_any()
}

type SubscribeAction = Action<(AlertKind, PriceRule, Option<String>), Result<Alert, AppError>>;

/// The restock form's id, which a guest's shared email field names as its form. One price alert per page (its
/// anchor is an id too), and a store page's widget has its own shadow root.
const RESTOCK_FORM: &str = "rapport-restock-form";

/// The body of [`PriceAlert`] once the product's state is known.
#[component]
fn AlertChoices(
    state: ProductAlerts,
    /// A guest's email address, as typed.
    email: RwSignal<String>,
    subscribe: SubscribeAction,
    cancel: Action<i64, Result<(), AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let shopper = signed_in();
    if !shopper && !state.guest_email {
        return view! {
            <p class="rapport-price-alert__sign-in">
                <a href=use_shop_links().sign_in>{move || i18n.t("alerts.sign_in")}</a>
            </p>
        }
        .into_any();
    }
    let email_input = NodeRef::<leptos::html::Input>::new();
    // A guest offered both forms (out of stock, no restock alert yet) types the address once, above them; it
    // belongs to the first, so that Enter in it asks for the restock alert.
    let shared_email = !shopper && state.stock == 0 && state.back_in_stock.is_none();
    let email_field = move || {
        view! {
            <label class="rapport-price-alert__email">
                {move || i18n.t("alerts.email")}
                <input type="email" name="email" autocomplete="email" required node_ref=email_input
                    form=shared_email.then_some(RESTOCK_FORM)
                    prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
            </label>
        }
    };
    let email_in_form = move || (!shopper && !shared_email).then(email_field);
    // The guest's address as the browser holds it, once it finds it valid (it marks the field and says why where
    // it is not, even for the form the field is not in); a shopper needs none.
    let guest_email = move || {
        if shopper {
            return Some(None);
        }
        email_input
            .get_untracked()
            .filter(|input| input.report_validity())
            .map(|input| {
                let address = input.value();
                email.set(address.clone());
                Some(address)
            })
    };
    let current = |alert: &Alert| {
        let unconfirmed = alert.status == AlertStatus::Unconfirmed;
        let text = rule_text(i18n, alert);
        let id = alert.id;
        view! {
            <p class="rapport-price-alert__current" data-testid="current-alert">
                {move || if unconfirmed { i18n.t("alerts.unconfirmed") } else { i18n.t_with("alerts.current", &[("rule", text.clone())]) }}
                " "
                <button type="button" class="rapport-link-button" on:click=move |_| { cancel.dispatch(id); }>
                    {move || i18n.t("alerts.cancel")}
                </button>
            </p>
        }
    };
    let stock_part = (state.stock == 0).then(|| match &state.back_in_stock {
        Some(alert) => current(alert).into_any(),
        None => view! {
            <form class="rapport-price-alert__form" id=RESTOCK_FORM on:submit=move |ev| {
                ev.prevent_default();
                if let Some(email) = guest_email() {
                    subscribe.dispatch((AlertKind::BackInStock, PriceRule::AnyDrop, email));
                }
            }>
                {email_in_form()}
                <button type="submit" class="rapport-button rapport-button--primary" disabled=move || subscribe.pending().get()>
                    {move || i18n.t("alerts.notify_back_in_stock")}
                </button>
            </form>
        }
        .into_any(),
    });
    let existing = state.price_drop.clone();
    let choice = RwSignal::new(match existing.as_ref().map(|a| a.rule) {
        Some(PriceRule::Below { .. }) => RuleChoice::Target,
        Some(PriceRule::ByPercent { .. }) => RuleChoice::Percent,
        _ => RuleChoice::Any,
    });
    let target = RwSignal::new(match existing.as_ref().map(|a| a.rule) {
        Some(PriceRule::Below { target_minor }) => {
            let currency = state.price.currency.clone();
            Money::new(target_minor, currency).plain()
        }
        _ => String::new(),
    });
    let percent = RwSignal::new(match existing.as_ref().map(|a| a.rule) {
        Some(PriceRule::ByPercent { percent }) => percent.to_string(),
        _ => "10".to_owned(),
    });
    let form_problem = RwSignal::new(None::<String>);
    let currency = state.price.currency.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rule = match choice.get_untracked() {
            RuleChoice::Any => Ok(PriceRule::AnyDrop),
            RuleChoice::Target => {
                Money::parse_in(&target.get_untracked(), &currency, i18n.locale())
                    .map(|money| PriceRule::Below {
                        target_minor: money.amount_minor,
                    })
                    .map_err(|_| i18n.t("alerts.target_invalid"))
            }
            RuleChoice::Percent => percent
                .get_untracked()
                .trim()
                .parse::<i64>()
                .map(|percent| PriceRule::ByPercent { percent })
                .map_err(|_| i18n.t("alerts.percent_invalid")),
        };
        match rule {
            Ok(rule) => {
                form_problem.set(None);
                if let Some(email) = guest_email() {
                    subscribe.dispatch((AlertKind::PriceDrop, rule, email));
                }
            }
            Err(message) => form_problem.set(Some(message)),
        }
    };
    let radio = move |value: RuleChoice, key: &'static str| {
        view! {
            <label class="rapport-price-alert__choice">
                <input type="radio" name="rule" value=key checked=move || choice.get() == value
                    on:change=move |_| choice.set(value) />
                {move || i18n.t(&format!("alerts.choice.{key}"))}
            </label>
        }
    };
    let price_now = state.price.clone();
    view! {
        {shared_email.then(email_field)}
        {stock_part}
        {existing.as_ref().map(current)}
        <form class="rapport-price-alert__form" on:submit=submit>
            <fieldset class="rapport-price-alert__rules">
                <legend>{move || i18n.t_with("alerts.price_drop", &[("price", i18n.money(&price_now))])}</legend>
                {radio(RuleChoice::Any, "any")}
                {radio(RuleChoice::Target, "target")}
                <Show when=move || choice.get() == RuleChoice::Target>
                    <label class="rapport-price-alert__value">
                        {move || i18n.t("alerts.target")}
                        <input type="text" inputmode="decimal" name="target" required
                            prop:value=move || target.get() on:input=move |ev| target.set(event_target_value(&ev)) />
                    </label>
                </Show>
                {radio(RuleChoice::Percent, "percent")}
                <Show when=move || choice.get() == RuleChoice::Percent>
                    <label class="rapport-price-alert__value">
                        {move || i18n.t("alerts.percent")}
                        <input type="number" min="1" max="99" name="percent" required
                            prop:value=move || percent.get() on:input=move |ev| percent.set(event_target_value(&ev)) />
                    </label>
                </Show>
            </fieldset>
            {email_in_form()}
            <button type="submit" class="rapport-button" disabled=move || subscribe.pending().get()>
                {move || if existing.is_some() { i18n.t("alerts.change") } else { i18n.t("alerts.notify_price_drop") }}
            </button>
            {move || form_problem.get().map(|message| view! { <p class="rapport-error" role="alert">{message}</p> })}
        </form>
    }
    .into_any()
}

/// A notice in words, with the EU Omnibus "lowest price in the previous 30 days" on every price notice.
fn notice_text(i18n: I18n, notice: &Notice) -> String {
    let prices = [
        ("title", notice.title.clone()),
        ("old", i18n.money(&notice.old_price)),
        ("new", i18n.money(&notice.new_price)),
        ("lowest", i18n.money(&notice.lowest_30_days)),
    ];
    match notice.kind {
        NoticeKind::PriceDrop => i18n.t_with("alerts.notice.price_drop", &prices),
        NoticeKind::BackInStock => i18n.t_with("alerts.notice.back_in_stock", &prices),
        NoticeKind::PriceRise => i18n.t_with("alerts.notice.price_rise", &prices),
    }
}

/// A bell with the number of unread notices; opening it lists them and marks them read. Shown to signed-in
/// shoppers; it asks for new notices every half minute while the page is open.
///
/// ```
/// use app::alerts::AlertInbox;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// // Nothing on the server: the bell appears in the browser for a signed-in shopper.
/// assert!(!view! { <AlertInbox /> }.to_html().contains("rapport-alert-inbox"));
/// ```
#[component]
pub fn AlertInbox() -> impl IntoView {
    let i18n = use_i18n();
    let shopper = use_signed_in();
    let refresh = RwSignal::new(0u32);
    let inbox = LocalResource::new(move || {
        refresh.track();
        let (enabled, locale) = (shopper.get(), i18n.locale().to_owned());
        async move {
            if !enabled {
                return Ok(None);
            }
            inbox_notices(locale).await.map(Some)
        }
    });
    #[cfg(feature = "browser")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || refresh.update(|n| *n += 1),
            std::time::Duration::from_millis(INBOX_REFRESH_MS),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "browser"))]
    let _ = INBOX_REFRESH_MS;
    let open = RwSignal::new(false);
    let read = Action::new(|_: &()| async move { mark_inbox_read().await });
    let current = move || inbox.get().and_then(|result| result.ok()).flatten();
    let unread = move || current().map(|inbox| inbox.unread).unwrap_or(0);
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening && unread() > 0 {
            read.dispatch(());
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = read.value().get() {
            // The list stays as it was opened (unread ones highlighted); the count clears.
            refresh.update(|n| *n += 1);
        }
    });
    view! {
        <Show when=move || shopper.get()>
            <div class="rapport-alert-inbox" part="alert-inbox">
                <button type="button" class="rapport-alert-inbox__bell" part="bell" aria-expanded=move || open.get().to_string()
                    aria-label=move || i18n.t_count("alerts.inbox.label", unread(), &[])
                    on:click=toggle>
                    <svg class="rapport-alert-inbox__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" />
                    </svg>
                    <span class="rapport-alert-inbox__count" data-testid="alert-count" hidden=move || unread() == 0>{unread}</span>
                </button>
                <Show when=move || open.get()>
                    <div class="rapport-alert-inbox__panel" role="region" aria-label=move || i18n.t("alerts.inbox.title")>
                        {move || {
                            let notices = current().map(|inbox| inbox.notices).unwrap_or_default();
                            if notices.is_empty() {
                                view! { <p class="rapport-alert-inbox__empty">{move || i18n.t("alerts.inbox.empty")}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="rapport-alert-inbox__list">
                                        {notices.into_iter().map(|notice| {
                                            let text = notice_text(i18n, &notice);
                                            view! {
                                                <li class="rapport-alert-inbox__notice" class:rapport-alert-inbox__notice--unread=!notice.read data-sku=notice.sku.clone()>
                                                    <a href=use_shop_links().product(&notice.sku)>{text}</a>
                                                    <time datetime=iso_date(notice.created_at)>{move || i18n.date(notice.created_at)}</time>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                        }}
                    </div>
                </Show>
            </div>
        </Show>
    }
    .into_any()
}

/// The shopper's live alerts with cancel buttons, and the choice to hear of price rises in their wish lists.
///
/// ```
/// use app::alerts::MyAlerts;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <MyAlerts /> }.to_html();
/// assert!(html.contains("rapport-my-alerts"));
/// ```
#[component]
pub fn MyAlerts() -> impl IntoView {
    let i18n = use_i18n();
    let changed = RwSignal::new(0u32);
    let settings = LocalResource::new(move || {
        changed.track();
        let locale = i18n.locale().to_owned();
        async move {
            ensure_viewer().await?;
            my_alert_settings(locale).await
        }
    });
    let cancel = Action::new(|alert_id: &i64| {
        let alert_id = *alert_id;
        async move { cancel_alert(alert_id).await }
    });
    let rises = Action::new(|enabled: &bool| {
        let enabled = *enabled;
        async move { choose_price_rise_notices(enabled).await }
    });
    let problem = RwSignal::new(None::<AppError>);
    let done = move |result: Result<(), AppError>| match result {
        Ok(()) => {
            problem.set(None);
            changed.update(|n| *n += 1);
        }
        Err(error) => problem.set(Some(error)),
    };
    Effect::new(move |_| cancel.value().get().map(done));
    Effect::new(move |_| rises.value().get().map(done));
    view! {
        <section class="rapport-my-alerts">
            <h2>{move || i18n.t("alerts.mine")}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! {
                            {settings.alerts.is_empty().then(|| view! { <p>{move || i18n.t("alerts.none")}</p> })}
                            <ul class="rapport-my-alerts__list">
                                {settings.alerts.into_iter().map(|alert| {
                                    let text = rule_text(i18n, &alert);
                                    let since = alert.created_at;
                                    let id = alert.id;
                                    view! {
                                        <li data-sku=alert.sku.clone()>
                                            <a href=use_shop_links().product(&alert.sku)>{alert.title.clone()}</a>
                                            <span>{text}</span>
                                            <span class="rapport-my-alerts__since">{move || i18n.t_with("alerts.since", &[("date", i18n.date(since))])}</span>
                                            <button type="button" class="rapport-link-button" on:click=move |_| { cancel.dispatch(id); }>
                                                {move || i18n.t("alerts.cancel")}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <label class="rapport-my-alerts__rises">
                                <input type="checkbox" checked=settings.price_rise_notices
                                    on:change=move |ev| { rises.dispatch(event_target_checked(&ev)); } />
                                {move || i18n.t("alerts.price_rise_choice")}
                            </label>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
            {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
        </section>
    }
    .into_any()
}
