//! The OpenAPI 3 document of the merchant API, generated from the handlers and types.

use super::handlers::{self, MAX_PAGE, MAX_RESEND};
use super::{carts, insights, questions, suppressions, unpaid_orders};
use app::catalog::rules::{
    MAX_DESCRIPTION_LEN, MAX_PRICE_MINOR, MAX_STOCK, MAX_TITLE_LEN, MAX_URL_LEN,
};
use app::events::ssr::MAX_EVENT_BATCH;
use app::kernel::validate::{MAX_BATCH, MAX_KEY_LEN};
use app::orders::ssr::{MAX_ORDER_LINES, MAX_QUANTITY};
use app::questions::rules::MAX_ANSWER_CHARS;
use app::reviews::rules::{MAX_REASON_CHARS, MAX_REPLY_CHARS};
use axum::Json;
use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

// Reviews and questions are turned down with one `Rejection` body, whose rule below holds for both.
const _: () = assert!(app::questions::rules::MAX_REASON_CHARS == MAX_REASON_CHARS);

#[derive(OpenApi)]
#[openapi(
    info(title = "Rapport merchant API", description = "Push the store's catalogue, shoppers, orders and events to Rapport, moderate reviews, answer shoppers' questions, read wish-list and alert reports, run the member-tier programme, and read what Rapport learns about the customers (segments, repeat purchase, cohorts)."),
    paths(
        handlers::put_categories,
        handlers::put_products,
        handlers::post_prices,
        handlers::post_stock,
        handlers::put_shoppers,
        handlers::post_order,
        handlers::post_refund,
        handlers::post_cancel,
        handlers::post_fulfilment,
        unpaid_orders::put_unpaid_order,
        unpaid_orders::get_unpaid_order,
        unpaid_orders::delete_unpaid_order,
        carts::put_cart,
        carts::get_cart,
        carts::delete_cart,
        handlers::post_events,
        handlers::get_reviews,
        handlers::get_review_history,
        handlers::post_review_approve,
        handlers::post_review_reject,
        handlers::post_review_restore,
        handlers::put_review_reply,
        handlers::delete_review_reply,
        handlers::delete_review_photo,
        questions::get_questions,
        questions::put_answer,
        questions::post_publish,
        questions::post_reject,
        questions::delete_answer,
        handlers::get_most_wished,
        handlers::get_alert_report,
        handlers::get_failed_notices,
        handlers::post_resend_failed,
        suppressions::get_suppressions,
        suppressions::delete_suppression,
        handlers::get_shopper_tier,
        handlers::get_tiers,
        handlers::get_tier_rules,
        handlers::put_tier_rules,
        handlers::post_tier_preview,
        handlers::get_product_rating,
        insights::get_customer_insights,
        insights::get_widget_report,
        insights::get_segment_members,
        insights::get_segment_members_csv,
    ),
    // Types named only by query parameters are not collected from the paths: list them, so every $ref resolves.
    components(schemas(app::reviews::ModerationQueue, app::questions::DeskQueue)),
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

pub async fn document() -> Json<Value> {
    Json(described())
}

/// The document with the rules the server enforces on each input, taken from the constants its validators use, so
/// that generated clients and schema-based testers agree with it. A rule that spans fields (tier thresholds that
/// rise, a refund within what is left) stays in the prose and the 422 answers.
pub fn described() -> Value {
    let mut document = serde_json::to_value(MerchantApi::openapi()).unwrap_or_default();
    for (pointer, rule) in property_rules() {
        if let Some(schema) = document.pointer_mut(&pointer) {
            merge(schema, &rule);
        }
    }
    let parameters = parameter_rules();
    if let Some(paths) = document["paths"].as_object_mut() {
        for operation in paths.values_mut().filter_map(Value::as_object_mut) {
            for parameter in operation
                .values_mut()
                .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
                .flatten()
            {
                let name = parameter["name"].as_str().unwrap_or_default().to_owned();
                if let Some((_, rule)) = parameters.iter().find(|(known, _)| *known == name) {
                    merge(&mut parameter["schema"], rule);
                }
            }
        }
    }
    document
}

/// A store key (SKU, slug, shopper or order id), as `kernel::validate::key` checks it.
fn key_rule() -> Value {
    json!({"minLength": 1, "maxLength": MAX_KEY_LEN, "pattern": "^[A-Za-z0-9._-]+$"})
}

/// Each input property's rule, by its JSON pointer in the document.
fn property_rules() -> Vec<(String, Value)> {
    let key = key_rule();
    // Any character but a control one (tabs and line breaks included, in one line), and not blank when required.
    const NO_CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";
    const NO_CONTROL_BUT_BREAKS: &str =
        "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f";
    let line = |max: usize| json!({"maxLength": max, "pattern": format!("^[^{NO_CONTROL}]*[^\\s{NO_CONTROL}][^{NO_CONTROL}]*$")});
    let paragraphs = |max: usize, required: bool| {
        let pattern = if required {
            format!("^[^{NO_CONTROL_BUT_BREAKS}]*[^\\s{NO_CONTROL}][^{NO_CONTROL_BUT_BREAKS}]*$")
        } else {
            format!("^[^{NO_CONTROL_BUT_BREAKS}]*$")
        };
        json!({"maxLength": max, "pattern": pattern})
    };
    let money = json!({"minimum": 0, "maximum": MAX_PRICE_MINOR});
    let currency = json!({"enum": app::kernel::money::currency_codes().collect::<Vec<_>>()});
    let locale = json!({"pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"});
    let translations = json!({"propertyNames": locale.clone()});
    let named_translations =
        json!({"propertyNames": locale.clone(), "additionalProperties": line(MAX_TITLE_LEN)});
    // One @, a dotted domain, no spaces, control characters, quotes or angle brackets; spaces around are trimmed.
    const PLAIN: &str = "[^\\s@<>\"\\u0000-\\u001f\\u007f-\\u009f]";
    const LABEL: &str = "[^\\s@<>\".\\u0000-\\u001f\\u007f-\\u009f]";
    let email = json!({"pattern": format!("^\\s*{PLAIN}+@{LABEL}+(\\.{LABEL}+)+\\s*$")});
    let stock = json!({"minimum": 0, "maximum": MAX_STOCK});
    // Empty, an http(s) URL or a path on the store's site; no spaces, quotes or angle brackets.
    let url = json!({
        "maxLength": MAX_URL_LEN,
        "pattern": "^$|^(https?://|/(?!/))[^\\s\"<>\\u0000-\\u001f\\u007f-\\u009f]*$",
    });
    let batch = |max: usize| json!({"minItems": 1, "maxItems": max});
    let rules = [
        ("CategoryBatch", "categories", batch(MAX_BATCH)),
        ("CategoryInput", "slug", key.clone()),
        ("CategoryInput", "name", line(MAX_TITLE_LEN)),
        ("CategoryInput", "translations", named_translations),
        ("ProductBatch", "products", batch(MAX_BATCH)),
        ("ProductInput", "sku", key.clone()),
        ("ProductInput", "category", key.clone()),
        ("ProductInput", "title", line(MAX_TITLE_LEN)),
        (
            "ProductInput",
            "description",
            paragraphs(MAX_DESCRIPTION_LEN, false),
        ),
        ("ProductInput", "price_minor", money.clone()),
        ("ProductInput", "currency", currency.clone()),
        ("ProductInput", "stock", stock.clone()),
        ("ProductInput", "image_url", url.clone()),
        ("ProductInput", "page_url", url),
        ("ProductInput", "translations", translations),
        ("ProductText", "title", line(MAX_TITLE_LEN)),
        (
            "ProductText",
            "description",
            paragraphs(MAX_DESCRIPTION_LEN, false),
        ),
        ("PriceBatch", "prices", batch(MAX_BATCH)),
        ("PriceChange", "sku", key.clone()),
        ("PriceChange", "price_minor", money.clone()),
        ("PriceChange", "currency", currency.clone()),
        ("StockBatch", "stock", batch(MAX_BATCH)),
        ("StockChange", "sku", key.clone()),
        ("StockChange", "stock", stock),
        ("ShopperBatch", "shoppers", batch(MAX_BATCH)),
        ("ShopperInput", "shopper_id", key.clone()),
        ("ShopperInput", "display_name", line(100)),
        ("ShopperInput", "locale", locale),
        ("ShopperInput", "email", email),
        ("OrderInput", "order_id", key.clone()),
        ("OrderInput", "shopper_id", key.clone()),
        ("OrderInput", "currency", currency.clone()),
        ("OrderInput", "shipping_minor", money.clone()),
        ("OrderInput", "tax_minor", money.clone()),
        ("OrderInput", "lines", batch(MAX_ORDER_LINES)),
        ("OrderLineInput", "sku", key.clone()),
        (
            "OrderLineInput",
            "quantity",
            json!({"minimum": 1, "maximum": MAX_QUANTITY}),
        ),
        ("OrderLineInput", "unit_price_minor", money),
        (
            "RefundInput",
            "amount_minor",
            json!({"minimum": 1, "maximum": MAX_PRICE_MINOR}),
        ),
        ("EventBatch", "events", batch(MAX_EVENT_BATCH)),
        ("EventInput", "sku", key.clone()),
        ("EventInput", "shopper_id", key.clone()),
        ("EventInput", "guest_id", key),
        ("Rejection", "reason", paragraphs(MAX_REASON_CHARS, true)),
        ("ReplyInput", "body", paragraphs(MAX_REPLY_CHARS, true)),
        ("AnswerInput", "body", paragraphs(MAX_ANSWER_CHARS, true)),
        ("ResendRequest", "notice_ids", batch(MAX_RESEND)),
    ];
    rules
        .into_iter()
        .map(|(schema, property, rule)| {
            (
                format!("/components/schemas/{schema}/properties/{property}"),
                rule,
            )
        })
        .collect()
}

/// Each parameter's rule, by its name (the same in every operation that takes it).
fn parameter_rules() -> [(&'static str, Value); 15] {
    let key = key_rule();
    [
        ("limit", json!({"minimum": 1, "maximum": MAX_PAGE})),
        ("offset", json!({"minimum": 0})),
        ("order_id", key.clone()),
        ("sku", key.clone()),
        ("shopper_id", key),
        (
            "Idempotency-Key",
            json!({"minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}),
        ),
        ("review_id", json!({"minimum": 1})),
        ("question_id", json!({"minimum": 1})),
        ("answer_id", json!({"minimum": 1})),
        (
            "email",
            json!({"format": "email", "maxLength": app::kernel::validate::MAX_EMAIL_CHARS}),
        ),
        ("from", json!({"format": "date"})),
        ("to", json!({"format": "date"})),
        ("compare", json!({"enum": ["previous", "year_before"]})),
        (
            "page",
            json!({"minimum": 1, "maximum": app::insights::ssr::MAX_PAGE}),
        ),
        (
            "per_page",
            json!({"minimum": 1, "maximum": app::insights::ssr::MAX_PER_PAGE}),
        ),
    ]
}

/// Adds `rule`'s keywords to a property's schema; a property the document does not have is left alone.
fn merge(schema: &mut Value, rule: &Value) {
    if let (Some(schema), Some(rule)) = (schema.as_object_mut(), rule.as_object()) {
        for (keyword, value) in rule {
            schema.insert(keyword.clone(), value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_names_a_property_the_document_has() {
        let document = serde_json::to_value(MerchantApi::openapi()).unwrap();
        for (pointer, _) in property_rules() {
            assert!(document.pointer(&pointer).is_some(), "{pointer}");
        }
        let described = described().to_string();
        for (name, _) in parameter_rules() {
            assert!(
                described.contains(&format!("\"name\":\"{name}\"")),
                "{name}"
            );
        }
    }
}
