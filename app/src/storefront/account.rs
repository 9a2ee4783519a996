use crate::i18n::use_i18n;
use crate::identity::client::store_token;
use crate::identity::my_account;
use crate::kernel::time::iso_date;
use crate::orders::my_orders;
use crate::ui::{ErrorNotice, PriceTag};
use leptos::prelude::*;
use leptos_meta::Title;

/// The shopper's account. The token lives in the browser, so this page loads after hydration.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = LocalResource::new(my_account);
    let orders = LocalResource::new(my_orders);
    let sign_out = move |_| {
        store_token(None);
        account.refetch();
        orders.refetch();
    };
    view! {
        <Title text=move || i18n.t("account.title") />
        <section class="shop-section shop-account">
            <h1>{move || i18n.t("account.title")}</h1>
            <Suspense fallback=move || view! { <p class="rapport-loading">{move || i18n.t("account.loading")}</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(account) => {
                            let orders = match orders.await {
                                Ok(orders) => orders,
                                Err(error) => return view! { <ErrorNotice error /> }.into_any(),
                            };
                            let no_orders = orders.is_empty();
                            view! {
                                <dl class="shop-account__profile">
                                    <dt>{move || i18n.t("account.name")}</dt>
                                    <dd data-testid="account-name">{account.display_name.clone()}</dd>
                                    <dt>{move || i18n.t("account.email")}</dt>
                                    <dd>{account.email.clone().unwrap_or_default()}</dd>
                                    <dt>{move || i18n.t("account.language")}</dt>
                                    <dd data-locale=account.locale.clone()>
                                        {crate::i18n::languages()
                                            .find(|(tag, _)| *tag == account.locale)
                                            .map_or_else(|| account.locale.clone(), |(_, name)| name.to_owned())}
                                    </dd>
                                </dl>
                                <h2>{move || i18n.t("account.orders")}</h2>
                                <Show when=move || no_orders>
                                    <p>{move || i18n.t("account.no_orders")}</p>
                                </Show>
                                <table class="shop-orders">
                                    <thead>
                                        <tr>
                                            <th scope="col">{move || i18n.t("account.order")}</th>
                                            <th scope="col">{move || i18n.t("account.date")}</th>
                                            <th scope="col">{move || i18n.t("account.status")}</th>
                                            <th scope="col">{move || i18n.t("account.items")}</th>
                                            <th scope="col">{move || i18n.t("account.total")}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {orders.into_iter().map(|order| {
                                            let status_key = format!("order.status.{}", order.status);
                                            view! {
                                                <tr>
                                                    <td>{order.order_id}</td>
                                                    <td><time datetime=iso_date(order.placed_at)>{move || i18n.date(order.placed_at)}</time></td>
                                                    <td>{move || i18n.t(&status_key)}</td>
                                                    <td>{order.items}</td>
                                                    <td><PriceTag price=order.total /></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <crate::tiers::TierProgress />
                                <crate::reviews::MyReviews />
                                <crate::reviews::MyReviewPoints />
                                <crate::alerts::MyAlerts />
                                <crate::messages::MyEmailPreferences />
                                <button class="rapport-button" on:click=sign_out>{move || i18n.t("account.sign_out")}</button>
                            }.into_any()
                        }
                        Err(error) if error.needs_sign_in() => view! {
                            <p>{move || i18n.t("account.signed_out")}</p>
                            <p><a class="rapport-button rapport-button--primary" href="/sign-in">{move || i18n.t("account.sign_in_prompt")}</a></p>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
