//! The OpenAPI 3 document of the merchant API, generated from the handlers and types.

use super::handlers;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Rapport merchant API", description = "Push the store's catalogue, shoppers, orders and events to Rapport, moderate reviews, read wish-list and alert reports, and run the member-tier programme."),
    paths(
        handlers::put_categories,
        handlers::put_products,
        handlers::post_prices,
        handlers::post_stock,
        handlers::put_shoppers,
        handlers::post_order,
        handlers::post_refund,
        handlers::post_cancel,
        handlers::post_events,
        handlers::get_reviews,
        handlers::get_review_history,
        handlers::post_review_approve,
        handlers::post_review_reject,
        handlers::post_review_restore,
        handlers::get_most_wished,
        handlers::get_alert_report,
        handlers::get_failed_notices,
        handlers::post_resend_failed,
        handlers::get_shopper_tier,
        handlers::get_tiers,
        handlers::get_tier_rules,
        handlers::put_tier_rules,
        handlers::post_tier_preview,
    ),
    // Types named only by query parameters are not collected from the paths: list them, so every $ref resolves.
    components(schemas(app::reviews::ModerationQueue)),
    modifiers(&BearerKey)
)]
pub struct MerchantApi;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(MerchantApi::openapi())
}
