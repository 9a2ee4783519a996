//! A shopper's email preferences, each kind of message on or off: the page every message's preferences link opens
//! (`/email-preferences/:token`, no sign-in: the link names the shopper), and `<rapport-email-preferences>`, the
//! signed-in shopper's own list in a store's account page. The page renders on the server and its form works
//! without JavaScript; it posts to the same address, whose handler (in the server) saves and comes back here.

use super::{EmailPreference, EmailPreferences, MessageKind, Purpose};
use crate::i18n::{I18n, use_i18n};
use crate::identity::client::{RapportClient, signed_in_list, use_signed_in};
use crate::kernel::error::AppError;
use crate::ui::{ErrorNotice, use_shop_links};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
#[cfg(feature = "ssr")]
use {
    super::MarketingConsent, super::ssr::MarketingRules, crate::identity::ssr::request_shopper,
    crate::kernel::error::respond_with, crate::store::store_error,
};

/// The preferences of the shopper a preferences link names, with the kind of the email it came in. A link that is
/// not the store's is a 404 that says so.
#[server]
pub async fn email_preferences_of_link(token: String) -> Result<EmailPreferences, AppError> {
    let db = crate::store::db()?;
    let secret = crate::identity::ssr::identity()?.secret;
    let (shopper, kind) =
        crate::identity::token::verify_preferences(&secret, &token).map_err(respond_with)?;
    let marketing: MarketingRules = crate::kernel::context::server_context()?;
    super::ssr::preferences(
        &db,
        shopper,
        marketing.consent,
        MessageKind::from_key(&kind),
    )
    .await
    .map_err(store_error)
}

/// The signed-in shopper's preferences.
#[server(client = RapportClient)]
pub async fn my_email_preferences() -> Result<Vec<EmailPreference>, AppError> {
    let (db, shopper, consent) = signed_in_shopper().await?;
    Ok(super::ssr::preferences(&db, shopper, consent, None)
        .await
        .map_err(store_error)?
        .preferences)
}

/// Turns one kind of message on or off for the signed-in shopper; answers with their preferences as they now stand.
#[server(client = RapportClient)]
pub async fn choose_email_preference(
    kind: MessageKind,
    allowed: bool,
) -> Result<Vec<EmailPreference>, AppError> {
    let (db, shopper, consent) = signed_in_shopper().await?;
    super::ssr::choose(&db, shopper, &[(kind, allowed)], crate::kernel::time::now())
        .await
        .map_err(store_error)?;
    Ok(super::ssr::preferences(&db, shopper, consent, None)
        .await
        .map_err(store_error)?
        .preferences)
}

#[cfg(feature = "ssr")]
async fn signed_in_shopper() -> Result<
    (
        crate::store::Db,
        crate::kernel::ids::ShopperKey,
        MarketingConsent,
    ),
    AppError,
> {
    let db = crate::store::db()?;
    let shopper_id = request_shopper().await?;
    let mut tx = db.write().await.map_err(store_error)?;
    let shopper = crate::identity::ssr::known_shopper(&mut tx, &shopper_id)
        .await
        .map_err(store_error)?;
    tx.commit()
        .await
        .map_err(|error| store_error(error.into()))?;
    let marketing: MarketingRules = crate::kernel::context::server_context()?;
    Ok((db, shopper, marketing.consent))
}

/// What a kind of message is, in the shopper's words.
fn kind_name(i18n: I18n, kind: MessageKind) -> String {
    i18n.t(&format!("email_preferences.kind.{}", kind.key()))
}

fn purpose_name(i18n: I18n, purpose: Purpose) -> String {
    i18n.t(match purpose {
        Purpose::Transactional => "email_preferences.purpose.transactional",
        Purpose::Marketing => "email_preferences.purpose.marketing",
    })
}

/// `/email-preferences/:token`: every kind of message with a box ticked when it goes, and a button that saves them.
/// `?saved` says the last save worked.
#[component]
pub fn EmailPreferencesPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let saved = move || query.read().get("saved").is_some();
    let preferences = Resource::new(token, email_preferences_of_link);
    view! {
        <Title text=move || i18n.t("email_preferences.title") />
        <section class="shop-section shop-notice rapport-email-preferences">
            <h1>{move || i18n.t("email_preferences.title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match preferences.await {
                        Ok(preferences) => {
                            let about = preferences.about.map(|kind| view! {
                                <p class="rapport-email-preferences__about">
                                    {move || i18n.t_with("email_preferences.about", &[("kind", kind_name(i18n, kind))])}
                                </p>
                            });
                            view! {
                                {move || saved().then(|| view! {
                                    <p class="rapport-email-preferences__saved" role="status" data-testid="email-preferences-saved">
                                        {move || i18n.t("email_preferences.saved")}
                                    </p>
                                })}
                                {about}
                                <form method="post" action=format!("/email-preferences/{}", token())>
                                    <input type="hidden" name="form" value="preferences" />
                                    <fieldset class="rapport-email-preferences__list">
                                        <legend>{move || i18n.t("email_preferences.intro")}</legend>
                                        {preferences.preferences.into_iter().map(|preference| view! {
                                            <label class="rapport-email-preferences__kind">
                                                <input type="checkbox" name=preference.kind.key() value="on" checked=preference.allowed />
                                                <span>{kind_name(i18n, preference.kind)}</span>
                                                <small>{purpose_name(i18n, preference.purpose)}</small>
                                            </label>
                                        }).collect_view()}
                                    </fieldset>
                                    <button type="submit" class="rapport-button rapport-button--primary">{move || i18n.t("email_preferences.save")}</button>
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

/// The signed-in shopper's email preferences, each kind a switch that saves at once; a guest is asked to sign in.
/// Loads in the browser, where the shopper's token is.
///
/// ```
/// use app::messages::MyEmailPreferences;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <MyEmailPreferences /> }.to_html();
/// assert!(html.contains("rapport-email-preferences"));
/// ```
#[component]
pub fn MyEmailPreferences() -> impl IntoView {
    let i18n = use_i18n();
    let shopper = use_signed_in();
    let loaded = signed_in_list(my_email_preferences);
    let shown = RwSignal::new(None::<Vec<EmailPreference>>);
    let problem = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match loaded.get() {
        Some(Ok(preferences)) => shown.set(Some(preferences)),
        Some(Err(error)) => problem.set(Some(error)),
        None => {}
    });
    let choose = Action::new(move |(kind, allowed): &(MessageKind, bool)| {
        choose_email_preference(*kind, *allowed)
    });
    Effect::new(move |_| match choose.value().get() {
        Some(Ok(preferences)) => {
            shown.set(Some(preferences));
            problem.set(None);
        }
        Some(Err(error)) => problem.set(Some(error)),
        None => {}
    });
    let sign_in = use_shop_links().sign_in;
    view! {
        <section class="rapport-email-preferences">
            <h2>{move || i18n.t("email_preferences.title")}</h2>
            <Show when=move || shopper.get() fallback=move || view! {
                <p><a href=sign_in.clone()>{move || i18n.t("email_preferences.sign_in")}</a></p>
            }>
                <p>{move || i18n.t("email_preferences.intro")}</p>
                <ul class="rapport-email-preferences__list">
                    <For each=move || shown.get().unwrap_or_default() key=|preference| (preference.kind, preference.allowed) let:preference>
                        <li>
                            <label class="rapport-email-preferences__kind">
                                <input
                                    type="checkbox"
                                    role="switch"
                                    checked=preference.allowed
                                    disabled=move || choose.pending().get()
                                    data-kind=preference.kind.key()
                                    on:change=move |event| {
                                        choose.dispatch((preference.kind, event_target_checked(&event)));
                                    }
                                />
                                <span>{kind_name(i18n, preference.kind)}</span>
                                <small>{purpose_name(i18n, preference.purpose)}</small>
                            </label>
                        </li>
                    </For>
                </ul>
                {move || problem.get().map(|error| view! { <ErrorNotice error /> })}
            </Show>
        </section>
    }
}
