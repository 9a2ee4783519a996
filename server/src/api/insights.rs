//! The merchant API's insights: the customers page's figures as JSON, and a segment's customers, paged, as JSON
//! or CSV for a store's own email tool.

use super::{ApiError, ApiPath};
use crate::state::AppState;
use app::insights::rules::report_periods;
use app::insights::ssr::{self as insights, MAX_PAGE, MAX_PER_PAGE};
use app::insights::{CustomerInsights, Segment, SegmentMembers};
use app::kernel::error::AppError;
use app::kernel::time::now;
use app::merchant::WidgetReport;
use app::merchant::ssr::widget_report;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::header;
use serde::Deserialize;

/// The period of a report.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// The first day, `2026-01-01` (default: 364 days before `to`).
    pub from: Option<String>,
    /// The last day, included (default: today, UTC). A period covers at most 1,096 days, both ends included.
    pub to: Option<String>,
    /// `previous` (the same number of days just before, the default) or `year_before` (the same dates a year
    /// earlier).
    pub compare: Option<String>,
}

/// A page of a segment's customers over a period.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// The first day, `2026-01-01` (default: 364 days before `to`).
    pub from: Option<String>,
    /// The last day, included (default: today, UTC).
    pub to: Option<String>,
    /// The page, from 1 (default 1) to 1,000,000.
    #[serde(default = "first_page")]
    pub page: i64,
    /// Customers per page, 1 to 1,000 (default 100).
    #[serde(default = "default_per_page")]
    pub per_page: i64,
}

fn first_page() -> i64 {
    1
}

fn default_per_page() -> i64 {
    100
}

/// A date, comparison or other word of the query as sent: the page's form sends blanks for "the default", the API
/// takes them out instead.
fn exact(field: &str, value: &Option<String>) -> Result<(), ApiError> {
    match value {
        Some(text) if text.is_empty() || text.trim() != text => Err(AppError::invalid(
            field,
            format!("leave {field} out for its default, or give it without spaces"),
        )
        .into()),
        _ => Ok(()),
    }
}

/// A query string read, or a 422 saying what in it could not be.
pub fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query
        .map(|Query(query)| query)
        .map_err(|rejection| AppError::invalid("query", rejection.body_text()).into())
}

/// RFM segments and how customers moved between them, the repeat-purchase rate and time to a second order, new
/// against returning customers per month, and monthly cohorts' retention: the merchant's customers page. Amounts
/// are in minor units of the store's currency (`RAPPORT_STORE_CURRENCY`); the rules are in the page's "How these
/// are counted" and in `app/src/insights/rules.rs`.
#[utoipa::path(get, path = "/api/v1/insights/customers", params(PeriodQuery), security(("api_key" = [])),
    responses((status = 200, body = CustomerInsights), (status = "4XX", body = AppError)))]
pub async fn get_customer_insights(
    State(state): State<AppState>,
    asked: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<CustomerInsights>, ApiError> {
    let asked = query(asked)?;
    exact("from", &asked.from)?;
    exact("to", &asked.to)?;
    exact("compare", &asked.compare)?;
    let (period, comparison, previous) = report_periods(
        asked.from.as_deref(),
        asked.to.as_deref(),
        asked.compare.as_deref(),
        now(),
    )?;
    Ok(Json(
        insights::customer_insights(&state.db, &state.insights, period, comparison, previous)
            .await?,
    ))
}

/// What the widgets did in a period: alerts set up, notices given, seen and clicked, and the products the notified
/// shoppers bought within 7 days; wish-list saves, the most wished, the wished but not bought, and the price drops
/// that turned saves into orders; reviews per month and stars, verified, moderated and voted on, and the
/// moderation queue's wait now; members per tier at each month's end and the moves of each review; and for each
/// shelf of recommendations (the home feed's sections, the product pages' lists), the cards seen, the clicks and
/// the click-through in percent. The period's headline figures are in `headlines`, the comparison period's in
/// `before`. Amounts are in minor units of the store's currency; the rules are in the page's "How these are
/// counted", in `app/src/merchant/rules.rs` and `app/src/feed/feedback.rs`.
#[utoipa::path(get, path = "/api/v1/insights/widgets", params(PeriodQuery), security(("api_key" = [])),
    responses((status = 200, body = WidgetReport), (status = "4XX", body = AppError)))]
pub async fn get_widget_report(
    State(state): State<AppState>,
    asked: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<WidgetReport>, ApiError> {
    let asked = query(asked)?;
    exact("from", &asked.from)?;
    exact("to", &asked.to)?;
    exact("compare", &asked.compare)?;
    Ok(Json(
        widgets_at_work(
            &state,
            asked.from.as_deref(),
            asked.to.as_deref(),
            asked.compare.as_deref(),
        )
        .await?,
    ))
}

/// The widgets' report for the period asked (`from`, `to`, `compare`, as [`report_periods`] reads them).
pub async fn widgets_at_work(
    state: &AppState,
    from: Option<&str>,
    to: Option<&str>,
    compare: Option<&str>,
) -> Result<WidgetReport, ApiError> {
    let today = now();
    let (period, comparison, previous) = report_periods(from, to, compare, today)?;
    let currency = &state.insights.policy.currency;
    Ok(widget_report(&state.db, currency, period, comparison, previous, today).await?)
}

async fn members_page(
    state: &AppState,
    segment: &str,
    asked: MembersQuery,
) -> Result<SegmentMembers, ApiError> {
    let segment = Segment::from_code(segment).ok_or_else(|| {
        AppError::not_found(
            Some("segment".into()),
            format!(
                "there is no segment \"{segment}\"; the segments are {}",
                Segment::ALL.map(Segment::code).join(", ")
            ),
        )
    })?;
    exact("from", &asked.from)?;
    exact("to", &asked.to)?;
    if !(1..=MAX_PAGE).contains(&asked.page) {
        return Err(AppError::invalid("page", format!("pages count from 1 to {MAX_PAGE}")).into());
    }
    if !(1..=MAX_PER_PAGE).contains(&asked.per_page) {
        return Err(
            AppError::invalid("per_page", format!("must be from 1 to {MAX_PER_PAGE}")).into(),
        );
    }
    let (period, _, _) = report_periods(asked.from.as_deref(), asked.to.as_deref(), None, now())?;
    Ok(insights::segment_members(
        &state.db,
        &state.insights,
        period,
        segment,
        asked.page,
        asked.per_page,
    )
    .await?)
}

/// A segment's customers over a period, highest spenders first, a page at a time, with their store ids, emails
/// and scores.
#[utoipa::path(get, path = "/api/v1/insights/segments/{segment}",
    params(("segment" = Segment, Path, description = "The segment"), MembersQuery), security(("api_key" = [])),
    responses((status = 200, body = SegmentMembers), (status = "4XX", body = AppError)))]
pub async fn get_segment_members(
    State(state): State<AppState>,
    ApiPath(segment): ApiPath<String>,
    asked: Result<Query<MembersQuery>, QueryRejection>,
) -> Result<Json<SegmentMembers>, ApiError> {
    Ok(Json(members_page(&state, &segment, query(asked)?).await?))
}

/// The same page of a segment's customers as CSV (RFC 4180, a header line first).
#[utoipa::path(get, path = "/api/v1/insights/segments/{segment}/csv",
    params(("segment" = Segment, Path, description = "The segment"), MembersQuery), security(("api_key" = [])),
    responses((status = 200, body = String, content_type = "text/csv"), (status = "4XX", body = AppError)))]
pub async fn get_segment_members_csv(
    State(state): State<AppState>,
    ApiPath(segment): ApiPath<String>,
    asked: Result<Query<MembersQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let page = members_page(&state, &segment, query(asked)?).await?;
    let name = format!(
        "{}-{}-{}.csv",
        page.segment.code(),
        page.period.first_day,
        page.period.last_day
    );
    Ok(csv_response(app::insights::csv::members(&page), &name))
}

/// A CSV download named `name`.
pub fn csv_response(body: String, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}
