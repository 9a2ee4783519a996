//! The pages an alert email links to: confirming a guest's alert, and stopping an alert. Both render on the
//! server and work without JavaScript.

use super::widget::rule_text;
use super::{AlertStatus, alert_of_unsubscribe_link, confirm_alert};
use crate::i18n::use_i18n;
use crate::ui::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn token() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("token").unwrap_or_default()
}

/// `/alerts/confirm/:token`: turns a guest's alert on (double opt-in).
#[component]
pub fn AlertConfirmPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = token();
    let confirmed = Resource::new(
        move || (token(), i18n.locale()),
        |(token, locale)| confirm_alert(token, locale.to_owned()),
    );
    view! {
        <Title text=move || i18n.t("alerts.confirm.title") />
        <section class="shop-section shop-notice rapport-alert-page">
            <h1>{move || i18n.t("alerts.confirm.title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match confirmed.await {
                        Ok(alert) => {
                            let rule = rule_text(i18n, &alert);
                            view! {
                                <p data-testid="alert-page-result">{move || i18n.t_with("alerts.confirm.done", &[("title", alert.title.clone()), ("rule", rule.clone())])}</p>
                                <p><a href=format!("/p/{}", alert.sku)>{move || i18n.t("email.view")}</a></p>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/alerts/unsubscribe/:token`: the address in an email's `List-Unsubscribe` header, opened in a browser. It
/// asks before stopping (link checkers open addresses too); its button posts to the same address, which stops
/// the alert and comes back here.
#[component]
pub fn AlertUnsubscribePage() -> impl IntoView {
    let i18n = use_i18n();
    let token = token();
    let alert = Resource::new(
        move || (token(), i18n.locale()),
        |(token, locale)| alert_of_unsubscribe_link(token, locale.to_owned()),
    );
    view! {
        <Title text=move || i18n.t("alerts.unsubscribe.title") />
        <section class="shop-section shop-notice rapport-alert-page">
            <h1>{move || i18n.t("alerts.unsubscribe.title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match alert.await {
                        Ok(alert) if alert.status == AlertStatus::Cancelled => view! {
                            <p data-testid="alert-page-result">{move || i18n.t_with("alerts.unsubscribe.done", &[("title", alert.title.clone())])}</p>
                        }.into_any(),
                        Ok(alert) => {
                            let rule = rule_text(i18n, &alert);
                            view! {
                                <p>{move || i18n.t_with("alerts.unsubscribe.ask", &[("title", alert.title.clone()), ("rule", rule.clone())])}</p>
                                <form method="post" action=format!("/alerts/unsubscribe/{}", token())>
                                    <button type="submit" class="rapport-button rapport-button--primary">{move || i18n.t("alerts.unsubscribe.button")}</button>
                                </form>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
