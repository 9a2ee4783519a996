use super::*;
use app::kernel::ids::ShopperKey;
use app::messages::ssr::Channel;
use app::messages::{RequestedReview, UnpaidProduct};

fn site(track_opens: bool) -> EmailSite {
    EmailSite {
        secret: StoreSecret::new("a-test-secret-of-at-least-32-characters").unwrap(),
        shop_name: "Tea & Co".into(),
        public_url: "https://shop.example/".into(),
        track_opens,
    }
}

fn message(locale: &str, body: MessageBody) -> OutgoingMessage {
    OutgoingMessage {
        id: 7,
        shopper: ShopperKey(3),
        shopper_id: "alice".into(),
        channel: Channel::Email,
        email: "alice@example.com".into(),
        time_zone: None,
        locale: locale.into(),
        body,
        attempts: 1,
    }
}

fn answered(question: &str) -> MessageBody {
    MessageBody::QuestionAnswered(QuestionAnswered {
        sku: "A".into(),
        product_title: "Teapot".into(),
        product_url: None,
        question: question.into(),
        answer: "Yes.\nWith the diffuser.".into(),
        answered_by: Answerer::Buyer("<b>Bob</b>".into()),
    })
}

#[test]
fn what_a_shopper_wrote_is_text_in_the_html_part_never_markup() {
    let email = Email::of_message(
        &message("en", answered("<script>x()</script>\nOn gas?")),
        &site(true),
    )
    .unwrap();
    assert!(!email.html.contains("<script>"), "{}", email.html);
    assert!(!email.html.contains("<b>Bob</b>"), "{}", email.html);
    assert!(
        email.html.contains("x()&#60;/script&#62;<br/>On gas?"),
        "{}",
        email.html
    );
    assert!(
        email.html.contains("Yes.<br/>With the diffuser."),
        "{}",
        email.html
    );
    // The plain-text part says it as written.
    assert!(
        email.text.contains("<script>x()</script>\nOn gas?"),
        "{}",
        email.text
    );
    assert!(
        email.text.contains("<b>Bob</b>, who bought it, answered:"),
        "{}",
        email.text
    );
    assert_eq!(email.subject, "Your question about Teapot has an answer");
}

#[test]
fn a_messages_links_are_tracked_its_image_counts_the_open_and_its_footer_stops_the_kind() {
    let email = Email::of_message(&message("en", answered("On gas?")), &site(true)).unwrap();
    let unsubscribe = email.unsubscribe.clone().unwrap();
    assert!(
        unsubscribe.starts_with("https://shop.example/email-preferences/v1.p."),
        "{unsubscribe}"
    );
    assert!(
        email.html.contains("href=\"https://shop.example/m/c/v1.c."),
        "{}",
        email.html
    );
    assert!(
        email.html.contains("src=\"https://shop.example/m/o/v1.o."),
        "{}",
        email.html
    );
    assert!(email.html.contains("<html lang=\"en\">"));
    assert!(
        email.text.contains(&format!(
            "Choose which emails you get from Tea & Co:\n{unsubscribe}"
        )),
        "{}",
        email.text
    );
    assert!(
        email
            .text
            .contains("See all answers: https://shop.example/m/c/v1.c."),
        "{}",
        email.text
    );
    let untracked = Email::of_message(&message("en", answered("On gas?")), &site(false)).unwrap();
    assert!(
        !untracked.html.contains("/m/o/"),
        "no image without open tracking"
    );
}

#[test]
fn each_kind_has_its_own_words_in_the_shoppers_language() {
    let money = |minor| Money::new(minor, "CNY");
    let request = MessageBody::ReviewRequest(ReviewRequest {
        order_id: "1001".into(),
        products: vec![RequestedReview {
            sku: "A".into(),
            title: "Teapot".into(),
            link: "v1.r.link".into(),
        }],
        reminder: false,
    });
    let email = Email::of_message(&message("en", request), &site(false)).unwrap();
    assert_eq!(email.subject, "How is your order 1001?");
    // Five star links for the product, each tracked, one star first.
    assert_eq!(email.html.matches("font-size:22px\">★").count(), 5);
    assert!(
        email.text.contains("Teapot:\n★ https://shop.example/m/c/"),
        "{}",
        email.text
    );
    assert!(
        email.text.contains("\n★★★★★ https://shop.example/m/c/"),
        "{}",
        email.text
    );

    let unpaid = MessageBody::UnpaidOrder(UnpaidOrderReminder {
        order_id: "1002".into(),
        total: money(25_800),
        payment_url: "https://shop.example/pay/1002".into(),
        products: vec![UnpaidProduct {
            sku: "A".into(),
            title: "Teapot".into(),
            quantity: 2,
        }],
    });
    let email = Email::of_message(&message("zh-CN", unpaid), &site(false)).unwrap();
    assert_eq!(email.subject, "您的订单 1002 尚未付款");
    assert!(email.html.contains("<li>Teapot × 2</li>"), "{}", email.html);
    assert!(
        email.text.contains("- Teapot × 2\n\n合计：¥258.00"),
        "{}",
        email.text
    );
    assert!(email.html.contains("<html lang=\"zh-CN\">"));

    let drop = |quantity| {
        MessageBody::CartPriceDrop(CartPriceDrop {
            sku: "A".into(),
            title: "Teapot".into(),
            product_url: Some("https://tea.example/teapot".into()),
            quantity,
            old_price: money(12_900),
            new_price: money(9_900),
            lowest_30_days: money(11_900),
        })
    };
    let one = Email::of_message(&message("en", drop(1)), &site(false)).unwrap();
    assert!(
        !one.text.contains("in your cart, that is"),
        "no saving line for one: {}",
        one.text
    );
    let two = Email::of_message(&message("en", drop(2)), &site(false)).unwrap();
    assert!(
        two.text
            .contains("With 2 in your cart, that is CN¥60.00 less."),
        "{}",
        two.text
    );
    assert!(
        two.text
            .contains("Lowest price in the previous 30 days: CN¥119.00."),
        "{}",
        two.text
    );
}
