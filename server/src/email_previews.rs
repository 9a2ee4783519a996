//! `/merchant/emails?lang=en|zh-CN`: every kind of message as a shopper would receive it, with sample contents,
//! rendered by the same code the delivery workers send with: the subject, the HTML part and the plain-text part.
//! For the signed-in merchant only, as the other merchant pages.

use crate::delivery::{EmailSite, message_parts};
use crate::state::AppState;
use app::i18n::{DEFAULT_LOCALE, negotiate, translate};
use app::identity::merchant::merchant_of;
use app::identity::token::issue_review_link;
use app::kernel::ids::{ProductKey, ShopperKey};
use app::kernel::money::Money;
use app::kernel::time::{Millis, now};
use app::messages::ssr::{Channel, OutgoingMessage};
use app::messages::{
    Answerer, CartPriceDrop, MessageBody, QuestionAnswered, RequestedReview, ReviewRequest,
    UnpaidOrderReminder, UnpaidProduct,
};
use app::ui::escape_html;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use http::HeaderMap;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PreviewQuery {
    lang: Option<String>,
}

/// The page; a visitor who is not signed in as the merchant is sent to the merchant's sign-in.
pub async fn previews(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<PreviewQuery>,
) -> Response {
    let locale = query
        .lang
        .as_deref()
        .and_then(negotiate)
        .unwrap_or(DEFAULT_LOCALE);
    if merchant_of(&state.identity, &headers).is_err() {
        return Redirect::to(&format!("/merchant?lang={locale}")).into_response();
    }
    let site = EmailSite {
        secret: state.identity.secret.clone(),
        shop_name: state.shop_name.0.clone(),
        public_url: state.public_url.0.clone(),
        track_opens: false,
    };
    Html(page(&state, &site, locale)).into_response()
}

/// Each kind's sample, in `locale`: (what the merchant's report calls it, the message).
fn samples(state: &AppState, site: &EmailSite, locale: &str) -> Vec<(String, MessageBody)> {
    let t = |key: &str| translate(locale, key);
    let product = t("email_preview.product");
    let link = issue_review_link(
        &site.secret,
        ShopperKey(0),
        ProductKey(0),
        (now() + Millis::days(60)).as_seconds(),
    );
    let request = |reminder: bool| {
        MessageBody::ReviewRequest(ReviewRequest {
            order_id: "1001".into(),
            products: vec![RequestedReview {
                sku: "SAMPLE-1".into(),
                title: product.clone(),
                link: link.clone(),
            }],
            reminder,
        })
    };
    vec![
        (
            t("work.emails.kind.question_answered"),
            MessageBody::QuestionAnswered(QuestionAnswered {
                sku: "SAMPLE-1".into(),
                product_title: product.clone(),
                product_url: None,
                question: t("email_preview.question"),
                answer: t("email_preview.answer"),
                answered_by: Answerer::Shop,
            }),
        ),
        (t("work.emails.kind.review_request"), request(false)),
        (
            format!(
                "{} {}",
                t("work.emails.kind.review_request"),
                t("email_preview.reminder")
            ),
            request(true),
        ),
        (
            t("work.emails.kind.unpaid_order"),
            MessageBody::UnpaidOrder(UnpaidOrderReminder {
                order_id: "1002".into(),
                total: Money::new(25_800, state.insights.policy.currency.clone()),
                payment_url: format!("{}/", site.public_url.trim_end_matches('/')),
                products: vec![UnpaidProduct {
                    sku: "SAMPLE-1".into(),
                    title: product.clone(),
                    quantity: 2,
                }],
            }),
        ),
        (
            t("work.emails.kind.cart_price_drop"),
            MessageBody::CartPriceDrop(CartPriceDrop {
                sku: "SAMPLE-1".into(),
                title: product.clone(),
                product_url: None,
                quantity: 2,
                old_price: Money::new(12_900, state.insights.policy.currency.clone()),
                new_price: Money::new(9_900, state.insights.policy.currency.clone()),
                lowest_30_days: Money::new(11_900, state.insights.policy.currency.clone()),
            }),
        ),
    ]
}

fn page(state: &AppState, site: &EmailSite, locale: &str) -> String {
    let t = |key: &str| escape_html(&translate(locale, key));
    let mut sections = String::new();
    for (index, (name, body)) in samples(state, site, locale).into_iter().enumerate() {
        let message = OutgoingMessage {
            id: 0,
            shopper: ShopperKey(0),
            shopper_id: "sample".into(),
            channel: Channel::Email,
            email: "shopper@example.com".into(),
            time_zone: None,
            locale: locale.to_owned(),
            body,
            attempts: 0,
        };
        let (subject, html, text) = message_parts(&message, site);
        sections.push_str(&format!(
            "<section aria-labelledby=\"email-{index}\"><h2 id=\"email-{index}\">{}</h2>\
             <p><strong>{}:</strong> {}</p>\
             <iframe title=\"{}\" srcdoc=\"{}\" sandbox></iframe>\
             <details><summary>{}</summary><pre>{}</pre></details></section>",
            escape_html(&name),
            t("email_preview.subject"),
            escape_html(&subject),
            escape_html(&name),
            escape_html(&html),
            t("email_preview.text"),
            escape_html(&text)
        ));
    }
    let other = if locale == "en" { "zh-CN" } else { "en" };
    format!(
        "<!doctype html><html lang=\"{locale}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · {shop}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1c1917;\
         background:#faf7f2}}h1{{margin:.5rem 0}}section{{margin:1.5rem 0;padding:1rem;background:#fff;\
         border:1px solid #e7e1d7;border-radius:10px}}iframe{{width:100%;height:26rem;border:1px solid #e7e1d7;\
         border-radius:6px;background:#fff}}pre{{white-space:pre-wrap;word-break:break-all;font-size:.85rem}}\
         nav a{{margin-right:1rem;color:#9a3412}}</style></head><body>\
         <nav><a href=\"/merchant?lang={locale}\">{home}</a><a href=\"/merchant/emails?lang={other}\" lang=\"{other}\">{switch}</a></nav>\
         <h1>{title}</h1><p>{help}</p>{sections}</body></html>",
        title = t("email_preview.title"),
        shop = escape_html(&state.shop_name.0),
        home = t("email_preview.home"),
        switch = escape_html(&translate(other, "email_preview.language")),
        help = t("email_preview.help"),
    )
}
