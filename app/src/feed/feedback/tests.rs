use super::*;

const HOUR: Millis = Millis::minutes(60);

fn shown_at(fatigue: &Fatigue, times: &[Millis]) -> Option<CardStanding> {
    times
        .iter()
        .fold(None, |standing, &at| Some(fatigue.shown(standing, at)))
}

#[test]
fn shelves_read_back_from_their_keys() {
    for shelf in Shelf::ALL {
        assert_eq!(Shelf::parse(shelf.key()), Some(shelf));
        assert_eq!(
            serde_json::to_string(&shelf).unwrap(),
            format!("\"{}\"", shelf.key())
        );
    }
    assert_eq!(Shelf::parse("front-page"), None);
    assert!(!Shelf::RecentlyViewed.suggests());
    assert!(!Shelf::PriceDrops.suggests());
    assert!(Shelf::WentOnTo.suggests());
}

#[test]
fn showings_within_the_hour_count_once() {
    let fatigue = Fatigue::default();
    let minute = Millis::minutes(1);
    let standing = shown_at(&fatigue, &[Millis(0), minute, 30 * minute, 59 * minute]);
    assert_eq!(
        standing,
        Some(CardStanding {
            shown: 1,
            last_shown_at: Millis(0)
        })
    );
    let standing = fatigue.shown(standing, 60 * minute);
    assert_eq!(standing.shown, 2);
    assert_eq!(standing.last_shown_at, 60 * minute);
}

#[test]
fn five_showings_unclicked_spare_the_shopper_for_a_month() {
    let fatigue = Fatigue::default();
    let four = shown_at(&fatigue, &[Millis(0), HOUR, 2 * HOUR, 3 * HOUR]);
    assert!(!fatigue.passes_over(four, 3 * HOUR));
    let five = Some(fatigue.shown(four, 4 * HOUR));
    assert!(fatigue.passes_over(five, 4 * HOUR));
    let month = Millis::days(30);
    assert!(fatigue.passes_over(five, 4 * HOUR + month - Millis(1)));
    assert!(!fatigue.passes_over(five, 4 * HOUR + month));
    // Shown again after its rest, it is counted afresh.
    assert_eq!(fatigue.shown(five, 4 * HOUR + month).shown, 1);
    assert!(!fatigue.passes_over(None, Millis(0)));
}

#[test]
fn a_click_forgives_what_came_before() {
    let fatigue = Fatigue::default();
    let five = shown_at(&fatigue, &[Millis(0), HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR]);
    let clicked = fatigue.clicked(five, 5 * HOUR);
    assert_eq!(
        clicked,
        Some(CardStanding {
            shown: 0,
            last_shown_at: 5 * HOUR
        })
    );
    assert!(!fatigue.passes_over(clicked, 5 * HOUR));
    // Within the hour of the click, a showing does not count yet; then the count starts again.
    assert_eq!(fatigue.shown(clicked, 5 * HOUR + Millis(1)).shown, 0);
    assert_eq!(fatigue.shown(clicked, 6 * HOUR).shown, 1);
    // A click on a product never shown on a suggesting shelf leaves nothing to forgive.
    assert_eq!(fatigue.clicked(None, HOUR), None);
}

#[test]
fn a_late_showing_does_not_move_the_count_back() {
    let fatigue = Fatigue::default();
    let standing = shown_at(&fatigue, &[2 * HOUR]);
    // A beacon that arrives after a newer one (sent earlier) counts as within the hour.
    assert_eq!(fatigue.shown(standing, HOUR).shown, 1);
    assert_eq!(fatigue.shown(standing, HOUR).last_shown_at, 2 * HOUR);
}

#[test]
fn the_resting_since_bound_keeps_exactly_the_resting_standings() {
    let fatigue = Fatigue::default();
    let now = Millis::days(100);
    let since = fatigue.resting_since(now);
    let resting = Some(CardStanding {
        shown: 5,
        last_shown_at: since,
    });
    let rested = Some(CardStanding {
        shown: 5,
        last_shown_at: since - Millis(1),
    });
    assert!(fatigue.passes_over(resting, now));
    assert!(!fatigue.passes_over(rested, now));
}
