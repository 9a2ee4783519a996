//! The merchant API's handlers: each parses its body, calls the one store function for its operation, and answers.

use super::{ApiCaller, ApiError, ApiJson, ApiPath, idempotency_key};
use crate::state::AppState;
use app::alerts::{FailedNotice, ProductAlertReport, ssr as alerts};
use app::catalog::{CategoryInput, PriceChange, ProductInput, StockChange, ssr as catalog};
use app::events::{EventInput, ssr as events};
use app::flows::ORDER_FLOWS;
use app::identity::{ShopperInput, ssr as identity};
use app::kernel::error::AppError;
use app::kernel::time::now;
use app::kernel::validate::UpsertSummary;
use app::orders::{
    FulfilmentInput, FulfilmentState, OrderInput, OrderOutcome, RefundInput, ssr as orders,
};
use app::reviews::{
    ModerationDecision, ModerationEntry, ModerationItem, ModerationQueue, Review, ssr as reviews,
};
use app::tiers::{MemberStanding, TierPreview, TierRules, TiersOverview, ssr as tiers};
use app::wishlist::{MostWished, ssr as wishlist};
use axum::Extension;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most rows one page of a merchant report holds.
pub const MAX_PAGE: i64 = 200;
/// The most failed notices one resend names.
pub const MAX_RESEND: usize = 1000;

/// Refuses a page of a list that asks for no rows, more than [`MAX_PAGE`], or starts before the first.
pub fn page_bounds(limit: i64, offset: i64) -> Result<(), AppError> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("must be from 1 to {MAX_PAGE}"),
        ));
    }
    if offset < 0 {
        return Err(AppError::invalid("offset", "must not be negative"));
    }
    Ok(())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryBatch {
    pub categories: Vec<CategoryInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBatch {
    pub products: Vec<ProductInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceBatch {
    pub prices: Vec<PriceChange>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockBatch {
    pub stock: Vec<StockChange>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShopperBatch {
    pub shoppers: Vec<ShopperInput>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    pub events: Vec<EventInput>,
}

/// How many rows a change request changed.
#[derive(Serialize, ToSchema)]
pub struct Changed {
    pub changed: u64,
}

/// How many events were recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    pub recorded: u64,
}

/// Creates or replaces categories; all or none.
#[utoipa::path(put, path = "/api/v1/categories", request_body = CategoryBatch, security(("api_key" = [])),
    responses((status = 200, body = UpsertSummary), (status = "4XX", body = AppError)))]
pub async fn put_categories(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<CategoryBatch>,
) -> Result<Json<UpsertSummary>, ApiError> {
    Ok(Json(
        catalog::upsert_categories(&state.db, &batch.categories).await?,
    ))
}

/// Creates or replaces products by SKU; all or none. New prices and stock levels go into their history.
#[utoipa::path(put, path = "/api/v1/products", request_body = ProductBatch, security(("api_key" = [])),
    responses((status = 200, body = UpsertSummary), (status = "4XX", body = AppError)))]
pub async fn put_products(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<ProductBatch>,
) -> Result<Json<UpsertSummary>, ApiError> {
    Ok(Json(
        catalog::upsert_products(&state.db, &batch.products, &state.catalog_flows(), now()).await?,
    ))
}

/// Changes prices of existing products; all or none. Each change is recorded in the price history.
#[utoipa::path(post, path = "/api/v1/prices", request_body = PriceBatch, security(("api_key" = [])),
    responses((status = 200, body = Changed), (status = "4XX", body = AppError)))]
pub async fn post_prices(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<PriceBatch>,
) -> Result<Json<Changed>, ApiError> {
    Ok(Json(Changed {
        changed: catalog::change_prices(&state.db, &batch.prices, &state.catalog_flows(), now())
            .await?,
    }))
}

/// Changes stock levels of existing products; all or none.
#[utoipa::path(post, path = "/api/v1/stock", request_body = StockBatch, security(("api_key" = [])),
    responses((status = 200, body = Changed), (status = "4XX", body = AppError)))]
pub async fn post_stock(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<StockBatch>,
) -> Result<Json<Changed>, ApiError> {
    Ok(Json(Changed {
        changed: catalog::change_stock(&state.db, &batch.stock, &state.catalog_flows(), now())
            .await?,
    }))
}

/// Creates or updates shoppers by the store's shopper id; all or none.
#[utoipa::path(put, path = "/api/v1/shoppers", request_body = ShopperBatch, security(("api_key" = [])),
    responses((status = 200, body = UpsertSummary), (status = "4XX", body = AppError)))]
pub async fn put_shoppers(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<ShopperBatch>,
) -> Result<Json<UpsertSummary>, ApiError> {
    Ok(Json(
        identity::upsert_shoppers(&state.db, &batch.shoppers, now()).await?,
    ))
}

/// Records a paid order; an unpaid order reported under the same number is paid, and its reminder, if not sent yet,
/// withdrawn. Needs an `Idempotency-Key` header: a retry with the same key and body is answered
/// with 200 and the first outcome, and records nothing.
#[utoipa::path(post, path = "/api/v1/orders", request_body = OrderInput, security(("api_key" = [])),
    params(("Idempotency-Key" = String, Header, description = "A key unique to this order request")),
    responses((status = 201, body = OrderOutcome), (status = 200, description = "a replay", body = OrderOutcome), (status = "4XX", body = AppError)))]
pub async fn post_order(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(order): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<OrderOutcome>), ApiError> {
    let key = idempotency_key(&headers)?;
    let outcome = orders::record_order(&state.db, &key, &order, &ORDER_FLOWS, now()).await?;
    Ok((
        if outcome.replayed {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        Json(outcome),
    ))
}

/// Refunds part or all of an order. Needs an `Idempotency-Key` header, like orders.
#[utoipa::path(post, path = "/api/v1/orders/{order_id}/refunds", request_body = RefundInput, security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number"),
           ("Idempotency-Key" = String, Header, description = "A key unique to this refund request")),
    responses((status = 201, body = OrderOutcome), (status = 200, description = "a replay", body = OrderOutcome), (status = "4XX", body = AppError)))]
pub async fn post_refund(
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(refund): ApiJson<RefundInput>,
) -> Result<(StatusCode, Json<OrderOutcome>), ApiError> {
    let key = idempotency_key(&headers)?;
    let outcome =
        orders::record_refund(&state.db, &key, &order_id, &refund, &ORDER_FLOWS, now()).await?;
    Ok((
        if outcome.replayed {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        Json(outcome),
    ))
}

/// Reports that an order was shipped or delivered (`at`, now when absent). A reported delivery starts the
/// order's review request: `--review-request-days` later (7 by default) its buyer is emailed once, with star links
/// to review each product they have not reviewed. Reporting again moves the time; a cancelled order is a 409.
#[utoipa::path(post, path = "/api/v1/orders/{order_id}/fulfilment", request_body = FulfilmentInput,
    security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number")),
    responses((status = 200, body = FulfilmentState), (status = "4XX", body = AppError)))]
pub async fn post_fulfilment(
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<String>,
    ApiJson(input): ApiJson<FulfilmentInput>,
) -> Result<Json<FulfilmentState>, ApiError> {
    Ok(Json(
        orders::record_fulfilment(&state.db, &order_id, &input, now()).await?,
    ))
}

/// Cancels a paid order without refunds.
#[utoipa::path(post, path = "/api/v1/orders/{order_id}/cancel", security(("api_key" = [])),
    params(("order_id" = String, Path, description = "The store's order number")),
    responses((status = 200, body = OrderOutcome), (status = "4XX", body = AppError)))]
pub async fn post_cancel(
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<String>,
) -> Result<Json<OrderOutcome>, ApiError> {
    Ok(Json(
        orders::cancel_order(&state.db, &order_id, &ORDER_FLOWS, now()).await?,
    ))
}

/// Records shopper events; all or none.
#[utoipa::path(post, path = "/api/v1/events", request_body = EventBatch, security(("api_key" = [])),
    responses((status = 200, body = Recorded), (status = "4XX", body = AppError)))]
pub async fn post_events(
    State(state): State<AppState>,
    ApiJson(batch): ApiJson<EventBatch>,
) -> Result<Json<Recorded>, ApiError> {
    Ok(Json(Recorded {
        recorded: events::record_batch(&state.db, &batch.events, now()).await?,
    }))
}

/// Which moderation queue to list, and which page of it.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `pending` (default), `reported`, `rejected` or `published`.
    #[serde(default)]
    pub queue: ModerationQueue,
    /// Reviews to skip.
    #[serde(default)]
    pub offset: i64,
    /// Reviews to return, 1 to 200 (default 50).
    #[serde(default = "default_queue_limit")]
    pub limit: i64,
}

fn default_queue_limit() -> i64 {
    50
}

/// A page of a moderation queue.
#[derive(Serialize, ToSchema)]
pub struct ModerationList {
    pub reviews: Vec<ModerationItem>,
}

/// A review's moderation history.
#[derive(Serialize, ToSchema)]
pub struct ModerationHistory {
    pub entries: Vec<ModerationEntry>,
}

/// Why a review is rejected; its author sees the reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub reason: String,
}

/// Lists reviews waiting for a decision (`pending`, `reported`) or decided (`rejected`, `published`).
#[utoipa::path(get, path = "/api/v1/reviews", params(QueueQuery), security(("api_key" = [])),
    responses((status = 200, body = ModerationList), (status = "4XX", body = AppError)))]
pub async fn get_reviews(
    State(state): State<AppState>,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<ModerationList>, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        AppError::invalid(
            "query",
            format!(
                "{}; queue is one of pending, reported, rejected, published",
                rejection.body_text()
            ),
        )
    })?;
    page_bounds(query.limit, query.offset)?;
    Ok(Json(ModerationList {
        reviews: reviews::moderation_queue(&state.db, query.queue, query.offset, query.limit)
            .await?,
    }))
}

/// Everything that happened to a review: who wrote, edited, reported, approved, rejected or restored it, and when.
#[utoipa::path(get, path = "/api/v1/reviews/{review_id}/history", security(("api_key" = [])),
    params(("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = ModerationHistory), (status = "4XX", body = AppError)))]
pub async fn get_review_history(
    State(state): State<AppState>,
    ApiPath(review_id): ApiPath<i64>,
) -> Result<Json<ModerationHistory>, ApiError> {
    Ok(Json(ModerationHistory {
        entries: reviews::moderation_history(&state.db, review_id).await?,
    }))
}

async fn decide(
    state: &AppState,
    caller: &ApiCaller,
    review_id: i64,
    decision: ModerationDecision,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(
        reviews::decide(
            &state.db,
            review_id,
            &decision,
            &caller.0,
            &state.reviews.policy,
            &*state.reviews.then,
            now(),
        )
        .await?,
    ))
}

/// Publishes a pending or reported review (its open reports are dismissed). 409 if it is not pending.
#[utoipa::path(post, path = "/api/v1/reviews/{review_id}/approve", security(("api_key" = [])),
    params(("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = Review), (status = "4XX", body = AppError)))]
pub async fn post_review_approve(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ApiPath(review_id): ApiPath<i64>,
) -> Result<Json<Review>, ApiError> {
    decide(&state, &caller, review_id, ModerationDecision::Approve).await
}

/// Rejects a review with a reason its author sees. 409 if it is already rejected.
#[utoipa::path(post, path = "/api/v1/reviews/{review_id}/reject", request_body = Rejection, security(("api_key" = [])),
    params(("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = Review), (status = "4XX", body = AppError)))]
pub async fn post_review_reject(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ApiPath(review_id): ApiPath<i64>,
    ApiJson(rejection): ApiJson<Rejection>,
) -> Result<Json<Review>, ApiError> {
    let decision = ModerationDecision::Reject {
        reason: rejection.reason,
    };
    decide(&state, &caller, review_id, decision).await
}

/// Publishes again a rejected review. 409 if it is not rejected.
#[utoipa::path(post, path = "/api/v1/reviews/{review_id}/restore", security(("api_key" = [])),
    params(("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = Review), (status = "4XX", body = AppError)))]
pub async fn post_review_restore(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ApiPath(review_id): ApiPath<i64>,
) -> Result<Json<Review>, ApiError> {
    decide(&state, &caller, review_id, ModerationDecision::Restore).await
}

/// The shop's public reply to a review.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    pub body: String,
}

/// Replies to a review in public, shown under it with the shop's name (`RAPPORT_SHOP_NAME`) once it is published;
/// replaces an earlier reply, which the reply's history keeps (`GET /api/v1/reviews` lists it with each review).
#[utoipa::path(put, path = "/api/v1/reviews/{review_id}/reply", request_body = ReplyInput, security(("api_key" = [])),
    params(("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = Review), (status = "4XX", body = AppError)))]
pub async fn put_review_reply(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ApiPath(review_id): ApiPath<i64>,
    ApiJson(reply): ApiJson<ReplyInput>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(
        reviews::reply(&state.db, review_id, Some(&reply.body), &caller.0, now()).await?,
    ))
}

/// Takes the shop's reply to a review down; the reply's history keeps it. Taking down a reply that is not there
/// changes nothing.
#[utoipa::path(delete, path = "/api/v1/reviews/{review_id}/reply", security(("api_key" = [])),
    params(("review_id" = i64, Path, description = "The review's id")),
    responses((status = 200, body = Review), (status = "4XX", body = AppError)))]
pub async fn delete_review_reply(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ApiPath(review_id): ApiPath<i64>,
) -> Result<Json<Review>, ApiError> {
    Ok(Json(
        reviews::reply(&state.db, review_id, None, &caller.0, now()).await?,
    ))
}

/// Takes one photo off a review and keeps the rest of it (the moderation history records it); the photo's files
/// are removed unless another review names the same picture.
#[utoipa::path(delete, path = "/api/v1/reviews/{review_id}/photos/{photo_id}", security(("api_key" = [])),
    params(("review_id" = i64, Path, description = "The review's id"), ("photo_id" = i64, Path, description = "The photo's id")),
    responses((status = 200, body = Review), (status = "4XX", body = AppError)))]
pub async fn delete_review_photo(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ApiPath((review_id, photo_id)): ApiPath<(i64, i64)>,
) -> Result<Json<Review>, ApiError> {
    let (review, keys) =
        reviews::remove_photo(&state.db, review_id, photo_id, &caller.0, now()).await?;
    // The photo is off the review either way: a file left behind costs disk, not the merchant's decision.
    if let Err(error) = reviews::forget_unnamed(&state.db, &state.photos.files, &keys).await {
        tracing::warn!(
            ?error,
            "a removed review photo's files could not be forgotten"
        );
    }
    Ok(Json(review))
}

/// How many of the most wished products to list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MostWishedQuery {
    /// 1 to 200 (default 20).
    #[serde(default = "default_most_wished_limit")]
    pub limit: i64,
}

fn default_most_wished_limit() -> i64 {
    20
}

/// The products in the most shoppers' wish lists.
#[derive(Serialize, ToSchema)]
pub struct MostWishedList {
    pub products: Vec<MostWished>,
}

/// The products most shoppers (and guests) keep in a wish list, most wished first.
#[utoipa::path(get, path = "/api/v1/wishlists/most-wished", params(MostWishedQuery), security(("api_key" = [])),
    responses((status = 200, body = MostWishedList), (status = "4XX", body = AppError)))]
pub async fn get_most_wished(
    State(state): State<AppState>,
    query: Result<Query<MostWishedQuery>, QueryRejection>,
) -> Result<Json<MostWishedList>, ApiError> {
    let Query(query) =
        query.map_err(|rejection| AppError::invalid("query", rejection.body_text()))?;
    page_bounds(query.limit, 0)?;
    Ok(Json(MostWishedList {
        products: wishlist::most_wished(&state.db, query.limit).await?,
    }))
}

/// How many rows a report lists.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// 1 to 200 (default 50).
    #[serde(default = "default_report_limit")]
    pub limit: i64,
}

fn default_report_limit() -> i64 {
    50
}

fn report_limit(query: Result<Query<ReportQuery>, QueryRejection>) -> Result<i64, ApiError> {
    let Query(query) =
        query.map_err(|rejection| AppError::invalid("query", rejection.body_text()))?;
    page_bounds(query.limit, 0)?;
    Ok(query.limit)
}

/// Alerts per product and what their notices did.
#[derive(Serialize, ToSchema)]
pub struct AlertReport {
    pub products: Vec<ProductAlertReport>,
}

/// Price and stock alerts per product: live alerts, notices sent, queued, failed and clicked (emails' links are
/// tracked), so that the merchant sees which drops brought shoppers back. Most alerts first.
#[utoipa::path(get, path = "/api/v1/alerts/report", params(ReportQuery), security(("api_key" = [])),
    responses((status = 200, body = AlertReport), (status = "4XX", body = AppError)))]
pub async fn get_alert_report(
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<AlertReport>, ApiError> {
    let limit = report_limit(query)?;
    Ok(Json(AlertReport {
        products: alerts::merchant_report(&state.db, limit).await?,
    }))
}

/// Notices that could not be delivered.
#[derive(Serialize, ToSchema)]
pub struct FailedNotices {
    pub notices: Vec<FailedNotice>,
}

/// Email and webhook notices given up on after the store's delivery attempts, newest first, with the last error.
#[utoipa::path(get, path = "/api/v1/alerts/failed", params(ReportQuery), security(("api_key" = [])),
    responses((status = 200, body = FailedNotices), (status = "4XX", body = AppError)))]
pub async fn get_failed_notices(
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<FailedNotices>, ApiError> {
    let limit = report_limit(query)?;
    Ok(Json(FailedNotices {
        notices: alerts::failed_notices(&state.db, limit).await?,
    }))
}

/// Failed notices to deliver again.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResendRequest {
    /// Ids from `GET /api/v1/alerts/failed`, 1 to 1,000 of them.
    pub notice_ids: Vec<i64>,
}

/// What a resend did.
#[derive(Serialize, ToSchema)]
pub struct Resent {
    /// How many of the ids were failed notices, now queued again from their first attempt.
    pub queued: u64,
}

/// Queues failed notices for delivery again, once what made them fail is mended (a webhook receiver that was
/// down). Ids of notices that are not failed are passed over.
#[utoipa::path(post, path = "/api/v1/alerts/failed/resend", request_body = ResendRequest,
    security(("api_key" = [])),
    responses((status = 200, body = Resent), (status = "4XX", body = AppError)))]
pub async fn post_resend_failed(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ResendRequest>,
) -> Result<Json<Resent>, ApiError> {
    if !(1..=MAX_RESEND).contains(&request.notice_ids.len()) {
        return Err(AppError::invalid("notice_ids", "name 1 to 1,000 notices").into());
    }
    Ok(Json(Resent {
        queued: alerts::resend_failed(&state.db, &request.notice_ids, now()).await?,
    }))
}

/// The tier rules in force and their version.
#[derive(Serialize, ToSchema)]
pub struct VersionedTierRules {
    /// 0 while the built-in defaults are in force.
    pub version: i64,
    pub rules: TierRules,
}

/// Where a shopper stands in the member programme: the tier held (an index into `rules.tiers`, whose entry
/// lists its benefits for checkout), the growth value and what makes it up, the way to the next tier, and what
/// keeps the current one at the next review.
#[utoipa::path(get, path = "/api/v1/shoppers/{shopper_id}/tier", security(("api_key" = [])),
    params(("shopper_id" = String, Path, description = "The store's shopper id")),
    responses((status = 200, body = MemberStanding), (status = "4XX", body = AppError)))]
pub async fn get_shopper_tier(
    State(state): State<AppState>,
    ApiPath(shopper_id): ApiPath<String>,
) -> Result<Json<MemberStanding>, ApiError> {
    Ok(Json(
        tiers::standing_of(&state.db, &shopper_id, now()).await?,
    ))
}

/// The tier rules in force.
#[utoipa::path(get, path = "/api/v1/tiers/rules", security(("api_key" = [])),
    responses((status = 200, body = VersionedTierRules), (status = "4XX", body = AppError)))]
pub async fn get_tier_rules(
    State(state): State<AppState>,
) -> Result<Json<VersionedTierRules>, ApiError> {
    let (version, rules) = tiers::rules_in_force(&state.db).await?;
    Ok(Json(VersionedTierRules { version, rules }))
}

/// Saves a rule set as the next version, after validating it (422 naming the field otherwise, and nothing
/// saved). Members move up under it as their growth changes, and down only at the next review.
#[utoipa::path(put, path = "/api/v1/tiers/rules", request_body = TierRules, security(("api_key" = [])),
    responses((status = 201, body = VersionedTierRules), (status = "4XX", body = AppError)))]
pub async fn put_tier_rules(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    ApiJson(rules): ApiJson<TierRules>,
) -> Result<(StatusCode, Json<VersionedTierRules>), ApiError> {
    let version = tiers::save_rules(&state.db, &rules, &caller.0, now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(VersionedTierRules { version, rules }),
    ))
}

/// What a proposed rule set would do to today's members, without saving it: members per tier now and after,
/// and how many would move up at once or down at the next review.
#[utoipa::path(post, path = "/api/v1/tiers/preview", request_body = TierRules, security(("api_key" = [])),
    responses((status = 200, body = TierPreview), (status = "4XX", body = AppError)))]
pub async fn post_tier_preview(
    State(state): State<AppState>,
    ApiJson(rules): ApiJson<TierRules>,
) -> Result<Json<TierPreview>, ApiError> {
    Ok(Json(tiers::preview(&state.db, &rules, now()).await?))
}

/// Members per tier, and the members closest to their next tier.
#[utoipa::path(get, path = "/api/v1/tiers", security(("api_key" = [])),
    responses((status = 200, body = TiersOverview), (status = "4XX", body = AppError)))]
pub async fn get_tiers(State(state): State<AppState>) -> Result<Json<TiersOverview>, ApiError> {
    Ok(Json(tiers::overview(&state.db).await?))
}

/// A product's rating as a store's server puts it into its own HTML.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductRating {
    pub sku: String,
    /// Published reviews.
    pub count: i64,
    /// Average stars, rounded to one decimal; none without reviews.
    pub average: Option<f64>,
    /// Reviews with 5, 4, 3, 2 and 1 stars, in that order.
    pub histogram: [i64; 5],
    /// schema.org `Product` JSON-LD with its `AggregateRating`, ready to be the text of a
    /// `<script type="application/ld+json">` as it is (`<`, `>` and `&` are escaped); none without reviews.
    pub json_ld: Option<String>,
}

/// A product's rating and its JSON-LD, for a store's server to render stars and search-engine markup in its
/// own pages. Public (no API key) and cacheable: `Cache-Control: public, max-age=300` and an `ETag`; a request
/// with a matching `If-None-Match` is answered 304 with no body.
#[utoipa::path(get, path = "/api/v1/products/{sku}/rating",
    params(("sku" = String, Path, description = "The product's SKU")),
    responses((status = 200, body = ProductRating), (status = 304, description = "Unchanged since the `ETag` given"),
        (status = "4XX", body = AppError)))]
pub async fn get_product_rating(
    State(state): State<AppState>,
    ApiPath(sku): ApiPath<String>,
    headers: HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    use sha2::Digest;
    app::kernel::validate::key("sku", &sku)?;
    let product = catalog::product(&state.db, &sku, app::i18n::DEFAULT_LOCALE)
        .await?
        .ok_or_else(|| AppError::not_found(Some("sku".into()), "there is no such product"))?;
    let summary = reviews::summary(&state.db, &sku).await?;
    let rating = ProductRating {
        json_ld: app::reviews::seo::product_json_ld(&product.title, &sku, &summary, &[]),
        sku,
        count: summary.count,
        average: summary.average,
        histogram: summary.histogram,
    };
    let body = serde_json::to_vec(&rating).map_err(|_| AppError::internal())?;
    let tag = format!("\"{}\"", &hex::encode(sha2::Sha256::digest(&body))[..32]);
    let cache = [
        (http::header::ETAG, tag.clone()),
        (
            http::header::CACHE_CONTROL,
            "public, max-age=300".to_owned(),
        ),
    ];
    let unchanged = headers
        .get(http::header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|asked| {
            asked
                .split(',')
                .any(|one| one.trim().trim_start_matches("W/") == tag)
        });
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        cache,
        [(http::header::CONTENT_TYPE, "application/json".to_owned())],
        body,
    )
        .into_response())
}
