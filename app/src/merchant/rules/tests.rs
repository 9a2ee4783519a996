use super::*;
use crate::alerts::{AlertKind, NoticeCredit, NoticeTally};
use crate::kernel::time::parse_rfc3339;
use crate::wishlist::ProductSaves;

fn at(text: &str) -> Millis {
    parse_rfc3339(text).unwrap()
}

fn quarter() -> Period {
    Period {
        from: at("2026-01-01T00:00:00Z"),
        to: at("2026-04-01T00:00:00Z"),
    }
}

#[test]
fn alerts_count_their_notices_and_what_followed_per_kind() {
    let notices = NoticeActivity {
        tallies: vec![
            NoticeTally {
                kind: NoticeKind::PriceDrop,
                notices: 3,
                emailed: 2,
                seen: 2,
                clicked: 2,
            },
            NoticeTally {
                kind: NoticeKind::BackInStock,
                notices: 1,
                emailed: 1,
                seen: 0,
                clicked: 0,
            },
        ],
        credits: vec![
            NoticeCredit {
                kind: NoticeKind::PriceDrop,
                purchases: 1,
                value_minor: 1_000,
            },
            NoticeCredit {
                kind: NoticeKind::BackInStock,
                purchases: 2,
                value_minor: 500,
            },
        ],
    };
    let started = [
        AlertsStarted {
            kind: AlertKind::PriceDrop,
            started: 5,
            confirmed: 4,
        },
        AlertsStarted {
            kind: AlertKind::BackInStock,
            started: 2,
            confirmed: 2,
        },
    ];
    let rows = alert_figures(&started, &notices);
    let kinds: Vec<&str> = rows.iter().map(|row| row.kind.as_str()).collect();
    assert_eq!(kinds, ["price_drop", "back_in_stock", "price_rise"]);
    assert_eq!(
        rows[0],
        AlertFigures {
            kind: "price_drop".into(),
            alerts_started: 5,
            alerts_confirmed: 4,
            notices: 3,
            emailed: 2,
            seen: 2,
            clicked: 2,
            purchases: 1,
            value_minor: 1_000,
        }
    );
    assert_eq!(
        (rows[1].notices, rows[1].purchases, rows[1].value_minor),
        (1, 2, 500)
    );
    // A kind with nothing recorded reads as zeros.
    assert_eq!(
        (rows[2].alerts_started, rows[2].notices, rows[2].purchases),
        (0, 0, 0)
    );
}

#[test]
fn wish_lists_count_saves_bought_and_the_falls_that_turned_them_into_orders() {
    let counted = |product, saves, fell| ProductSaves {
        product,
        saves,
        fell,
        ..ProductSaves::default()
    };
    let activity = SaveActivity {
        // Seven saves by three shoppers and a guest.
        saves: 7,
        savers: 4,
        by_product: vec![
            // Product 10: four saves, three of which saw a fall; two bought, both within a week of their fall.
            ProductSaves {
                bought: 2,
                bought_value_minor: 1_600,
                bought_after_fall: 2,
                after_fall_value_minor: 1_600,
                ..counted(10, 4, 3)
            },
            ProductSaves {
                bought: 1,
                bought_value_minor: 1_000,
                ..counted(11, 1, 0)
            },
            counted(12, 1, 0),
            // Saved as often as 12, after it in row id: a fall nobody bought after.
            counted(13, 1, 1),
        ],
    };
    let ranks = wish_list_ranks(&activity);
    assert_eq!((ranks.saves, ranks.savers, ranks.bought), (7, 4, 3));
    assert_eq!(ranks.bought_value_minor, 2_600);
    assert_eq!(
        ranks.most_wished,
        [(10, 4, 2), (11, 1, 1), (12, 1, 0), (13, 1, 0)]
    );
    assert_eq!(ranks.not_bought, [(12, 1, 0), (13, 1, 0)]);
    // The falls most bought after first.
    assert_eq!(ranks.price_drops, [(10, 3, 2, 1_600), (13, 1, 0, 0)]);
    assert_eq!(ranks.products(), [10, 11, 12, 13]);
    let names: HashMap<i64, (String, String)> = [
        (10, ("TEA".to_owned(), "Teapot".to_owned())),
        (11, ("WOK".to_owned(), "Wok".to_owned())),
    ]
    .into();
    let figures = ranks.named(&names);
    assert_eq!(
        figures.price_drops[0],
        DroppedProduct {
            sku: "TEA".into(),
            title: "Teapot".into(),
            saves: 3,
            bought: 2,
            value_minor: 1_600,
        }
    );
    let wished: Vec<(&str, &str, i64)> = figures
        .most_wished
        .iter()
        .map(|p| (p.sku.as_str(), p.title.as_str(), p.saves))
        .collect();
    // A product the catalogue no longer names is shown by its row id.
    assert_eq!(
        wished,
        [
            ("TEA", "Teapot", 4),
            ("WOK", "Wok", 1),
            ("12", "", 1),
            ("13", "", 1)
        ]
    );
}

#[test]
fn reviews_are_counted_per_month_and_stars() {
    let day = |text: &str| at(&format!("{text}T00:00:00Z")).div_euclid(DAY_MS);
    let written = |when: &str, rating, verified, status, reviews| ReviewsOfDay {
        day: day(when),
        rating,
        verified,
        status,
        reviews,
    };
    let written = [
        written("2026-01-03", 5, true, ReviewStatus::Published, 3),
        written("2026-01-31", 4, false, ReviewStatus::Pending, 1),
        written("2026-03-15", 1, true, ReviewStatus::Rejected, 2),
        written("2026-03-16", 5, false, ReviewStatus::Published, 1),
    ];
    let votes = VotesCast {
        helpful: 7,
        not_helpful: 2,
    };
    let figures = review_figures(&written, votes, quarter());
    assert_eq!(
        (
            figures.written,
            figures.published,
            figures.pending,
            figures.rejected,
            figures.verified
        ),
        (7, 4, 1, 2, 5)
    );
    assert_eq!(figures.ratings, [2, 0, 0, 1, 4]);
    assert_eq!(figures.average(), Some(26.0 / 7.0));
    let months: Vec<(&str, &[i64], i64)> = figures
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.ratings.as_slice(), m.verified))
        .collect();
    assert_eq!(
        months,
        [
            ("2026-01", &[0, 0, 0, 1, 3][..], 3),
            ("2026-02", &[0, 0, 0, 0, 0][..], 0),
            ("2026-03", &[2, 0, 0, 0, 1][..], 2),
        ]
    );
    assert_eq!((figures.helpful_votes, figures.not_helpful_votes), (7, 2));
    let none = review_figures(&[], VotesCast::default(), quarter());
    assert_eq!(none.average(), None);
}

#[test]
fn the_moderation_wait_has_its_oldest_and_median() {
    let now = at("2026-03-11T00:00:00Z");
    let since = [
        at("2026-03-01T00:00:00Z"),
        at("2026-03-09T00:00:00Z"),
        at("2026-03-10T12:00:00Z"),
        at("2026-03-10T00:00:00Z"),
    ];
    assert_eq!(
        moderation_wait(&since, now),
        ModerationWait {
            waiting: 4,
            oldest_days: Some(10.0),
            median_days: Some(1.5),
        }
    );
    assert_eq!(moderation_wait(&since[..3], now).median_days, Some(2.0));
    assert_eq!(
        moderation_wait(&[], now),
        ModerationWait {
            waiting: 0,
            oldest_days: None,
            median_days: None,
        }
    );
}

#[test]
fn tiers_undo_later_moves_for_each_months_end_and_count_each_reviews_moves() {
    let tier = |code: &str| Tier {
        code: code.to_owned(),
        names: [("en".to_owned(), code.to_owned())].into(),
        colour: "#000000".into(),
        icon: "medal".into(),
        threshold_minor: 0,
        benefits: Vec::new(),
    };
    let tiers = [tier("member"), tier("silver"), tier("gold")];
    let day = |text: &str| at(&format!("{text}T00:00:00Z")).div_euclid(DAY_MS);
    let moved = |when: &str, from: Option<&str>, to: &str, at_review, members| TierMovesOfDay {
        day: day(when),
        from: from.map(str::to_owned),
        to: to.to_owned(),
        at_review,
        members,
    };
    let moves = [
        moved("2026-01-15", None, "silver", false, 4),
        moved("2026-02-01", Some("silver"), "gold", true, 2),
        moved("2026-02-01", Some("gold"), "silver", true, 1),
        moved("2026-02-01", Some("silver"), "member", true, 1),
        // After the quarter: undone for every month's end, not counted as the quarter's.
        moved("2026-04-02", Some("silver"), "gold", false, 1),
    ];
    // Today: 90 in the lowest, 5 silver, 3 gold.
    let activity = tier_activity(&tiers, &[90, 5, 3], &moves, quarter());
    let months: Vec<(&str, &[i64])> = activity
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.members.as_slice()))
        .collect();
    assert_eq!(
        months,
        [
            // End of January: today's with April's move and February's review undone.
            ("2026-01", &[8, 1][..]),
            ("2026-02", &[6, 2][..]),
            ("2026-03", &[6, 2][..]),
        ]
    );
    assert_eq!(
        activity.reviews,
        [TierReviewMoves {
            day: "2026-02-01".into(),
            up: 2,
            down: 2,
        }]
    );
    assert_eq!((activity.growth_up, activity.growth_down), (4, 0));
    let codes: Vec<&str> = activity.tiers.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(codes, ["member", "silver", "gold"]);
}

fn emailed(
    kind: MessageKind,
    shopper: i64,
    sent: Option<&str>,
    opened: bool,
    clicked: bool,
) -> MessageFact {
    MessageFact {
        kind,
        shopper,
        sent_at: sent.map(at),
        failed: false,
        opened,
        clicked,
        webhook: false,
    }
}

fn ordered(shopper: i64, when: &str, value_minor: i64) -> ShopperOrder {
    ShopperOrder {
        shopper,
        at: at(when),
        value_minor,
    }
}

#[test]
fn an_order_follows_the_latest_email_delivered_to_its_buyer_within_a_week() {
    use MessageKind::{QuestionAnswered, ReviewRequest, UnpaidOrder};
    let mut failed = emailed(UnpaidOrder, 4, None, false, false);
    failed.failed = true;
    let mut handed_on = emailed(UnpaidOrder, 5, Some("2026-05-01T10:00:00Z"), false, false);
    handed_on.webhook = true;
    let messages = [
        emailed(UnpaidOrder, 1, Some("2026-05-01T10:00:00Z"), true, true),
        emailed(ReviewRequest, 1, Some("2026-05-03T10:00:00Z"), true, false),
        emailed(UnpaidOrder, 2, Some("2026-05-01T10:00:00Z"), false, false),
        emailed(QuestionAnswered, 3, None, false, false),
        failed,
        handed_on,
    ];
    let orders = [
        // Shopper 1: before any email; after the reminder; after the later review request; 8 days on.
        ordered(1, "2026-05-01T09:00:00Z", 100),
        ordered(1, "2026-05-02T10:00:00Z", 2_000),
        ordered(1, "2026-05-04T10:00:00Z", 3_000),
        ordered(1, "2026-05-11T10:00:01Z", 50),
        // Shopper 2: exactly a week after the reminder still counts.
        ordered(2, "2026-05-08T10:00:00Z", 700),
        // Shopper 3's answer never went, and shopper 5's reminder went to the store's webhook: nothing follows them.
        ordered(3, "2026-05-02T10:00:00Z", 900),
        ordered(5, "2026-05-02T10:00:00Z", 400),
    ];
    let figures = email_figures(&messages, &orders);
    let row = |kind: MessageKind| {
        figures
            .iter()
            .find(|row| row.kind == kind.key())
            .map(|row| {
                (
                    row.queued,
                    row.delivered,
                    row.failed,
                    row.to_webhook,
                    row.opened,
                    row.clicked,
                    row.purchases,
                    row.value_minor,
                )
            })
            .unwrap()
    };
    assert_eq!(row(UnpaidOrder), (4, 2, 1, 1, 1, 1, 2, 2_700));
    assert_eq!(row(ReviewRequest), (1, 1, 0, 0, 1, 0, 1, 3_000));
    assert_eq!(row(QuestionAnswered), (1, 0, 0, 0, 0, 0, 0, 0));
    assert_eq!(
        row(MessageKind::CartPriceDrop),
        (0, 0, 0, 0, 0, 0, 0, 0),
        "every kind has its row, sent or not"
    );
    assert_eq!(
        figures
            .iter()
            .map(|row| row.purpose.as_str())
            .collect::<Vec<_>>(),
        ["transactional", "transactional", "marketing", "marketing"]
    );
}
