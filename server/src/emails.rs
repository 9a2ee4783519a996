//! The emails Rapport sends, each kind from its own pair of templates (HTML and plain text, under
//! `server/templates/email/`, compiled into the binary by askama, which escapes everything put into the HTML), in
//! the recipient's language: the words come from the translation files, the templates hold the markup. A
//! message's links go through Rapport, which counts the click; its HTML part may carry the open-counting image;
//! every email ends with the link that stops it.

use app::alerts::ssr::Outgoing;
use app::i18n::translate_with;
use app::identity::token::{
    StoreSecret, issue_message_click, issue_message_open, issue_preferences, issue_tracking,
    issue_unsubscribe,
};
use app::kernel::money::Money;
use app::messages::ssr::OutgoingMessage;
use app::messages::{
    Answerer, CartPriceDrop, MessageBody, QuestionAnswered, ReviewRequest, UnpaidOrderReminder,
};
use askama::Template;

/// What emails' words and links are made with: the store secret that signs the links, the shop's name and public
/// address, and whether messages carry the open-counting image.
#[derive(Clone)]
pub struct EmailSite {
    pub secret: StoreSecret,
    pub shop_name: String,
    pub public_url: String,
    pub track_opens: bool,
}

impl EmailSite {
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

/// An email ready to go: its subject, both parts, and the address that stops it (for `List-Unsubscribe`).
pub struct Email {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub unsubscribe: Option<String>,
}

/// A link and what it says.
struct Link {
    href: String,
    label: String,
}

/// What surrounds every email's own words: its language, its main button, the footer with the link that stops
/// it, and the open-counting image.
struct Frame {
    lang: String,
    action: Link,
    footer: String,
    unsubscribe: Option<Link>,
    image: Option<String>,
}

/// An alert's notice (a price drop or rise, a restock) or its confirmation request: one paragraph.
struct AlertWords {
    line: String,
}

struct AnswerWords {
    your_question: String,
    question: String,
    answered_by: String,
    answer: String,
    why: String,
}

/// A product to review and its five star links, one star first: (stars, link).
struct ProductToRate {
    title: String,
    stars: Vec<(String, String)>,
}

struct ReviewRequestWords {
    intro: String,
    products: Vec<ProductToRate>,
    why: String,
}

struct UnpaidOrderWords {
    intro: String,
    lines: Vec<String>,
    total: String,
    why: String,
}

struct CartPriceDropWords {
    intro: String,
    lowest: String,
    /// What the drop saves on the quantity in the cart, when it holds more than one.
    saving: Option<String>,
    why: String,
}

#[derive(Template)]
#[template(path = "email/alert.html")]
struct AlertHtml<'a> {
    frame: &'a Frame,
    words: &'a AlertWords,
}

#[derive(Template)]
#[template(path = "email/alert.txt")]
struct AlertText<'a> {
    frame: &'a Frame,
    words: &'a AlertWords,
}

#[derive(Template)]
#[template(path = "email/question_answered.html")]
struct AnswerHtml<'a> {
    frame: &'a Frame,
    words: &'a AnswerWords,
}

#[derive(Template)]
#[template(path = "email/question_answered.txt")]
struct AnswerText<'a> {
    frame: &'a Frame,
    words: &'a AnswerWords,
}

#[derive(Template)]
#[template(path = "email/review_request.html")]
struct ReviewRequestHtml<'a> {
    frame: &'a Frame,
    words: &'a ReviewRequestWords,
}

#[derive(Template)]
#[template(path = "email/review_request.txt")]
struct ReviewRequestText<'a> {
    frame: &'a Frame,
    words: &'a ReviewRequestWords,
}

#[derive(Template)]
#[template(path = "email/unpaid_order.html")]
struct UnpaidOrderHtml<'a> {
    frame: &'a Frame,
    words: &'a UnpaidOrderWords,
}

#[derive(Template)]
#[template(path = "email/unpaid_order.txt")]
struct UnpaidOrderText<'a> {
    frame: &'a Frame,
    words: &'a UnpaidOrderWords,
}

#[derive(Template)]
#[template(path = "email/cart_price_drop.html")]
struct CartPriceDropHtml<'a> {
    frame: &'a Frame,
    words: &'a CartPriceDropWords,
}

#[derive(Template)]
#[template(path = "email/cart_price_drop.txt")]
struct CartPriceDropText<'a> {
    frame: &'a Frame,
    words: &'a CartPriceDropWords,
}

/// Renders a kind's two templates from what its words function made, `(subject, action, words)`, in the frame
/// `frame` makes around the action: `(subject, HTML, text)`. The templates write only strings the caller made, so
/// rendering fails only with a bug.
macro_rules! render {
    ($html:ident, $text:ident, $frame:expr, $made:expr) => {{
        let (subject, action, words) = $made;
        let frame = $frame(action);
        let html = $html {
            frame: &frame,
            words: &words,
        }
        .render()?;
        let text = $text {
            frame: &frame,
            words: &words,
        }
        .render()?;
        (subject, html, text)
    }};
}

impl Email {
    /// An alert's notice, in the subscriber's language, with the link that stops the alert.
    pub fn of_notice(notice: &Outgoing, site: &EmailSite) -> Result<Email, askama::Error> {
        let locale = notice.locale.as_str();
        let values = [
            ("title", notice.title.clone()),
            ("old", notice.old_price.display_in(locale)),
            ("new", notice.new_price.display_in(locale)),
            ("lowest", notice.lowest_30_days.display_in(locale)),
        ];
        let t = |key: &str| translate_with(locale, key, &values);
        let unsubscribe = notice.alert_id.map(|alert| {
            site.link(&format!(
                "/alerts/unsubscribe/{}",
                issue_unsubscribe(&site.secret, alert)
            ))
        });
        let (subject, line, action) = match notice.kind.as_str() {
            "confirm" => (
                t("email.confirm.subject"),
                t("email.confirm.body"),
                Link {
                    href: site.link(&format!(
                        "/alerts/confirm/{}",
                        notice.confirm_token.clone().unwrap_or_default()
                    )),
                    label: t("email.confirm.action"),
                },
            ),
            kind => (
                t(&format!("email.{kind}.subject")),
                t(&format!("alerts.notice.{kind}")),
                Link {
                    href: site.link(&format!(
                        "/alerts/click/{}",
                        issue_tracking(&site.secret, notice.id)
                    )),
                    label: t("email.view"),
                },
            ),
        };
        let frame = |action: Link| Frame {
            lang: locale.to_owned(),
            action,
            footer: t("email.footer"),
            // The footer names the address itself: the shopper sees where the link goes.
            unsubscribe: unsubscribe.clone().map(|href| Link {
                label: href.clone(),
                href,
            }),
            image: None,
        };
        let (subject, html, text) = render!(
            AlertHtml,
            AlertText,
            frame,
            (subject, action, AlertWords { line })
        );
        Ok(Email {
            subject,
            html,
            text,
            unsubscribe,
        })
    }

    /// A message to one shopper, in their language: every link tracked, the open-counting image where the store
    /// counts opens, and the link to their email preferences, where one click stops this kind.
    pub fn of_message(message: &OutgoingMessage, site: &EmailSite) -> Result<Email, askama::Error> {
        let locale = message.locale.as_str();
        let tracked = |to: &str| {
            site.link(&format!(
                "/m/c/{}",
                issue_message_click(&site.secret, message.id, to)
            ))
        };
        let preferences = site.link(&format!(
            "/email-preferences/{}",
            issue_preferences(&site.secret, message.shopper, message.body.kind().key())
        ));
        let frame = |action: Link| Frame {
            lang: locale.to_owned(),
            action: Link {
                href: tracked(&action.href),
                label: action.label,
            },
            footer: translate_with(
                locale,
                "email.preferences_footer",
                &[("shop", site.shop_name.clone())],
            ),
            unsubscribe: Some(Link {
                href: preferences.clone(),
                label: translate_with(locale, "email_preferences.title", &[]),
            }),
            image: site.track_opens.then(|| {
                site.link(&format!(
                    "/m/o/{}.gif",
                    issue_message_open(&site.secret, message.id)
                ))
            }),
        };
        let (subject, html, text) = match &message.body {
            MessageBody::QuestionAnswered(answered) => render!(
                AnswerHtml,
                AnswerText,
                frame,
                answer_words(answered, locale, site)
            ),
            MessageBody::ReviewRequest(request) => render!(
                ReviewRequestHtml,
                ReviewRequestText,
                frame,
                review_request_words(request, locale, site, &tracked)
            ),
            MessageBody::UnpaidOrder(reminder) => render!(
                UnpaidOrderHtml,
                UnpaidOrderText,
                frame,
                unpaid_order_words(reminder, locale, site)
            ),
            MessageBody::CartPriceDrop(drop) => render!(
                CartPriceDropHtml,
                CartPriceDropText,
                frame,
                cart_price_drop_words(drop, locale, site)
            ),
        };
        Ok(Email {
            subject,
            html,
            text,
            unsubscribe: Some(preferences),
        })
    }
}

/// The store's own product page when the catalogue has one; Rapport's storefront otherwise.
fn product_page(sku: &str, page_url: Option<&String>, site: &EmailSite) -> String {
    page_url
        .cloned()
        .unwrap_or_else(|| site.link(&format!("/p/{sku}")))
}

fn answer_words(
    answered: &QuestionAnswered,
    locale: &str,
    site: &EmailSite,
) -> (String, Link, AnswerWords) {
    let shop = site.shop_name.clone();
    let values = [
        ("title", answered.product_title.clone()),
        ("shop", shop.clone()),
        (
            "name",
            match &answered.answered_by {
                Answerer::Shop => shop,
                Answerer::Buyer(name) => name.clone(),
            },
        ),
    ];
    let t = |key: &str| translate_with(locale, key, &values);
    let action = Link {
        href: answered
            .product_url
            .clone()
            .unwrap_or_else(|| site.link(&format!("/p/{}#questions", answered.sku))),
        label: t("email.question_answered.action"),
    };
    let words = AnswerWords {
        your_question: t("email.question_answered.your_question"),
        question: answered.question.clone(),
        answered_by: t(match answered.answered_by {
            Answerer::Shop => "email.question_answered.by_shop",
            Answerer::Buyer(_) => "email.question_answered.by_buyer",
        }),
        answer: answered.answer.clone(),
        why: t("email.question_answered.why"),
    };
    (t("email.question_answered.subject"), action, words)
}

fn review_request_words(
    request: &ReviewRequest,
    locale: &str,
    site: &EmailSite,
    tracked: &dyn Fn(&str) -> String,
) -> (String, Link, ReviewRequestWords) {
    let values = [
        ("order", request.order_id.clone()),
        ("shop", site.shop_name.clone()),
    ];
    let t = |key: &str| translate_with(locale, key, &values);
    let page = |link: &str| site.link(&format!("/review/{link}"));
    let products = request
        .products
        .iter()
        .map(|product| ProductToRate {
            title: translate_with(
                locale,
                "email.review_request.product",
                &[("title", product.title.clone())],
            ),
            stars: (1..=5)
                .map(|stars| {
                    (
                        "★".repeat(stars),
                        tracked(&format!("{}?stars={stars}", page(&product.link))),
                    )
                })
                .collect(),
        })
        .collect();
    let (subject, intro, why) = if request.reminder {
        (
            "email.review_request.reminder_subject",
            "email.review_request.reminder_intro",
            "email.review_request.reminder_why",
        )
    } else {
        (
            "email.review_request.subject",
            "email.review_request.intro",
            "email.review_request.why",
        )
    };
    let action = Link {
        href: request
            .products
            .first()
            .map(|product| page(&product.link))
            .unwrap_or_else(|| site.link("/")),
        label: t("email.review_request.action"),
    };
    let words = ReviewRequestWords {
        intro: t(intro),
        products,
        why: t(why),
    };
    (t(subject), action, words)
}

fn unpaid_order_words(
    reminder: &UnpaidOrderReminder,
    locale: &str,
    site: &EmailSite,
) -> (String, Link, UnpaidOrderWords) {
    let values = [
        ("order", reminder.order_id.clone()),
        ("shop", site.shop_name.clone()),
        ("total", reminder.total.display_in(locale)),
    ];
    let t = |key: &str| translate_with(locale, key, &values);
    let words = UnpaidOrderWords {
        intro: t("email.unpaid_order.intro"),
        lines: reminder
            .products
            .iter()
            .map(|product| {
                translate_with(
                    locale,
                    "email.unpaid_order.line",
                    &[
                        ("title", product.title.clone()),
                        ("quantity", product.quantity.to_string()),
                    ],
                )
            })
            .collect(),
        total: t("email.unpaid_order.total"),
        why: t("email.unpaid_order.why"),
    };
    let action = Link {
        href: reminder.payment_url.clone(),
        label: t("email.unpaid_order.action"),
    };
    (t("email.unpaid_order.subject"), action, words)
}

fn cart_price_drop_words(
    drop: &CartPriceDrop,
    locale: &str,
    site: &EmailSite,
) -> (String, Link, CartPriceDropWords) {
    let saving = drop
        .old_price
        .amount_minor
        .saturating_sub(drop.new_price.amount_minor)
        .saturating_mul(drop.quantity);
    let values = [
        ("title", drop.title.clone()),
        ("shop", site.shop_name.clone()),
        ("old", drop.old_price.display_in(locale)),
        ("new", drop.new_price.display_in(locale)),
        ("lowest", drop.lowest_30_days.display_in(locale)),
        ("quantity", drop.quantity.to_string()),
        (
            "saving",
            Money::new(saving, drop.new_price.currency.clone()).display_in(locale),
        ),
    ];
    let t = |key: &str| translate_with(locale, key, &values);
    let words = CartPriceDropWords {
        intro: t("email.cart_price_drop.intro"),
        lowest: t("email.cart_price_drop.lowest"),
        saving: (drop.quantity > 1).then(|| t("email.cart_price_drop.saving")),
        why: t("email.cart_price_drop.why"),
    };
    let action = Link {
        href: product_page(&drop.sku, drop.product_url.as_ref(), site),
        label: t("email.view"),
    };
    (t("email.cart_price_drop.subject"), action, words)
}

#[cfg(test)]
mod tests;
