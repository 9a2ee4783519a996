//! The merchant pages' CSV downloads: the customers page's tables, every customer of a segment, and the tables of
//! "Widgets at work". They answer
//! the merchant's session cookie, as the pages do; the merchant API serves the same figures to API keys.

use crate::api::ApiError;
use crate::api::insights::{csv_response, query as read_query, widgets_at_work};
use crate::state::AppState;
use app::identity::merchant::merchant_of;
use app::insights::csv::{self, Table};
use app::insights::rules::report_periods;
use app::insights::{Segment, ssr as insights};
use app::kernel::error::AppError;
use app::kernel::time::now;
use app::merchant::csv::{self as merchant_csv, Table as WidgetTable};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use http::HeaderMap;
use serde::Deserialize;

/// Which table, and its period as the page showed it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableQuery {
    table: String,
    from: Option<String>,
    to: Option<String>,
    compare: Option<String>,
}

/// A segment's period.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `/merchant/customers.csv?table=segments|movement|months|cohorts|tiers&from=…&to=…&compare=…`
pub async fn customers_table(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    merchant_of(&state.identity, &headers)?;
    let query = read_query(query)?;
    let table = Table::from_code(&query.table).ok_or_else(|| {
        AppError::invalid(
            "table",
            "the table is one of segments, movement, months, cohorts, tiers",
        )
    })?;
    let (period, comparison, previous) = report_periods(
        query.from.as_deref(),
        query.to.as_deref(),
        query.compare.as_deref(),
        now(),
    )?;
    let report =
        insights::customer_insights(&state.db, &state.insights, period, comparison, previous)
            .await?;
    let name = format!(
        "customers-{}-{}-{}.csv",
        table.code(),
        report.period.first_day,
        report.period.last_day
    );
    Ok(csv_response(csv::table(&report, table), &name))
}

/// `/merchant/widgets.csv?table=alerts|most_wished|not_bought|price_drops|reviews|tiers|tier_reviews|feed&from=…`
pub async fn widgets_table(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    merchant_of(&state.identity, &headers)?;
    let query = read_query(query)?;
    let table = WidgetTable::from_code(&query.table).ok_or_else(|| {
        AppError::invalid(
            "table",
            format!(
                "the table is one of {}",
                WidgetTable::ALL.map(WidgetTable::code).join(", ")
            ),
        )
    })?;
    let report = widgets_at_work(
        &state,
        query.from.as_deref(),
        query.to.as_deref(),
        query.compare.as_deref(),
    )
    .await?;
    let name = format!(
        "widgets-{}-{}-{}.csv",
        table.code(),
        report.period.first_day,
        report.period.last_day
    );
    Ok(csv_response(merchant_csv::table(&report, table), &name))
}

/// `/merchant/customers/<segment>.csv?from=…&to=…`: every customer of the segment, highest spenders first.
pub async fn segment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    merchant_of(&state.identity, &headers)?;
    let segment = file
        .strip_suffix(".csv")
        .and_then(Segment::from_code)
        .ok_or_else(|| AppError::not_found(Some("segment".into()), "there is no such segment"))?;
    let query = read_query(query)?;
    let (period, _, _) = report_periods(query.from.as_deref(), query.to.as_deref(), None, now())?;
    let everyone =
        insights::segment_members(&state.db, &state.insights, period, segment, 1, i64::MAX).await?;
    let name = format!(
        "{}-{}-{}.csv",
        segment.code(),
        everyone.period.first_day,
        everyone.period.last_day
    );
    Ok(csv_response(csv::members(&everyone), &name))
}
