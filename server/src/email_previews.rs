//! `/merchant/emails?lang=en|zh-CN`: every kind of message as a shopper would receive it, with sample contents,
//! rendered by the same code the delivery workers send with: the subject, the HTML part and the plain-text part.
//! For the signed-in merchant only, as the other merchant pages.

use crate::emails::{Email, EmailSite};
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
use askama::Template;
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
    match page(&state, &site, locale) {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "the email previews did not render");
            http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
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

/// The previews page: each kind's email as it would go.
#[derive(Template)]
#[template(path = "email_previews.html")]
struct PreviewPage {
    lang: String,
    other: String,
    title: String,
    shop: String,
    home: String,
    switch: String,
    help: String,
    subject_label: String,
    text_label: String,
    sections: Vec<Preview>,
}

/// One kind's email: what the merchant's report calls it, and its subject and parts.
struct Preview {
    name: String,
    subject: String,
    html: String,
    text: String,
}

fn page(state: &AppState, site: &EmailSite, locale: &str) -> Result<String, askama::Error> {
    let sections = samples(state, site, locale)
        .into_iter()
        .map(|(name, body)| {
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
            let email = Email::of_message(&message, site)?;
            Ok(Preview {
                name,
                subject: email.subject,
                html: email.html,
                text: email.text,
            })
        })
        .collect::<Result<_, askama::Error>>()?;
    let other = if locale == "en" { "zh-CN" } else { "en" };
    PreviewPage {
        lang: locale.to_owned(),
        other: other.to_owned(),
        title: translate(locale, "email_preview.title"),
        shop: state.shop_name.0.clone(),
        home: translate(locale, "email_preview.home"),
        switch: translate(other, "email_preview.language"),
        help: translate(locale, "email_preview.help"),
        subject_label: translate(locale, "email_preview.subject"),
        text_label: translate(locale, "email_preview.text"),
        sections,
    }
    .render()
}
