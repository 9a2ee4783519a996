//! The member's widgets: `TierBadge` for headers, and `TierProgress` with the growth, the way to the next tier,
//! what keeps the current one, the benefits, and every rule in plain words.

use super::{MemberStanding, Tier, TierRules, my_tier};
use crate::i18n::{I18n, use_i18n};
use crate::identity::client::use_signed_in;
use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use crate::ui::{ErrorNotice, Pending, use_shop_links};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// A name from a per-language map, in the shop's language or else English.
fn localised(names: &BTreeMap<String, String>, i18n: I18n) -> String {
    names
        .get(i18n.locale())
        .or_else(|| names.get(crate::i18n::DEFAULT_LOCALE))
        .cloned()
        .unwrap_or_default()
}

/// A moment as the store's members date it: shifted into the store's time zone, for [`crate::i18n::I18n::date`].
fn in_store_zone(rules: &TierRules, at: Millis) -> Millis {
    at + Millis::minutes(rules.utc_offset_minutes)
}

/// The outline of a tier's icon, drawn inline so that it needs no image request.
fn icon_path(icon: &str) -> &'static str {
    match icon {
        "star" => "M12 2l3 6.5 7 .8-5.2 4.8 1.5 7L12 17.6 5.7 21.1l1.5-7L2 9.3l7-.8z",
        "crown" => "M3 18h18l-1.5-10-4.5 4-3-7-3 7-4.5-4z",
        "diamond" => "M6 3h12l4 6-10 12L2 9z",
        _ => "M12 8a6 6 0 1 1 0 12 6 6 0 0 1 0-12zM8 2h8l-2 5h-4z",
    }
}

/// A tier as a small badge: its icon, its colour, and its name in words, so that it never relies on colour.
/// Shown beside review authors, and by [`TierBadge`] for the signed-in shopper.
///
/// ```
/// use app::tiers::{TierMark, TierRules};
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let rules = TierRules::default();
/// let html = view! { <TierMark tier=rules.tiers[2].clone() /> }.to_html();
/// assert!(html.contains("data-tier=\"gold\"") && html.contains("Gold"));
/// ```
#[component]
pub fn TierMark(tier: Tier) -> impl IntoView {
    let i18n = use_i18n();
    let names = tier.names.clone();
    view! {
        <span class="rapport-tier-badge" data-tier=tier.code.clone() style=("--rapport-tier-colour", tier.colour.clone())>
            <svg class="rapport-tier-badge__icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                <path d=icon_path(&tier.icon) fill="currentColor" />
            </svg>
            <span class="rapport-tier-badge__name">
                {move || i18n.t_with("tiers.badge", &[("tier", localised(&names, i18n))])}
            </span>
        </span>
    }
}

/// The signed-in shopper's member tier as a small badge, for the store's header; nothing for guests. Loads in
/// the browser, where the shopper's token is.
///
/// ```
/// use app::tiers::TierBadge;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// // The server renders nothing: the badge is the browser's, once it knows the shopper.
/// assert!(!view! { <TierBadge /> }.to_html().contains("<a"));
/// ```
#[component]
pub fn TierBadge() -> impl IntoView {
    let shopper = use_signed_in();
    let standing = LocalResource::new(move || {
        let enabled = shopper.get();
        async move { if enabled { my_tier().await.ok() } else { None } }
    });
    let account = format!("{}#tier", use_shop_links().account);
    // Nothing at all for guests: an empty link would be announced with no name.
    move || match standing.get() {
        Some(Some(standing)) => {
            let tier = standing.rules.tier(standing.rank).clone();
            view! {
                <a class="rapport-tier-badge__link" part="tier-badge" href=account.clone() data-testid="tier-badge">
                    <TierMark tier />
                </a>
            }
            .into_any()
        }
        None if shopper.get() => view! { <Pending /> }.into_any(),
        _ => ().into_any(),
    }
}

/// The member's tier in full: the growth value and what makes it up, a progress bar with the exact amount the
/// next tier needs, spend still pending, what keeps the tier at the next review and by when, the benefits of
/// this tier and the next, and a plain-language account of every rule. Loads in the browser, for the signed-in
/// shopper.
///
/// ```
/// use app::tiers::TierProgress;
/// use leptos::prelude::*;
/// # let runtime = tokio::runtime::Runtime::new().unwrap(); let _inside = runtime.enter(); let _ = any_spawner::Executor::init_tokio();
/// # let owner = leptos::prelude::Owner::new(); owner.set(); leptos::prelude::provide_context(app::i18n::I18n::new("en"));
/// let html = view! { <TierProgress /> }.to_html();
/// assert!(html.contains("id=\"tier\"") && html.contains("Your member tier"));
/// ```
#[component]
pub fn TierProgress() -> impl IntoView {
    let i18n = use_i18n();
    let shopper = use_signed_in();
    let standing = LocalResource::new(move || {
        shopper.track();
        my_tier()
    });
    let sign_in = use_shop_links().sign_in;
    view! {
        <section class="rapport-tier-progress" part="tier-progress" id="tier" data-testid="tier-progress">
            <h2>{move || i18n.t("tiers.title")}</h2>
            <Show when=move || shopper.get() fallback=move || view! {
                <p class="rapport-tier-progress__sign-in"><a href=sign_in.clone()>{move || i18n.t("tiers.sign_in")}</a></p>
            }>
            <Suspense fallback=move || view! { <p class="rapport-loading">{move || i18n.t("common.loading")}</p> }>
                {move || Suspend::new(async move {
                    match standing.await {
                        Ok(standing) => view! { <Standing standing /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
            </Show>
        </section>
    }
}

#[component]
fn Standing(standing: MemberStanding) -> impl IntoView {
    let i18n = use_i18n();
    let rules = standing.rules.clone();
    let tier = rules.tier(standing.rank).clone();
    let next = rules.tiers.get(standing.rank + 1).cloned();
    let tier_name = {
        let names = tier.names.clone();
        move || localised(&names, i18n)
    };
    let since = standing.since.map(|at| in_store_zone(&rules, at));
    let window_from = in_store_zone(&rules, standing.window_start);
    let growth = standing.growth.clone();
    let spend = standing.spend.clone();
    let activity = standing.activity.clone();
    let points = standing.activity_points;
    let percent = standing.progress_percent;
    let to_next = match (next.clone(), standing.to_next.clone()) {
        (Some(next), Some(needed)) => {
            let next_names = next.names.clone();
            view! {
                <p class="rapport-tier-progress__next" data-testid="tier-to-next">
                    {move || i18n.t_with("tiers.to_next", &[("amount", i18n.money(&needed)), ("tier", localised(&next_names, i18n))])}
                </p>
            }
            .into_any()
        }
        _ => view! { <p class="rapport-tier-progress__next" data-testid="tier-to-next">{move || i18n.t("tiers.top")}</p> }.into_any(),
    };
    let pending = (standing.pending.amount_minor > 0).then(|| {
        let amount = standing.pending.clone();
        let days = rules.return_window_days;
        view! {
            <p class="rapport-tier-progress__pending" data-testid="tier-pending">
                {move || i18n.t_count("tiers.pending", days, &[("amount", i18n.money(&amount))])}
            </p>
        }
    });
    let keep = standing.keep.clone().map(|keep| {
        let review = in_store_zone(&rules, keep.review_at);
        let order_by = in_store_zone(&rules, keep.order_by);
        let threshold = Money::new(tier.threshold_minor, &rules.currency);
        let projected = keep.projected.clone();
        let needed = keep.needed.clone();
        let kept = keep.needed.amount_minor == 0;
        let tier_name = tier_name.clone();
        let class = if keep.warn {
            "rapport-tier-progress__keep rapport-tier-progress__keep--warn"
        } else {
            "rapport-tier-progress__keep"
        };
        view! {
            <p class=class data-testid="tier-keep" role=keep.warn.then_some("alert")>
                {move || if kept {
                    i18n.t_with("tiers.kept", &[("tier", tier_name()), ("date", i18n.date(review)), ("projected", i18n.money(&projected))])
                } else {
                    i18n.t_with("tiers.keep", &[
                        ("tier", tier_name()),
                        ("date", i18n.date(review)),
                        ("threshold", i18n.money(&threshold)),
                        ("projected", i18n.money(&projected)),
                        ("needed", i18n.money(&needed)),
                        ("order_by", i18n.date(order_by)),
                    ])
                }}
            </p>
        }
    });
    let next_benefits = next.clone().map(|next| {
        let names = next.names.clone();
        view! {
            <div class="rapport-tier-progress__benefits">
                <h3>{move || i18n.t_with("tiers.benefits_of", &[("tier", localised(&names, i18n))])}</h3>
                <Benefits tier=next />
            </div>
        }
    });
    view! {
        <div class="rapport-tier-progress__head">
            <TierMark tier=tier.clone() />
            {since.map(|date| view! { <span class="rapport-tier-progress__since">{move || i18n.t_with("tiers.since", &[("date", i18n.date(date))])}</span> })}
        </div>
        <p class="rapport-tier-progress__growth" data-testid="tier-growth">
            {move || i18n.t_count("tiers.growth", points, &[
                ("growth", i18n.money(&growth)),
                ("spend", i18n.money(&spend)),
                ("activity", i18n.money(&activity)),
                ("from", i18n.date(window_from)),
            ])}
        </p>
        <div
            class="rapport-tier-progress__bar"
            role="progressbar"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=percent.to_string()
            aria-label=move || i18n.t("tiers.progress")
            data-testid="tier-bar"
            style=("--rapport-tier-colour", tier.colour.clone())
        >
            <span class="rapport-tier-progress__fill" style=("width", format!("{percent}%"))></span>
        </div>
        {to_next}
        {pending}
        {keep}
        <div class="rapport-tier-progress__benefit-lists">
            <div class="rapport-tier-progress__benefits">
                <h3>{move || i18n.t_with("tiers.benefits_of", &[("tier", tier_name())])}</h3>
                <Benefits tier=tier.clone() />
            </div>
            {next_benefits}
        </div>
        <RulesExplained rules=rules.clone() />
    }
    .into_any()
}

#[component]
fn Benefits(tier: Tier) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="rapport-tier-progress__benefit-list">
            {tier.benefits.into_iter().map(|benefit| {
                let names = benefit.names;
                view! { <li data-benefit=benefit.code>{move || localised(&names, i18n)}</li> }
            }).collect_view()}
        </ul>
    }
}

/// Every rule that places a member, in words, with the thresholds of all tiers.
#[component]
fn RulesExplained(rules: TierRules) -> impl IntoView {
    let i18n = use_i18n();
    let money = |minor: i64| Money::new(minor, &rules.currency);
    let excluded = match (rules.count_shipping, rules.count_tax) {
        (true, true) => "tiers.rule.counts_all",
        (true, false) => "tiers.rule.no_tax",
        (false, true) => "tiers.rule.no_shipping",
        (false, false) => "tiers.rule.no_shipping_tax",
    };
    let days = rules.window_days;
    let return_days = rules.return_window_days;
    let point_value = money(rules.points_value_minor);
    let cap = rules.points_monthly_cap.to_string();
    let months = rules.review_every_months.to_string();
    let warn = rules.warn_days.to_string();
    let offset = {
        let minutes = rules.utc_offset_minutes;
        format!(
            "UTC{}{:02}:{:02}",
            if minutes < 0 { '-' } else { '+' },
            minutes.abs() / 60,
            minutes.abs() % 60
        )
    };
    let thresholds: Vec<(BTreeMap<String, String>, Money)> = rules
        .tiers
        .iter()
        .map(|tier| (tier.names.clone(), money(tier.threshold_minor)))
        .collect();
    view! {
        <details class="rapport-tier-progress__rules" open>
            <summary>{move || i18n.t("tiers.rules_title")}</summary>
            <ul>
                <li>{move || i18n.t_count("tiers.rule.growth", days, &[])} " " {move || i18n.t(excluded)}</li>
                <li>{move || if return_days == 0 {
                    i18n.t("tiers.rule.settle_now")
                } else {
                    i18n.t_count("tiers.rule.settle", return_days, &[])
                }}</li>
                <li>{move || i18n.t_with("tiers.rule.points", &[("value", i18n.money(&point_value)), ("cap", cap.clone())])}</li>
                <li>{move || i18n.t("tiers.rule.upgrade")}</li>
                <li>{move || i18n.t_with("tiers.rule.review", &[("months", months.clone()), ("zone", offset.clone()), ("warn", warn.clone())])}</li>
                <li>{move || i18n.t("tiers.rule.refund")}</li>
            </ul>
            <table class="rapport-tier-progress__thresholds">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t("tiers.tier")}</th>
                        <th scope="col">{move || i18n.t("tiers.threshold")}</th>
                    </tr>
                </thead>
                <tbody>
                    {thresholds.into_iter().map(|(names, threshold)| view! {
                        <tr><td>{move || localised(&names, i18n)}</td><td>{move || i18n.money(&threshold)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}
