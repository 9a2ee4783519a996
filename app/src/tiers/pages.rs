//! The merchant's tiers page: members per tier, members close to the next tier, and the rules as a form of
//! fields with a preview of what an edit would do before it is saved.

use super::draft::{BenefitDraft, DraftEdit, RulesDraft, TierDraft, input_name};
use super::rules::ICONS;
use super::{
    EditTierRules, MerchantTiers, SaveTierRules, TierCount, TierPreview, TierRules, load_tiers_desk,
};
use crate::i18n::{I18n, languages, use_i18n};
use crate::identity::merchant::MerchantSignInForm;
use crate::kernel::error::AppError;
use crate::ui::ErrorNotice;
use leptos::prelude::*;
use leptos_meta::Title;
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
/// Every button of the rules' form is an ordinary POST that keeps a draft and comes back to `?draft=<id>`, and
/// saving is another, so the page works without JavaScript.
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
    let draft = move || query.read().get("draft");
    let saved = move || query.read().get("saved");
    let edit = ServerAction::<EditTierRules>::new();
    let save = ServerAction::<SaveTierRules>::new();
    let page = Resource::new(
        move || (draft(), save.version().get()),
        |(draft, _)| load_tiers_desk(draft),
    );
    view! {
        <Title text=move || i18n.t("tiers.admin.title") />
        <section class="shop-section rapport-tiers-admin">
            <crate::identity::merchant::MerchantHomeLink />
            <h1>{move || i18n.t("tiers.admin.title")}</h1>
            {move || saved().map(|version| view! {
                <p class="rapport-notice" role="status" data-testid="tiers-saved">
                    {move || i18n.t_with("tiers.admin.saved", &[("version", version.clone())])}
                </p>
            })}
            {move || edit.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <TiersDesk page edit save /> }.into_any(),
                        Err(error) if error.needs_sign_in() => view! {
                            <MerchantSignInForm next="/merchant/tiers" />
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn TiersDesk(
    page: MerchantTiers,
    edit: ServerAction<EditTierRules>,
    save: ServerAction<SaveTierRules>,
) -> impl IntoView {
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
    let mistake = match &page.preview {
        Some(Err(error)) => error.field.as_deref().map(|field| Mistake {
            input: input_name(field),
            error: error.clone(),
        }),
        _ => None,
    };
    let outcome = page.preview.clone().map(|preview| match preview {
        Ok(preview) => {
            let proposed = page.editor.to_rules().ok();
            let next_version = next_version.clone();
            let draft = page.draft.clone().unwrap_or_default();
            view! {
                <PreviewTable preview proposed />
                <ActionForm action=save attr:class="rapport-tiers-admin__save">
                    <input type="hidden" name="draft" value=draft />
                    <button type="submit" class="rapport-button rapport-button--primary" data-testid="tiers-save">
                        {move || i18n.t_with("tiers.admin.save", &[("version", next_version.clone())])}
                    </button>
                </ActionForm>
            }
            .into_any()
        }
        Err(error) => {
            let field = mistake.as_ref().map(|mistake| format!("#{}", input_id(&mistake.input)));
            view! {
                <ErrorNotice error />
                {field.map(|href| view! {
                    <p><a href=href data-testid="tiers-mistake">{move || i18n.t("tiers.admin.fix")}</a></p>
                })}
            }
            .into_any()
        }
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
        // A page load (rel="external"): the fields start again from the rules in force, where a navigation in place
        // would keep what was typed in them.
        {page.draft.is_some().then(|| view! {
            <p><a href="/merchant/tiers" rel="external" data-testid="tiers-discard">{move || i18n.t("tiers.admin.discard")}</a></p>
        })}
        <RulesForm draft=page.editor edit mistake />
        <div id="tiers-outcome" class="rapport-tiers-admin__outcome">{outcome}</div>
    }
    .into_any()
}

/// The field a preview found wrong, by its input's name, and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
struct Mistake {
    input: String,
    error: AppError,
}

impl Mistake {
    /// What is wrong, in the page's language as it is now: a switch of language rewrites it.
    fn said(&self) -> impl Fn() -> String + Send + Sync + 'static {
        let (i18n, error) = (use_i18n(), self.error.clone());
        move || error.message_in(i18n.locale())
    }
}

/// A label that follows a change of language.
fn label(i18n: I18n, key: &'static str) -> impl Fn() -> String + Send + Sync + Copy + 'static {
    move || i18n.t(key)
}

/// A label with `{name}` placeholders that follows a change of language.
fn label_with(
    i18n: I18n,
    key: &'static str,
    values: Vec<(&'static str, String)>,
) -> impl Fn() -> String + Send + Sync + 'static {
    move || i18n.t_with(key, &values)
}

/// An input's id from its name: `tiers[1][names][en]` is `tiers-1-names-en`.
fn input_id(name: &str) -> String {
    name.replace("][", "-").replace('[', "-").replace(']', "")
}

/// An input's id, and what is wrong with it when the mistake shown is about it.
struct Marks {
    id: String,
    error_id: String,
    wrong: Option<Mistake>,
}

impl Marks {
    fn of(name: &str, mistake: &Option<Mistake>) -> Self {
        let id = input_id(name);
        Self {
            error_id: format!("{id}-error"),
            id,
            wrong: mistake
                .as_ref()
                .filter(|mistake| mistake.input == name)
                .cloned(),
        }
    }

    fn invalid(&self) -> Option<&'static str> {
        self.wrong.is_some().then_some("true")
    }

    fn described(&self) -> Option<String> {
        self.wrong.is_some().then(|| self.error_id.clone())
    }
}

/// One labelled text input, marked and explained when the mistake shown is about it.
fn field<L: Fn() -> String + Send + Sync + 'static>(
    label: L,
    name: String,
    value: String,
    mode: &'static str,
    mistake: &Option<Mistake>,
) -> impl IntoView + use<L> {
    let marks = Marks::of(&name, mistake);
    let (invalid, described, for_id) = (marks.invalid(), marks.described(), marks.id.clone());
    view! {
        <label class="rapport-tiers-form__field" for=for_id>
            <span>{label}</span>
            <input
                type="text"
                inputmode=mode
                id=marks.id
                name=name
                value=value
                aria-invalid=invalid
                aria-describedby=described
            />
            {marks.wrong.map(|mistake| view! { <span class="rapport-field-error" id=marks.error_id>{mistake.said()}</span> })}
        </label>
    }
}

/// A choice among fixed values; a value outside them (from a hand-made post) stays shown, so that the preview
/// can name it.
fn choice<L: Fn() -> String + Send + Sync + 'static>(
    label: L,
    name: String,
    value: String,
    options: Vec<(String, String)>,
    mistake: &Option<Mistake>,
) -> impl IntoView + use<L> {
    let marks = Marks::of(&name, mistake);
    let (invalid, described, for_id) = (marks.invalid(), marks.described(), marks.id.clone());
    let mut options = options;
    if !options.iter().any(|(option, _)| *option == value) {
        options.push((value.clone(), value.clone()));
    }
    view! {
        <label class="rapport-tiers-form__field" for=for_id>
            <span>{label}</span>
            <select id=marks.id name=name aria-invalid=invalid aria-describedby=described>
                {options.into_iter().map(|(option, text)| {
                    let selected = option == value;
                    view! { <option value=option selected=selected>{text}</option> }
                }).collect_view()}
            </select>
            {marks.wrong.map(|mistake| view! { <span class="rapport-field-error" id=marks.error_id>{mistake.said()}</span> })}
        </label>
    }
}

/// The rules as a form of fields. Its buttons add and remove tiers and benefits or ask for a preview; each
/// posts the whole form, so nothing typed is lost.
#[component]
fn RulesForm(
    draft: RulesDraft,
    edit: ServerAction<EditTierRules>,
    mistake: Option<Mistake>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move |key: &'static str| label(i18n, key);
    let p = draft.programme;
    let currency = p.currency.trim().to_uppercase();
    let shown_currency = currency.clone();
    let in_currency =
        move |key: &'static str| label_with(i18n, key, vec![("currency", shown_currency.clone())]);
    let checkbox = move |label: &'static str, name: &'static str, checked: bool| {
        view! {
            <label class="rapport-tiers-form__check">
                <input type="checkbox" name=name value="true" checked=checked />
                <span>{move || i18n.t(label)}</span>
            </label>
        }
    };
    let months = [1, 2, 3, 4, 6, 12]
        .map(|months| (months.to_string(), months.to_string()))
        .to_vec();
    let tier_count = draft.tiers.len();
    let tiers = draft
        .tiers
        .into_iter()
        .enumerate()
        .map(|(index, tier)| tier_fields(index, tier, tier_count, &currency, &mistake, i18n))
        .collect_view();
    view! {
        <ActionForm action=edit attr:class="rapport-tiers-form" attr:data-testid="tiers-form">
            // Enter in a field previews, as the first submit button of the form decides.
            <button type="submit" class="rapport-visually-hidden" tabindex="-1" aria-hidden="true">
                {t("tiers.admin.preview")}
            </button>
            <fieldset class="rapport-tiers-form__group">
                <legend>{t("tiers.admin.growth_rules")}</legend>
                {field(t("tiers.admin.currency"), "programme[currency]".into(), p.currency, "text", &mistake)}
                {field(t("tiers.admin.window_days"), "programme[window_days]".into(), p.window_days, "numeric", &mistake)}
                {field(t("tiers.admin.return_window_days"), "programme[return_window_days]".into(), p.return_window_days, "numeric", &mistake)}
                {checkbox("tiers.admin.count_shipping", "programme[count_shipping]", p.count_shipping)}
                {checkbox("tiers.admin.count_tax", "programme[count_tax]", p.count_tax)}
                {field(in_currency("tiers.admin.points_value"), "programme[points_value]".into(), p.points_value, "decimal", &mistake)}
                {field(t("tiers.admin.points_monthly_cap"), "programme[points_monthly_cap]".into(), p.points_monthly_cap, "numeric", &mistake)}
            </fieldset>
            <fieldset class="rapport-tiers-form__group">
                <legend>{t("tiers.admin.review_rules")}</legend>
                {choice(t("tiers.admin.review_every_months"), "programme[review_every_months]".into(), p.review_every_months, months, &mistake)}
                {field(t("tiers.admin.utc_offset_minutes"), "programme[utc_offset_minutes]".into(), p.utc_offset_minutes, "numeric", &mistake)}
                {field(t("tiers.admin.warn_days"), "programme[warn_days]".into(), p.warn_days, "numeric", &mistake)}
            </fieldset>
            {tiers}
            <div class="rapport-tiers-form__actions">
                <button type="submit" name="edit" value=DraftEdit::AddTier.value() id="tiers-add" class="rapport-button">
                    {t("tiers.admin.add_tier")}
                </button>
                <button type="submit" class="rapport-button rapport-button--primary" data-testid="tiers-preview">
                    {t("tiers.admin.preview")}
                </button>
            </div>
        </ActionForm>
    }
}

/// One tier's fields, its benefits, and the buttons that add a benefit or remove the tier.
fn tier_fields(
    index: usize,
    tier: TierDraft,
    tier_count: usize,
    currency: &str,
    mistake: &Option<Mistake>,
    i18n: I18n,
) -> impl IntoView + use<> {
    let number = (index + 1).to_string();
    let at = |part: &str| format!("tiers[{index}]{part}");
    let icons = ICONS
        .iter()
        .map(|icon| (icon.to_string(), i18n.t(&format!("tiers.icon.{icon}"))))
        .collect();
    let colour_id = input_id(&at("[colour]"));
    let colour_for = colour_id.clone();
    let names = name_fields(&at(""), &tier.names, mistake, i18n);
    let benefits = tier
        .benefits
        .into_iter()
        .enumerate()
        .map(|(place, benefit)| benefit_fields(index, place, benefit, mistake, i18n))
        .collect_view();
    let colour_wrong = mistake
        .as_ref()
        .filter(|mistake| mistake.input == at("[colour]"))
        .map(Mistake::said);
    view! {
        <fieldset class="rapport-tiers-form__tier" id=format!("tier-{index}") data-testid="tiers-form-tier">
            <legend>{label_with(i18n, "tiers.admin.tier_number", vec![("number", number.clone())])}</legend>
            <div class="rapport-tiers-form__fields">
                {field(label(i18n, "tiers.admin.code"), at("[code]"), tier.code, "text", mistake)}
                {names}
                {field(label_with(i18n, "tiers.admin.threshold", vec![("currency", currency.to_owned())]), at("[threshold]"), tier.threshold, "decimal", mistake)}
                <label class="rapport-tiers-form__field" for=colour_for>
                    <span>{label(i18n, "tiers.admin.colour")}</span>
                    <input type="color" id=colour_id name=at("[colour]") value=tier.colour aria-invalid=colour_wrong.is_some().then_some("true") />
                    {colour_wrong.map(|message| view! { <span class="rapport-field-error">{message}</span> })}
                </label>
                {choice(label(i18n, "tiers.admin.icon"), at("[icon]"), tier.icon, icons, mistake)}
            </div>
            <h3 class="rapport-tiers-form__benefits-title">{label(i18n, "tiers.admin.benefits")}</h3>
            {benefits}
            <div class="rapport-tiers-form__actions">
                <button type="submit" name="edit" value=DraftEdit::AddBenefit(index).value() class="rapport-button">
                    {label(i18n, "tiers.admin.add_benefit")}
                </button>
                {(tier_count > 1).then(|| view! {
                    <button type="submit" name="edit" value=DraftEdit::RemoveTier(index).value() class="rapport-button rapport-tiers-form__remove">
                        {label_with(i18n, "tiers.admin.remove_tier", vec![("number", number.clone())])}
                    </button>
                })}
            </div>
        </fieldset>
    }
}

/// A name input per language the shop speaks, under `prefix` (`tiers[1]` → `tiers[1][names][en]`).
fn name_fields(
    prefix: &str,
    names: &std::collections::BTreeMap<String, String>,
    mistake: &Option<Mistake>,
    i18n: I18n,
) -> impl IntoView + use<> {
    languages()
        .map(|(locale, language)| {
            field(
                label_with(
                    i18n,
                    "tiers.admin.name_in",
                    vec![("language", language.to_owned())],
                ),
                format!("{prefix}[names][{locale}]"),
                names.get(locale).cloned().unwrap_or_default(),
                "text",
                mistake,
            )
        })
        .collect_view()
}

fn benefit_fields(
    tier: usize,
    place: usize,
    benefit: BenefitDraft,
    mistake: &Option<Mistake>,
    i18n: I18n,
) -> impl IntoView + use<> {
    let prefix = format!("tiers[{tier}][benefits][{place}]");
    let legend = label_with(
        i18n,
        "tiers.admin.benefit_number",
        vec![
            ("number", (place + 1).to_string()),
            ("tier", (tier + 1).to_string()),
        ],
    );
    view! {
        <fieldset class="rapport-tiers-form__benefit" data-testid="tiers-form-benefit">
            <legend class="rapport-visually-hidden">{legend}</legend>
            {field(label(i18n, "tiers.admin.code"), format!("{prefix}[code]"), benefit.code, "text", mistake)}
            {name_fields(&prefix, &benefit.names, mistake, i18n)}
            {field(label(i18n, "tiers.admin.benefit_value"), format!("{prefix}[value]"), benefit.value, "numeric", mistake)}
            <button type="submit" name="edit" value=DraftEdit::RemoveBenefit(tier, place).value() class="rapport-button rapport-tiers-form__remove">
                {label(i18n, "tiers.admin.remove_benefit")}
            </button>
        </fieldset>
    }
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
