//! The merchant's tiers page: members per tier, members close to the next tier, and the rules with a preview
//! of what an edit would do before it is saved.

use super::{MerchantTiers, SaveTierRules, TierCount, TierPreview, TierRules, load_tiers_desk};
use crate::i18n::{I18n, use_i18n};
use crate::identity::merchant::MerchantSignInForm;
use crate::ui::{ErrorNotice, raw_text};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

fn tier_name(rules: &TierRules, code: &str, i18n: I18n) -> String {
    rules
        .rank_of(code)
        .and_then(|rank| {
            let names = &rules.tiers[rank].names;
            names
                .get(i18n.locale())
                .or_else(|| names.get("en"))
                .cloned()
        })
        .unwrap_or_else(|| code.to_owned())
}

/// The tiers page, for merchants signed in with the store's credentials; others see the sign-in form.
/// Previewing is an ordinary GET form (`?proposed=<rules as JSON>`) and saving an ordinary POST, so the page
/// works without JavaScript.
///
/// ```
/// use app::tiers::MerchantTiersPage;
/// use leptos::prelude::*;
/// use leptos_router::components::{Route, Router, Routes};
/// use leptos_router::location::RequestUrl;
/// use leptos_router::path;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// # provide_context(RequestUrl::new("/merchant/tiers"));
/// let html = view! {
///     <Router>
///         <Routes fallback=|| "not found">
///             <Route path=path!("/merchant/tiers") view=MerchantTiersPage />
///         </Routes>
///     </Router>
/// }
/// .to_html();
/// assert!(html.contains("rapport-tiers-admin"));
/// ```
#[component]
pub fn MerchantTiersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let proposed = move || query.read().get("proposed");
    let saved = move || query.read().get("saved");
    let save = ServerAction::<SaveTierRules>::new();
    let page = Resource::new(
        move || (proposed(), save.version().get()),
        |(proposed, _)| load_tiers_desk(proposed),
    );
    view! {
        <section class="shop-section rapport-tiers-admin">
            <h1>{move || i18n.t("tiers.admin.title")}</h1>
            {move || saved().map(|version| view! {
                <p class="rapport-notice" role="status" data-testid="tiers-saved">
                    {move || i18n.t_with("tiers.admin.saved", &[("version", version.clone())])}
                </p>
            })}
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <TiersDesk page save /> }.into_any(),
                        Err(error) if error.needs_sign_in() => view! {
                            <MerchantSignInForm next="/merchant/tiers" />
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
fn TiersDesk(page: MerchantTiers, save: ServerAction<SaveTierRules>) -> impl IntoView {
    let i18n = use_i18n();
    let rules = page.overview.rules.clone();
    let members: i64 = page
        .overview
        .distribution
        .iter()
        .map(|count| count.members)
        .sum();
    let next_version = (page.overview.rules_version + 1).to_string();
    let version = page.overview.rules_version.to_string();
    let editor = page.editor.clone();
    let preview = page.preview.clone().map(|preview| match preview {
        Ok(preview) => {
            let editor = editor.clone();
            let next_version = next_version.clone();
            view! {
                <PreviewTable preview proposed=super::parse_rules(&editor).ok() />
                <ActionForm action=save attr:class="rapport-tiers-admin__save">
                    <input type="hidden" name="rules_json" value=editor />
                    <button type="submit" class="rapport-button rapport-button--primary" data-testid="tiers-save">
                        {move || i18n.t_with("tiers.admin.save", &[("version", next_version.clone())])}
                    </button>
                </ActionForm>
            }
            .into_any()
        }
        Err(error) => view! { <ErrorNotice error /> }.into_any(),
    });
    let distribution_rules = rules.clone();
    view! {
        <p data-testid="merchant-name">{move || i18n.t_with("moderation.signed_in_as", &[("name", page.merchant.clone())])}</p>
        <h2>{move || i18n.t("tiers.admin.distribution")}</h2>
        <table class="rapport-tiers-admin__table" data-testid="tiers-distribution">
            <thead><tr>
                <th scope="col">{move || i18n.t("tiers.tier")}</th>
                <th scope="col">{move || i18n.t("tiers.admin.members")}</th>
                <th scope="col">{move || i18n.t("tiers.admin.share")}</th>
            </tr></thead>
            <tbody>
                {page.overview.distribution.into_iter().map(|TierCount { code, members: count }| {
                    // Names and amounts follow a language switch in place, as the rest of the page does.
                    let (rules, tier) = (distribution_rules.clone(), code.clone());
                    let share = if members > 0 { format!("{:.1}%", count as f64 * 100.0 / members as f64) } else { "–".to_owned() };
                    view! { <tr data-tier=code><td>{move || tier_name(&rules, &tier, i18n)}</td><td>{count}</td><td>{share}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{move || i18n.t("tiers.admin.close")}</h2>
        {page.overview.close.is_empty().then(|| view! { <p>{move || i18n.t("tiers.admin.none_close")}</p> })}
        <table class="rapport-tiers-admin__table" data-testid="tiers-close">
            <thead><tr>
                <th scope="col">{move || i18n.t("tiers.admin.member")}</th>
                <th scope="col">{move || i18n.t("tiers.tier")}</th>
                <th scope="col">{move || i18n.t("tiers.admin.growth")}</th>
                <th scope="col">{move || i18n.t("tiers.admin.to_next")}</th>
            </tr></thead>
            <tbody>
                {page.overview.close.into_iter().map(|member| {
                    let (tier_rules, next_rules) = (rules.clone(), rules.clone());
                    let (tier, next, growth, to_next) = (member.tier, member.next, member.growth, member.to_next);
                    view! {
                        <tr>
                            <td>{member.display_name} " (" {member.shopper_id} ")"</td>
                            <td>{move || tier_name(&tier_rules, &tier, i18n)}</td>
                            <td>{move || i18n.money(&growth)}</td>
                            <td>{move || i18n.money(&to_next)} " → " {move || tier_name(&next_rules, &next, i18n)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{move || i18n.t_with("tiers.admin.rules", &[("version", version.clone())])}</h2>
        <p>{move || i18n.t("tiers.admin.rules_help")}</p>
        <Form method="GET" action="/merchant/tiers" attr:class="rapport-tiers-admin__editor">
            <label>
                {move || i18n.t("tiers.admin.rules_json")}
                <textarea name="proposed" rows="24" spellcheck="false" data-testid="tiers-rules">{raw_text(editor)}</textarea>
            </label>
            <button type="submit" class="rapport-button" data-testid="tiers-preview">{move || i18n.t("tiers.admin.preview")}</button>
        </Form>
        {preview}
    }
    .into_any()
}

#[component]
fn PreviewTable(preview: TierPreview, proposed: Option<TierRules>) -> impl IntoView {
    let i18n = use_i18n();
    let name = move |code: &str| {
        proposed
            .as_ref()
            .map_or_else(|| code.to_owned(), |rules| tier_name(rules, code, i18n))
    };
    let up = preview.moving_up.to_string();
    let down = preview.moving_down.to_string();
    view! {
        <h3>{move || i18n.t("tiers.admin.preview_title")}</h3>
        <p data-testid="tiers-moves">{move || i18n.t_with("tiers.admin.moves", &[("up", up.clone()), ("down", down.clone())])}</p>
        <table class="rapport-tiers-admin__table" data-testid="tiers-preview-table">
            <thead><tr>
                <th scope="col">{move || i18n.t("tiers.tier")}</th>
                <th scope="col">{move || i18n.t("tiers.admin.now")}</th>
                <th scope="col">{move || i18n.t("tiers.admin.after")}</th>
            </tr></thead>
            <tbody>
                {preview.before.into_iter().zip(preview.after).map(|(before, after)| {
                    let tier = name(&before.code);
                    view! { <tr data-tier=before.code><td>{tier}</td><td>{before.members}</td><td>{after.members}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
}
