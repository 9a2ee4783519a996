use super::layout::switch_language;
use crate::flows::demo_sign_in;
use crate::i18n::{self, use_i18n};
use crate::identity::client::store_token;
use crate::kernel::error::{AppError, ErrorCode};
use crate::orders::demo_shoppers;
use crate::ui::{ErrorNotice, Loading};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// Demo mode's sign-in: pick a demo shopper. A real store signs its shoppers in itself and hands Rapport a token.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let shoppers = Resource::new(|| (), |_| demo_shoppers());
    let navigate = use_navigate();
    let sign_in = Action::new(move |shopper_id: &String| {
        let shopper_id = shopper_id.clone();
        async move {
            let issued = demo_sign_in(shopper_id).await?;
            store_token(Some(&issued.token));
            // The shop follows the signed-in shopper's language.
            if let Some(locale) = issued.locale.as_deref().and_then(i18n::negotiate) {
                switch_language(i18n, locale);
            }
            Ok::<_, AppError>(())
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_in.value().get() {
            navigate("/account", Default::default());
        }
    });
    view! {
        <Title text=move || i18n.t("sign_in.title") />
        <section class="shop-section shop-sign-in">
            <h1>{move || i18n.t("sign_in.title")}</h1>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match shoppers.await {
                        Ok(shoppers) => view! {
                            <p class="shop-sign-in__note">{move || i18n.t("sign_in.demo_note")}</p>
                            <ul class="shop-sign-in__list">
                                {shoppers.into_iter().map(|shopper| {
                                    let id = shopper.shopper_id.clone();
                                    let name = shopper.display_name.clone();
                                    view! {
                                        <li class="shop-sign-in__shopper">
                                            <button
                                                class="rapport-button"
                                                data-shopper=shopper.shopper_id.clone()
                                                on:click=move |_| { sign_in.dispatch(id.clone()); }
                                            >
                                                {move || i18n.t_with("sign_in.as", &[("name", name.clone())])}
                                            </button>
                                            <span>{move || i18n.t_count("sign_in.orders", shopper.orders, &[])}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {move || sign_in.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                        }.into_any(),
                        Err(error) if error.code == ErrorCode::Disabled => view! { <p>{move || i18n.t("sign_in.disabled")}</p> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
