//! "Widgets at work": what the alerts, wish lists, reviews and member tiers did in a period. It renders on the
//! server and works without JavaScript, as the customers page does, and shares its period form, tables and charts.

use super::rules::TOP_PRODUCTS;
use super::{
    EmailFigures, MerchantWidgets, WidgetHeadlines, WidgetReport, WishedProduct, load_widget_report,
};
use crate::feed::feedback::{Shelf, ShelfFigures};
use crate::i18n::{I18n, format_count, use_i18n};
use crate::identity::merchant::{MerchantHomeLink, MerchantSignInForm};
use crate::insights::{ReportHead, day, month, month_column, percent, period_refused, table_box};
use crate::kernel::money::Money;
use crate::ui::{Amount, BarChart, StackedColumns};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/merchant/widgets";

/// The address of a table's CSV for the period shown.
fn csv_href(table: &str, report: &WidgetReport) -> String {
    format!(
        "{PATH}.csv?table={table}&from={}&to={}&compare={}",
        report.period.first_day,
        report.period.last_day,
        report.comparison.code()
    )
}

/// A change against the comparison period, signed: "+12", "-3", "0".
fn change(locale: &str, now: i64, before: i64) -> String {
    let change = now - before;
    format!(
        "{}{}",
        if change > 0 { "+" } else { "" },
        format_count(locale, change)
    )
}

/// A number of days to a tenth, or a dash.
fn days(i18n: I18n, days: Option<f64>) -> String {
    days.map_or_else(
        || "–".to_owned(),
        |days| i18n.t_with("insights.headline.days", &[("days", format!("{days:.1}"))]),
    )
}

/// The page at `/merchant/widgets?from=2026-01-01&to=2026-03-31&compare=previous`.
#[component]
pub fn WidgetsAtWorkPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let asked = move || {
        let query = query.read();
        (query.get("from"), query.get("to"), query.get("compare"))
    };
    let page = Resource::new(asked, |(from, to, compare)| {
        load_widget_report(from, to, compare)
    });
    view! {
        <Title text=move || i18n.t("work.title") />
        <section class="shop-section rapport-insights">
            <MerchantHomeLink />
            <h1>{move || i18n.t("work.title")}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <WidgetsReport page /> }.into_any(),
                        Err(error) if error.needs_sign_in() => view! { <MerchantSignInForm next=PATH /> }.into_any(),
                        Err(error) => period_refused(PATH, asked(), error),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn WidgetsReport(page: MerchantWidgets) -> impl IntoView {
    let i18n = use_i18n();
    let MerchantWidgets { merchant, report } = page;
    // Every text and amount is written in the page's language: a switch of language draws the report again.
    move || {
        let report = report.clone();
        view! {
            <ReportHead action=PATH merchant=merchant.clone() period=report.period.clone()
                comparison=report.comparison previous=report.previous.clone() />
            <Headlines report=report.clone() />
            <Alerts report=report.clone() />
            <WishLists report=report.clone() />
            <Reviews report=report.clone() />
            <Tiers report=report.clone() />
            <Feed report=report.clone() />
            <Emails report=report.clone() />
            <section class="rapport-insights__section">
                <h2>{i18n.t("insights.rules.title")}</h2>
                <ul class="rapport-insights__rules">
                    {[
                        "work.rules.attribution", "work.rules.saves", "work.rules.drops", "work.rules.orders",
                        "work.rules.seen", "work.rules.tiers", "work.rules.feed", "work.rules.emails",
                        "insights.rules.time",
                    ].map(|rule| view! { <li>{i18n.t(rule)}</li> }).collect_view()}
                </ul>
            </section>
        }
    }
}

/// Four numbers against the comparison period.
#[component]
fn Headlines(report: WidgetReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let (now, before) = (&report.headlines, &report.before);
    let money = |minor| i18n.money(&Money::new(minor, &report.currency));
    let against = |now: i64, before: i64| {
        i18n.t_with(
            "insights.headline.before",
            &[
                ("count", format_count(locale, before)),
                ("change", change(locale, now, before)),
            ],
        )
    };
    let average = |headlines: &WidgetHeadlines| {
        headlines
            .average_rating
            .map_or_else(|| "–".to_owned(), |stars| format!("{stars:.2}"))
    };
    let cards = [
        (
            "work.headline.notices",
            format_count(locale, now.notices),
            against(now.notices, before.notices),
        ),
        (
            "work.headline.after_notices",
            money(now.value_after_notices_minor),
            i18n.t_with(
                "work.headline.purchases",
                &[
                    ("count", format_count(locale, now.purchases_after_notices)),
                    ("before", money(before.value_after_notices_minor)),
                    (
                        "before_count",
                        format_count(locale, before.purchases_after_notices),
                    ),
                ],
            ),
        ),
        (
            "work.headline.saves",
            format_count(locale, now.saves),
            against(now.saves, before.saves),
        ),
        (
            "work.headline.reviews",
            format_count(locale, now.reviews),
            i18n.t_with(
                "work.headline.average",
                &[("now", average(now)), ("before", average(before))],
            ),
        ),
    ];
    view! {
        <dl class="rapport-insights__headlines" data-testid="work-headlines">
            {cards.into_iter().map(|(name, value, detail)| view! {
                <div class="rapport-insights__headline">
                    <dt>{i18n.t(name)}</dt>
                    <dd><strong>{value}</strong><span>{detail}</span></dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn Alerts(report: WidgetReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let money = |minor| i18n.money(&Money::new(minor, &report.currency));
    let kind = move |code: &str| i18n.t(&format!("work.alerts.kind.{code}"));
    let count = |value: i64| Amount {
        value,
        shown: format_count(locale, value),
    };
    let rows = report
        .figures
        .alerts
        .iter()
        .map(|row| {
            (
                kind(&row.kind),
                vec![count(row.notices), count(row.clicked), count(row.purchases)],
            )
        })
        .collect();
    view! {
        <section class="rapport-insights__section" aria-labelledby="work-alerts">
            <h2 id="work-alerts">{i18n.t("work.alerts.title")}</h2>
            <p>{i18n.t("work.alerts.help")}</p>
            <BarChart
                label=i18n.t("work.alerts.chart")
                series=vec![i18n.t("work.alerts.notices"), i18n.t("work.alerts.clicked"), i18n.t("work.alerts.purchases")]
                rows
            />
            {table_box(i18n, "work.alerts.title", csv_href("alerts", &report), view! {
                <table data-testid="work-alerts">
                    <thead><tr>
                        <th scope="col">{i18n.t("work.alerts.kind")}</th>
                        <th scope="col">{i18n.t("work.alerts.started")}</th>
                        <th scope="col">{i18n.t("work.alerts.notices")}</th>
                        <th scope="col">{i18n.t("work.alerts.emailed")}</th>
                        <th scope="col">{i18n.t("work.alerts.seen")}</th>
                        <th scope="col">{i18n.t("work.alerts.clicked")}</th>
                        <th scope="col">{i18n.t("work.alerts.purchases")}</th>
                        <th scope="col">{i18n.t("insights.segments.value")}</th>
                    </tr></thead>
                    <tbody>
                        {report.figures.alerts.iter().map(|row| view! {
                            <tr data-kind=row.kind.clone()>
                                <th scope="row">{kind(&row.kind)}</th>
                                <td>{if row.kind == "price_rise" {
                                    "–".to_owned()
                                } else {
                                    i18n.t_with("work.alerts.confirmed", &[
                                        ("count", format_count(locale, row.alerts_started)),
                                        ("confirmed", format_count(locale, row.alerts_confirmed)),
                                    ])
                                }}</td>
                                <td>{format_count(locale, row.notices)}</td>
                                <td>{format_count(locale, row.emailed)}</td>
                                <td>{format_count(locale, row.seen)} " (" {percent(row.seen, row.notices)} ")"</td>
                                <td>{format_count(locale, row.clicked)} " (" {percent(row.clicked, row.notices)} ")"</td>
                                <td>{format_count(locale, row.purchases)}</td>
                                <td>{money(row.value_minor)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// A table in its box with its CSV link, or, when it has no rows (`empty`), a line saying so (`nothing`, a text key).
fn table_or_nothing(
    i18n: I18n,
    empty: bool,
    nothing: &str,
    title: &str,
    csv: String,
    table: impl IntoView + 'static,
) -> AnyView {
    if empty {
        view! { <p class="rapport-insights__empty">{i18n.t(nothing)}</p> }.into_any()
    } else {
        table_box(i18n, title, csv, table).into_any()
    }
}

/// One of the wish lists' product tables.
fn wished_table(
    i18n: I18n,
    title: &'static str,
    testid: &'static str,
    csv: String,
    products: Vec<WishedProduct>,
) -> impl IntoView {
    let locale = i18n.locale();
    view! {
        <h3>{i18n.t(title)}</h3>
        {table_or_nothing(i18n, products.is_empty(), "work.empty", title, csv, view! {
            <table data-testid=testid>
                <thead><tr>
                    <th scope="col">{i18n.t("work.product")}</th>
                    <th scope="col">{i18n.t("work.wish.saves")}</th>
                    <th scope="col">{i18n.t("work.wish.bought")}</th>
                </tr></thead>
                <tbody>
                    {products.into_iter().map(|row| view! {
                        <tr data-sku=row.sku.clone()>
                            <th scope="row">{row.title}<small>{row.sku.clone()}</small></th>
                            <td>{format_count(locale, row.saves)}</td>
                            <td>{format_count(locale, row.bought)} " (" {percent(row.bought, row.saves)} ")"</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

#[component]
fn WishLists(report: WidgetReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let money = |minor| i18n.money(&Money::new(minor, &report.currency));
    let lists = report.figures.wish_lists.clone();
    let top = TOP_PRODUCTS.to_string();
    let rows = lists
        .most_wished
        .iter()
        .map(|row| {
            (
                row.title.clone(),
                vec![
                    Amount {
                        value: row.saves,
                        shown: format_count(locale, row.saves),
                    },
                    Amount {
                        value: row.bought,
                        shown: format_count(locale, row.bought),
                    },
                ],
            )
        })
        .collect();
    view! {
        <section class="rapport-insights__section" aria-labelledby="work-wish">
            <h2 id="work-wish">{i18n.t("work.wish.title")}</h2>
            <p data-testid="work-wish-summary">{i18n.t_with("work.wish.summary", &[
                ("saves", format_count(locale, lists.saves)),
                ("savers", format_count(locale, lists.savers)),
                ("bought", format_count(locale, lists.bought)),
                ("share", percent(lists.bought, lists.saves)),
                ("value", money(lists.bought_value_minor)),
            ])}</p>
            {(!lists.most_wished.is_empty()).then(|| view! {
                <BarChart
                    label=i18n.t("work.wish.chart")
                    series=vec![i18n.t("work.wish.saves"), i18n.t("work.wish.bought")]
                    rows
                />
            })}
            {wished_table(i18n, "work.wish.most", "work-most-wished", csv_href("most_wished", &report), lists.most_wished.clone())}
            {wished_table(i18n, "work.wish.not_bought", "work-not-bought", csv_href("not_bought", &report), lists.not_bought.clone())}
            <h3>{i18n.t("work.wish.drops")}</h3>
            <p>{i18n.t_with("work.wish.drops_help", &[("n", top)])}</p>
            {table_or_nothing(i18n, lists.price_drops.is_empty(), "work.empty", "work.wish.drops", csv_href("price_drops", &report), view! {
                <table data-testid="work-price-drops">
                    <thead><tr>
                        <th scope="col">{i18n.t("work.product")}</th>
                        <th scope="col">{i18n.t("work.wish.saw_drop")}</th>
                        <th scope="col">{i18n.t("work.wish.bought")}</th>
                        <th scope="col">{i18n.t("insights.segments.value")}</th>
                    </tr></thead>
                    <tbody>
                        {lists.price_drops.iter().map(|row| view! {
                            <tr data-sku=row.sku.clone()>
                                <th scope="row">{row.title.clone()}<small>{row.sku.clone()}</small></th>
                                <td>{format_count(locale, row.saves)}</td>
                                <td>{format_count(locale, row.bought)} " (" {percent(row.bought, row.saves)} ")"</td>
                                <td>{money(row.value_minor)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn Reviews(report: WidgetReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let reviews = report.figures.reviews.clone();
    let wait = report.moderation.clone();
    // Five stars at the bottom of each column: the part a merchant wants to grow.
    let columns = reviews
        .months
        .iter()
        .map(|m| month_column(locale, &m.month, m.ratings.iter().rev().copied().collect()))
        .collect();
    let stars = |n: i64| i18n.t_count("work.reviews.stars", n, &[]);
    view! {
        <section class="rapport-insights__section rapport-work__reviews" aria-labelledby="work-reviews">
            <h2 id="work-reviews">{i18n.t("work.reviews.title")}</h2>
            <dl class="rapport-insights__headlines" data-testid="work-review-facts">
                <div class="rapport-insights__headline">
                    <dt>{i18n.t("work.reviews.verified")}</dt>
                    <dd><strong>{percent(reviews.verified, reviews.written)}</strong>
                        <span>{i18n.t_with("work.reviews.of", &[("count", format_count(locale, reviews.verified)), ("total", format_count(locale, reviews.written))])}</span></dd>
                </div>
                <div class="rapport-insights__headline">
                    <dt>{i18n.t("work.reviews.status")}</dt>
                    <dd><strong>{format_count(locale, reviews.published)}</strong>
                        <span>{i18n.t_with("work.reviews.statuses", &[("pending", format_count(locale, reviews.pending)), ("rejected", format_count(locale, reviews.rejected))])}</span></dd>
                </div>
                <div class="rapport-insights__headline">
                    <dt>{i18n.t("work.reviews.queue")}</dt>
                    <dd><strong>{format_count(locale, wait.waiting)}</strong>
                        <span>{i18n.t_with("work.reviews.waited", &[("oldest", days(i18n, wait.oldest_days)), ("median", days(i18n, wait.median_days))])}</span></dd>
                </div>
                <div class="rapport-insights__headline">
                    <dt>{i18n.t("work.reviews.votes")}</dt>
                    <dd><strong>{format_count(locale, reviews.helpful_votes + reviews.not_helpful_votes)}</strong>
                        <span>{i18n.t_with("work.reviews.helpful", &[("helpful", format_count(locale, reviews.helpful_votes)), ("not", format_count(locale, reviews.not_helpful_votes))])}</span></dd>
                </div>
            </dl>
            <StackedColumns
                label=i18n.t("work.reviews.chart")
                series=(1..=5).rev().map(stars).collect()
                columns
            />
            {table_box(i18n, "work.reviews.title", csv_href("reviews", &report), view! {
                <table data-testid="work-reviews">
                    <thead><tr>
                        <th scope="col">{i18n.t("insights.months.month")}</th>
                        {(1..=5).map(|n| view! { <th scope="col">{stars(n)}</th> }).collect_view()}
                        <th scope="col">{i18n.t("work.reviews.verified")}</th>
                    </tr></thead>
                    <tbody>
                        {reviews.months.iter().map(|m| view! {
                            <tr>
                                <th scope="row">{month(locale, &m.month)}</th>
                                {m.ratings.iter().map(|n| view! { <td>{format_count(locale, *n)}</td> }).collect_view()}
                                <td>{format_count(locale, m.verified)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn Tiers(report: WidgetReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let tiers = report.tiers.clone();
    let name = |code: &str| {
        tiers
            .tiers
            .iter()
            .find(|tier| tier.code == code)
            .and_then(|tier| {
                tier.names
                    .get(locale)
                    .or_else(|| tier.names.get("en"))
                    .cloned()
            })
            .unwrap_or_else(|| code.to_owned())
    };
    let upper: Vec<String> = tiers
        .tiers
        .iter()
        .skip(1)
        .map(|tier| name(&tier.code))
        .collect();
    let columns = tiers
        .months
        .iter()
        .map(|m| month_column(locale, &m.month, m.members.clone()))
        .collect();
    view! {
        <section class="rapport-insights__section" aria-labelledby="work-tiers">
            <h2 id="work-tiers">{i18n.t("work.tiers.title")}</h2>
            <p>{i18n.t_with("work.tiers.help", &[("lowest", tiers.tiers.first().map(|t| name(&t.code)).unwrap_or_default())])}</p>
            {(!upper.is_empty()).then(|| view! {
                <StackedColumns label=i18n.t("work.tiers.chart") series=upper.clone() columns />
            })}
            {table_box(i18n, "work.tiers.title", csv_href("tiers", &report), view! {
                <table data-testid="work-tiers">
                    <thead><tr>
                        <th scope="col">{i18n.t("insights.months.month")}</th>
                        {upper.iter().map(|tier| view! { <th scope="col">{tier.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {tiers.months.iter().map(|m| view! {
                            <tr>
                                <th scope="row">{month(locale, &m.month)}</th>
                                {m.members.iter().map(|n| view! { <td>{format_count(locale, *n)}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <h3>{i18n.t("work.tiers.reviews")}</h3>
            <p data-testid="work-tier-growth">{i18n.t_with("work.tiers.growth", &[
                ("up", format_count(locale, tiers.growth_up)),
                ("down", format_count(locale, tiers.growth_down)),
            ])}</p>
            {table_or_nothing(i18n, tiers.reviews.is_empty(), "work.tiers.no_reviews", "work.tiers.reviews", csv_href("tier_reviews", &report), view! {
                <table data-testid="work-tier-reviews">
                    <thead><tr>
                        <th scope="col">{i18n.t("work.tiers.review_day")}</th>
                        <th scope="col">{i18n.t("work.tiers.up")}</th>
                        <th scope="col">{i18n.t("work.tiers.down")}</th>
                    </tr></thead>
                    <tbody>
                        {tiers.reviews.iter().map(|r| view! {
                            <tr>
                                <th scope="row">{day(locale, &r.day)}</th>
                                <td>{format_count(locale, r.up)}</td>
                                <td>{format_count(locale, r.down)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// The feed's shelves: cards shown, clicked, and the share clicked. Shelves that showed nothing in the period are
/// left out.
#[component]
fn Feed(report: WidgetReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let shelves: Vec<ShelfFigures> = report
        .figures
        .feed
        .iter()
        .filter(|row| row.impressions > 0 || row.clicks > 0)
        .cloned()
        .collect();
    let name = move |shelf: Shelf| i18n.t(&format!("work.feed.shelf.{}", shelf.key()));
    // Bars in tenths of a percent, so that 3.4% and 3.5% differ.
    let rows = shelves
        .iter()
        .map(|row| {
            (
                name(row.shelf),
                vec![Amount {
                    value: row
                        .click_through
                        .map_or(0, |share| (share * 10.0).round() as i64),
                    shown: percent(row.clicks, row.impressions),
                }],
            )
        })
        .collect();
    let empty = shelves.is_empty();
    view! {
        <section class="rapport-insights__section" aria-labelledby="work-feed">
            <h2 id="work-feed">{i18n.t("work.feed.title")}</h2>
            <p>{i18n.t("work.feed.help")}</p>
            {(!empty).then(|| view! {
                <BarChart label=i18n.t("work.feed.chart") series=vec![i18n.t("work.feed.click_through")] rows />
            })}
            {table_or_nothing(i18n, empty, "work.feed.none", "work.feed.title", csv_href("feed", &report), view! {
                <table data-testid="work-feed">
                    <thead><tr>
                        <th scope="col">{i18n.t("work.feed.shelf")}</th>
                        <th scope="col">{i18n.t("work.feed.impressions")}</th>
                        <th scope="col">{i18n.t("work.feed.clicks")}</th>
                        <th scope="col">{i18n.t("work.feed.click_through")}</th>
                    </tr></thead>
                    <tbody>
                        {shelves.iter().map(|row| view! {
                            <tr data-shelf=row.shelf.key()>
                                <th scope="row">{name(row.shelf)}</th>
                                <td>{format_count(locale, row.impressions)}</td>
                                <td>{format_count(locale, row.clicks)}</td>
                                <td>{percent(row.clicks, row.impressions)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// The emails per kind of message: queued, delivered, opened, clicked, and the orders that followed. Kinds with no
/// email in the period are left out.
#[component]
fn Emails(report: WidgetReport) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let money = |minor| i18n.money(&Money::new(minor, &report.currency));
    let kinds: Vec<EmailFigures> = report
        .figures
        .emails
        .iter()
        .filter(|row| row.queued > 0)
        .cloned()
        .collect();
    let name = move |kind: &str| i18n.t(&format!("work.emails.kind.{kind}"));
    // Bars in tenths of a percent of the delivered emails.
    let share = |part: i64, whole: i64| {
        if whole == 0 {
            0
        } else {
            (part as f64 * 1_000.0 / whole as f64).round() as i64
        }
    };
    let rows = kinds
        .iter()
        .map(|row| {
            (
                name(&row.kind),
                vec![
                    Amount {
                        value: share(row.opened, row.delivered),
                        shown: percent(row.opened, row.delivered),
                    },
                    Amount {
                        value: share(row.clicked, row.delivered),
                        shown: percent(row.clicked, row.delivered),
                    },
                ],
            )
        })
        .collect();
    let empty = kinds.is_empty();
    view! {
        <section class="rapport-insights__section" aria-labelledby="work-emails">
            <h2 id="work-emails">{i18n.t("work.emails.title")}</h2>
            <p>{i18n.t("work.emails.help")}</p>
            // Served by the server, not a route of the app: the router must not take the click.
            <p><a href=format!("/merchant/emails?lang={locale}") rel="external" data-testid="email-previews-link">
                {i18n.t("work.emails.previews")}
            </a></p>
            {(!empty).then(|| view! {
                <BarChart label=i18n.t("work.emails.chart")
                    series=vec![i18n.t("work.emails.opened"), i18n.t("work.emails.clicked")] rows />
            })}
            {table_or_nothing(i18n, empty, "work.emails.none", "work.emails.title", csv_href("emails", &report), view! {
                <table data-testid="work-emails">
                    <thead><tr>
                        <th scope="col">{i18n.t("work.emails.kind")}</th>
                        <th scope="col">{i18n.t("work.emails.queued")}</th>
                        <th scope="col">{i18n.t("work.emails.delivered")}</th>
                        <th scope="col">{i18n.t("work.emails.opened")}</th>
                        <th scope="col">{i18n.t("work.emails.clicked")}</th>
                        <th scope="col">{i18n.t("work.emails.purchases")}</th>
                        <th scope="col">{i18n.t("work.emails.value")}</th>
                    </tr></thead>
                    <tbody>
                        {kinds.iter().map(|row| view! {
                            <tr data-kind=row.kind.clone()>
                                <th scope="row">
                                    {name(&row.kind)}
                                    <small>" · " {i18n.t(&format!("email_preferences.purpose.{}", row.purpose))}</small>
                                </th>
                                <td>{format_count(locale, row.queued)}</td>
                                <td>
                                    {format_count(locale, row.delivered)}
                                    {(row.failed > 0).then(|| view! {
                                        " " {i18n.t_with("work.emails.failed", &[("count", format_count(locale, row.failed))])}
                                    })}
                                    {(row.to_webhook > 0).then(|| view! {
                                        " " {i18n.t_with("work.emails.to_webhook", &[("count", format_count(locale, row.to_webhook))])}
                                    })}
                                </td>
                                <td>{format_count(locale, row.opened)} " (" {percent(row.opened, row.delivered)} ")"</td>
                                <td>{format_count(locale, row.clicked)} " (" {percent(row.clicked, row.delivered)} ")"</td>
                                <td>{format_count(locale, row.purchases)}</td>
                                <td>{money(row.value_minor)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
