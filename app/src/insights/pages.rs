//! The merchant's home and customers pages. They render on the server and work without JavaScript: the period is
//! a plain GET form, every chart is inline SVG beside its table, and every table downloads as CSV.

use super::rules::{COHORT_MONTHS, MAX_DAYS};
use super::{
    Comparison, CustomerInsights, DateSpan, MerchantCustomers, MonthFigures, Segment,
    load_customer_insights,
};
use crate::i18n::{I18n, format_count, format_date, format_month, translate, use_i18n};
use crate::identity::merchant::{MerchantHomeLink, MerchantSignInForm};
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::kernel::time::{Month, parse_iso_date};
use crate::ui::{Amount, BarChart, Column, ErrorNotice, HeatMap, StackedColumns};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `part` of `whole` as a percentage to a tenth, or a dash when there is no whole.
pub fn percent(part: i64, whole: i64) -> String {
    if whole > 0 {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    } else {
        "–".to_owned()
    }
}

/// A day of a report (`2026-01-31`) as the language writes dates.
pub fn day(locale: &str, iso: &str) -> String {
    parse_iso_date(iso).map_or_else(|_| iso.to_owned(), |at| format_date(locale, at))
}

/// A report's month (`2026-01`) as the language writes months.
pub fn month(locale: &str, label: &str) -> String {
    Month::from_label(label).map_or_else(|| label.to_owned(), |m| format_month(locale, m))
}

fn segment_name(i18n: I18n, segment: Segment) -> String {
    i18n.t(&format!("insights.segment.{}", segment.code()))
}

/// The address of a table's CSV for the period shown.
fn csv_href(table: &str, report: &CustomerInsights) -> String {
    format!(
        "/merchant/customers.csv?table={table}&from={}&to={}&compare={}",
        report.period.first_day,
        report.period.last_day,
        report.comparison.code()
    )
}

/// A table that scrolls sideways in its own box (a focusable region, named for its section's `title` key), and
/// the link that downloads it as CSV (`csv`).
pub fn table_box(i18n: I18n, title: &str, csv: String, table: impl IntoView) -> impl IntoView {
    view! {
        <div class="rapport-insights__table" tabindex="0" role="region"
            aria-label=i18n.t_with("insights.table", &[("title", i18n.t(title))])>
            {table}
        </div>
        <p><a href=csv download>{i18n.t("insights.download")}</a></p>
    }
}

/// The merchant's home: the year's headline figures and a door to each merchant page.
#[component]
pub fn MerchantHome() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| load_customer_insights(None, None, None));
    view! {
        <Title text=move || i18n.t("insights.home.title") />
        <section class="shop-section rapport-insights">
            <h1>{move || i18n.t("insights.home.title")}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! {
                            <p data-testid="merchant-name">{move || i18n.t_with("moderation.signed_in_as", &[("name", page.merchant.clone())])}</p>
                            <p class="rapport-insights__period">{
                                let span = page.report.period.clone();
                                move || i18n.t_with("insights.home.period", &[
                                    ("from", day(i18n.locale(), &span.first_day)),
                                    ("to", day(i18n.locale(), &span.last_day)),
                                ])
                            }</p>
                            <Headlines report=page.report />
                            <nav class="rapport-insights__doors" aria-label=move || i18n.t("insights.home.pages")>
                                {[
                                    ("/merchant/customers", "insights.customers.title", "insights.home.customers"),
                                    ("/merchant/widgets", "work.title", "insights.home.widgets"),
                                    ("/merchant/reviews", "moderation.title", "insights.home.reviews"),
                                    ("/merchant/questions", "questions.desk.title", "insights.home.questions"),
                                    ("/merchant/tiers", "tiers.admin.title", "insights.home.tiers"),
                                ].into_iter().map(|(href, name, what)| view! {
                                    <a class="rapport-insights__door" href=href>
                                        <strong>{move || i18n.t(name)}</strong>
                                        <span>{move || i18n.t(what)}</span>
                                    </a>
                                }).collect_view()}
                            </nav>
                        }.into_any(),
                        Err(error) if error.needs_sign_in() => view! { <MerchantSignInForm next="/merchant" /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The customers page: segments and how they moved, repeat purchase, new against returning customers by month,
/// and cohorts' retention, for the period in the address (`?from=2026-01-01&to=2026-03-31&compare=previous`).
#[component]
pub fn CustomerInsightsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let asked = move || {
        let query = query.read();
        (query.get("from"), query.get("to"), query.get("compare"))
    };
    let page = Resource::new(asked, |(from, to, compare)| {
        load_customer_insights(from, to, compare)
    });
    view! {
        <Title text=move || i18n.t("insights.customers.title") />
        <section class="shop-section rapport-insights">
            <MerchantHomeLink />
            <h1>{move || i18n.t("insights.customers.title")}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! { <CustomersReport page /> }.into_any(),
                        Err(error) if error.needs_sign_in() => view! {
                            <MerchantSignInForm next="/merchant/customers" />
                        }.into_any(),
                        Err(error) => period_refused("/merchant/customers", asked(), error),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The period's form: a GET to the page itself (`action`), so that it works without JavaScript and the address
/// says what is shown.
#[component]
pub fn PeriodForm(
    action: &'static str,
    from: String,
    to: String,
    compare: Comparison,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="rapport-insights__period-form" method="get" action=action data-testid="insights-period">
            <label>{move || i18n.t("insights.period.from")}<input type="date" name="from" value=from required /></label>
            <label>{move || i18n.t("insights.period.to")}<input type="date" name="to" value=to required /></label>
            <label>{move || i18n.t("insights.period.compare")}
                <select name="compare">
                    <option value="previous" selected=compare == Comparison::Previous>{move || i18n.t("insights.period.previous")}</option>
                    <option value="year_before" selected=compare == Comparison::YearBefore>{move || i18n.t("insights.period.year_before")}</option>
                </select>
            </label>
            <button type="submit" class="rapport-button rapport-button--primary">{move || i18n.t("insights.period.show")}</button>
            <small>{move || i18n.t_with("insights.period.limit", &[("days", format_count(i18n.locale(), MAX_DAYS))])}</small>
        </form>
    }
}

/// The head of a merchant's report: who is signed in, the period's form (a GET to `action`), and the periods shown.
#[component]
pub fn ReportHead(
    action: &'static str,
    merchant: String,
    period: DateSpan,
    comparison: Comparison,
    previous: DateSpan,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let shown = i18n.t_with(
        "insights.period.shown",
        &[
            ("from", day(locale, &period.first_day)),
            ("to", day(locale, &period.last_day)),
            ("before_from", day(locale, &previous.first_day)),
            ("before_to", day(locale, &previous.last_day)),
        ],
    );
    view! {
        <p data-testid="merchant-name">{i18n.t_with("moderation.signed_in_as", &[("name", merchant)])}</p>
        <PeriodForm action from=period.first_day to=period.last_day compare=comparison />
        <p class="rapport-insights__period" data-testid="insights-shown">{shown}</p>
    }
}

/// A report's period that cannot be read: the form again, as it was sent (`asked`: from, to, compare), with what
/// is wrong.
pub fn period_refused(
    action: &'static str,
    asked: (Option<String>, Option<String>, Option<String>),
    error: AppError,
) -> AnyView {
    let (from, to, compare) = asked;
    let compare = match compare.as_deref() {
        Some("year_before") => Comparison::YearBefore,
        _ => Comparison::Previous,
    };
    view! {
        <PeriodForm action from=from.unwrap_or_default() to=to.unwrap_or_default() compare />
        <ErrorNotice error />
    }
    .into_any()
}

/// A month's column of a chart (`month` as `2026-01`): named by the month, grouped by its year, topped by its
/// total.
pub fn month_column(locale: &str, month: &str, parts: Vec<i64>) -> Column {
    let (year, number) = Month::from_label(month).map_or((0, 0), Month::year_month);
    Column {
        name: translate(locale, &format!("date.month.{number}")),
        group: year.to_string(),
        total: format_count(locale, parts.iter().sum()),
        parts,
    }
}

/// Four numbers a merchant reads first.
#[component]
fn Headlines(report: CustomerInsights) -> impl IntoView {
    let i18n = use_i18n();
    let repeat = report.repeat.clone();
    let before: i64 = report
        .segments
        .iter()
        .map(|row| row.previous_customers)
        .sum();
    let cards = move || {
        let locale = i18n.locale();
        let change = repeat.customers - before;
        [
            (
                "insights.headline.customers",
                format_count(locale, repeat.customers),
                i18n.t_with(
                    "insights.headline.before",
                    &[
                        ("count", format_count(locale, before)),
                        (
                            "change",
                            format!(
                                "{}{}",
                                if change > 0 { "+" } else { "" },
                                format_count(locale, change)
                            ),
                        ),
                    ],
                ),
            ),
            (
                "insights.headline.repeat",
                percent(repeat.repeat_customers, repeat.customers),
                i18n.t_count(
                    "insights.headline.repeat_customers",
                    repeat.repeat_customers,
                    &[],
                ),
            ),
            (
                "insights.headline.returning",
                percent(repeat.returning_orders, repeat.orders),
                i18n.t_count("insights.headline.orders", repeat.orders, &[]),
            ),
            (
                "insights.headline.second",
                repeat.median_days_to_second.map_or_else(
                    || "–".to_owned(),
                    |days| i18n.t_with("insights.headline.days", &[("days", format!("{days:.1}"))]),
                ),
                i18n.t_count("insights.headline.second_orders", repeat.second_orders, &[]),
            ),
        ]
    };
    view! {
        <dl class="rapport-insights__headlines" data-testid="insights-headlines">
            {move || cards().into_iter().map(|(name, value, detail)| view! {
                <div class="rapport-insights__headline">
                    <dt>{i18n.t(name)}</dt>
                    <dd><strong>{value}</strong><span>{detail}</span></dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn CustomersReport(page: MerchantCustomers) -> impl IntoView {
    let i18n = use_i18n();
    let MerchantCustomers { merchant, report } = page;
    // Every text and amount is written in the page's language: a switch of language draws the report again.
    move || {
        let report = report.clone();
        view! {
            <ReportHead action="/merchant/customers" merchant=merchant.clone() period=report.period.clone()
                comparison=report.comparison previous=report.previous.clone() />
            {(report.other_currency_orders > 0).then(|| view! {
                <p class="rapport-notice">{i18n.t_count("insights.other_currency", report.other_currency_orders, &[("currency", report.currency.clone())])}</p>
            })}
            <Headlines report=report.clone() />
            <Segments report=report.clone() />
            <Movement report=report.clone() />
            <NewAndReturning report=report.clone() />
            <Cohorts report=report.clone() />
            <Tiers report=report.clone() />
            <section class="rapport-insights__section">
                <h2>{i18n.t("insights.rules.title")}</h2>
                <ul class="rapport-insights__rules">
                    {["orders", "rfm", "new", "repeat", "cohorts", "time"].map(|rule| view! {
                        <li>{i18n.t(&format!("insights.rules.{rule}"))}</li>
                    }).collect_view()}
                </ul>
            </section>
        }
    }
}

#[component]
fn Segments(report: CustomerInsights) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let money = |minor| i18n.money(&Money::new(minor, &report.currency));
    let customers: i64 = report.segments.iter().map(|row| row.customers).sum();
    let rows = report
        .segments
        .iter()
        .map(|row| {
            (
                segment_name(i18n, row.segment),
                vec![
                    Amount {
                        value: row.customers,
                        shown: format_count(locale, row.customers),
                    },
                    Amount {
                        value: row.previous_customers,
                        shown: format_count(locale, row.previous_customers),
                    },
                ],
            )
        })
        .collect();
    view! {
        <section class="rapport-insights__section" aria-labelledby="insights-segments">
            <h2 id="insights-segments">{i18n.t("insights.segments.title")}</h2>
            <p>{i18n.t("insights.segments.help")}</p>
            <BarChart
                    label=i18n.t("insights.segments.chart")
                    series=vec![i18n.t("insights.series.period"), i18n.t("insights.series.before")]
                    rows
                />
                {table_box(i18n, "insights.segments.title", csv_href("segments", &report), view! {
                    <table data-testid="insights-segments">
                        <thead><tr>
                            <th scope="col">{i18n.t("insights.segments.segment")}</th>
                            <th scope="col">{i18n.t("insights.segments.customers")}</th>
                            <th scope="col">{i18n.t("insights.segments.share")}</th>
                            <th scope="col">{i18n.t("insights.series.before")}</th>
                            <th scope="col">{i18n.t("insights.segments.orders")}</th>
                            <th scope="col">{i18n.t("insights.segments.value")}</th>
                            <th scope="col"><span class="rapport-visually-hidden">{i18n.t("insights.segments.export")}</span></th>
                        </tr></thead>
                        <tbody>
                            {report.segments.iter().map(|row| {
                                let name = segment_name(i18n, row.segment);
                                let export = format!(
                                    "/merchant/customers/{}.csv?from={}&to={}",
                                    row.segment.code(), report.period.first_day, report.period.last_day
                                );
                                view! {
                                    <tr data-segment=row.segment.code()>
                                        <th scope="row">{name.clone()}</th>
                                        <td>{format_count(locale, row.customers)}</td>
                                        <td>{percent(row.customers, customers)}</td>
                                        <td>{format_count(locale, row.previous_customers)}</td>
                                        <td>{format_count(locale, row.orders)}</td>
                                        <td>{money(row.value_minor)}</td>
                                        <td><a href=export download aria-label=i18n.t_with("insights.segments.export_one", &[("segment", name)])>"CSV"</a></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            <details class="rapport-insights__grid">
                <summary>{i18n.t("insights.segments.rules")}</summary>
                <table>
                    <thead><tr>
                        <td></td>
                        {["1–2", "3", "4–5"].map(|scores| view! {
                            <th scope="col">{i18n.t_with("insights.grid.frequency_monetary", &[("scores", scores.to_owned())])}</th>
                        }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {[
                            ("4–5", [Segment::Promising, Segment::Loyal, Segment::Champions]),
                            ("3", [Segment::NeedsAttention, Segment::Loyal, Segment::Loyal]),
                            ("2", [Segment::Hibernating, Segment::AtRisk, Segment::AtRisk]),
                            ("1", [Segment::Lost, Segment::AtRisk, Segment::AtRisk]),
                        ].map(|(recency, cells)| view! {
                            <tr>
                                <th scope="row">{i18n.t_with("insights.grid.recency", &[("scores", recency.to_owned())])}</th>
                                {cells.map(|segment| view! { <td>{segment_name(i18n, segment)}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p>{i18n.t("insights.rules.rfm")}</p>
            </details>
        </section>
    }
}

#[component]
fn Movement(report: CustomerInsights) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let sides: Vec<Option<Segment>> = Segment::ALL.into_iter().map(Some).chain([None]).collect();
    let name = move |side: Option<Segment>| match side {
        Some(segment) => segment_name(i18n, segment),
        None => i18n.t("insights.movement.none"),
    };
    let count = |from: Option<Segment>, to: Option<Segment>| {
        report
            .movement
            .iter()
            .find(|m| m.from == from && m.to == to)
            .map_or(0, |m| m.customers)
    };
    view! {
        <section class="rapport-insights__section" aria-labelledby="insights-movement">
            <h2 id="insights-movement">{i18n.t("insights.movement.title")}</h2>
            <p>{i18n.t("insights.movement.help")}</p>
            {table_box(i18n, "insights.movement.title", csv_href("movement", &report), view! {
                <table data-testid="insights-movement" class="rapport-insights__matrix">
                    <thead><tr>
                        <th scope="col">{i18n.t("insights.movement.corner")}</th>
                        {sides.iter().map(|to| view! { <th scope="col">{name(*to)}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {sides.iter().map(|from| view! {
                            <tr>
                                <th scope="row">{name(*from)}</th>
                                {sides.iter().map(|to| {
                                    let customers = count(*from, *to);
                                    let stayed = from.is_some() && from == to;
                                    view! {
                                        <td class:rapport-insights__stayed=stayed class:rapport-insights__zero=customers == 0>
                                            {(from.is_some() || to.is_some()).then(|| format_count(locale, customers))}
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn NewAndReturning(report: CustomerInsights) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let money = |minor| i18n.money(&Money::new(minor, &report.currency));
    let columns = report
        .months
        .iter()
        .map(|m| month_column(locale, &m.month, vec![m.new_orders, m.returning_orders]))
        .collect();
    let row = |m: &MonthFigures| {
        view! {
            <tr>
                <th scope="row">{month(locale, &m.month)}</th>
                <td>{format_count(locale, m.new_customers)}</td>
                <td>{format_count(locale, m.new_orders)}</td>
                <td>{money(m.new_value_minor)}</td>
                <td>{format_count(locale, m.returning_customers)}</td>
                <td>{format_count(locale, m.returning_orders)}</td>
                <td>{money(m.returning_value_minor)}</td>
            </tr>
        }
    };
    view! {
        <section class="rapport-insights__section" aria-labelledby="insights-months">
            <h2 id="insights-months">{i18n.t("insights.months.title")}</h2>
            <p>{i18n.t("insights.rules.new")}</p>
            <StackedColumns
                label=i18n.t("insights.months.chart")
                series=vec![i18n.t("insights.months.new_orders"), i18n.t("insights.months.returning_orders")]
                columns
            />
            {table_box(i18n, "insights.months.title", csv_href("months", &report), view! {
                <table data-testid="insights-months">
                    <thead>
                        <tr>
                            <td></td>
                            <th scope="colgroup" colspan="3">{i18n.t("insights.months.new")}</th>
                            <th scope="colgroup" colspan="3">{i18n.t("insights.months.returning")}</th>
                        </tr>
                        <tr>
                            <th scope="col">{i18n.t("insights.months.month")}</th>
                            {[0, 1].map(|_| view! {
                                <th scope="col">{i18n.t("insights.segments.customers")}</th>
                                <th scope="col">{i18n.t("insights.segments.orders")}</th>
                                <th scope="col">{i18n.t("insights.segments.value")}</th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{report.months.iter().map(row).collect_view()}</tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn Cohorts(report: CustomerInsights) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let widest = report.cohort_width();
    let offsets: Vec<String> = (0..widest)
        .map(|offset| i18n.t_with("insights.cohorts.offset", &[("n", offset.to_string())]))
        .collect();
    let rows = report
        .cohorts
        .iter()
        .map(|cohort| {
            let cells = (0..widest)
                .map(|offset| {
                    cohort.active.get(offset).map(|active| {
                        let share = if cohort.customers > 0 {
                            *active as f64 / cohort.customers as f64
                        } else {
                            0.0
                        };
                        // Whole percents fit a cell; the table beside has the counts.
                        (share, format!("{:.0}%", share * 100.0))
                    })
                })
                .collect();
            (month(locale, &cohort.month), cells)
        })
        .collect();
    view! {
        <section class="rapport-insights__section" aria-labelledby="insights-cohorts">
            <h2 id="insights-cohorts">{i18n.t("insights.cohorts.title")}</h2>
            <p>{i18n.t_with("insights.cohorts.help", &[("months", COHORT_MONTHS.to_string())])}</p>
            <HeatMap label=i18n.t("insights.cohorts.chart") columns=(0..widest).map(|offset| offset.to_string()).collect() rows />
            {table_box(i18n, "insights.cohorts.title", csv_href("cohorts", &report), view! {
                <table data-testid="insights-cohorts">
                    <thead><tr>
                        <th scope="col">{i18n.t("insights.cohorts.cohort")}</th>
                        <th scope="col">{i18n.t("insights.segments.customers")}</th>
                        {offsets.into_iter().map(|name| view! { <th scope="col">{name}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {report.cohorts.iter().map(|cohort| view! {
                            <tr>
                                <th scope="row">{month(locale, &cohort.month)}</th>
                                <td>{format_count(locale, cohort.customers)}</td>
                                {(0..widest).map(|offset| view! {
                                    <td>{cohort.active.get(offset).map(|active| format_count(locale, *active))}</td>
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

#[component]
fn Tiers(report: CustomerInsights) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let money = |minor| i18n.money(&Money::new(minor, &report.currency));
    let name = |names: &std::collections::BTreeMap<String, String>, code: &str| {
        names
            .get(locale)
            .or_else(|| names.get("en"))
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    };
    let rows = report
        .tiers
        .iter()
        .map(|tier| {
            (
                name(&tier.names, &tier.code),
                vec![Amount {
                    value: tier.value_minor,
                    shown: money(tier.value_minor),
                }],
            )
        })
        .collect();
    view! {
        <section class="rapport-insights__section" aria-labelledby="insights-tiers">
            <h2 id="insights-tiers">{i18n.t("insights.tiers.title")}</h2>
            <p>{i18n.t("insights.tiers.help")}</p>
            <BarChart label=i18n.t("insights.tiers.chart") series=vec![i18n.t("insights.segments.value")] rows />
            {table_box(i18n, "insights.tiers.title", csv_href("tiers", &report), view! {
                <table data-testid="insights-tiers">
                    <thead><tr>
                        <th scope="col">{i18n.t("tiers.tier")}</th>
                        <th scope="col">{i18n.t("insights.tiers.members")}</th>
                        <th scope="col">{i18n.t("insights.tiers.customers")}</th>
                        <th scope="col">{i18n.t("insights.segments.orders")}</th>
                        <th scope="col">{i18n.t("insights.segments.value")}</th>
                        <th scope="col">{i18n.t("insights.tiers.per_customer")}</th>
                    </tr></thead>
                    <tbody>
                        {report.tiers.iter().map(|tier| view! {
                            <tr data-tier=tier.code.clone()>
                                <th scope="row">{name(&tier.names, &tier.code)}</th>
                                <td>{format_count(locale, tier.members)}</td>
                                <td>{format_count(locale, tier.customers)} " (" {percent(tier.customers, tier.members)} ")"</td>
                                <td>{format_count(locale, tier.orders)}</td>
                                <td>{money(tier.value_minor)}</td>
                                <td>{if tier.customers > 0 { money(tier.value_minor / tier.customers) } else { "–".to_owned() }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
