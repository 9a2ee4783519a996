use super::*;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::identity::Viewer;
use crate::kernel::error::ErrorCode;
use crate::store::testing::{all, count};

fn event(shopper: Option<&str>, guest: Option<&str>, sku: &str) -> EventInput {
    EventInput {
        shopper_id: shopper.map(Into::into),
        guest_id: guest.map(Into::into),
        sku: sku.into(),
        kind: EventKind::Viewed,
        occurred_at: None,
    }
}

#[tokio::test]
async fn a_batch_of_events_is_recorded_whole_or_not_at_all() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &[product_input("A", 100, 1)]).await;
        add_shopper(db, "alice").await;
        let good = [
            event(Some("alice"), None, "A"),
            event(None, Some("g-1"), "A"),
        ];
        assert_eq!(record_batch(db, &good, Millis(10_000)).await.unwrap(), 2);

        let cases = [
            (event(Some("alice"), Some("g-1"), "A"), "events[1].guest_id"),
            (event(None, None, "A"), "events[1].shopper_id"),
            (event(Some("carol"), None, "A"), "events[1].shopper_id"),
            (event(Some("alice"), None, "NOPE"), "events[1].sku"),
            (
                EventInput {
                    occurred_at: Some("2099-01-01T00:00:00Z".into()),
                    ..event(Some("alice"), None, "A")
                },
                "events[1].occurred_at",
            ),
        ];
        for (bad, field) in cases {
            let StoreError::Rejected(error) =
                record_batch(db, &[good[0].clone(), bad], Millis(10_000))
                    .await
                    .unwrap_err()
            else {
                panic!()
            };
            assert_eq!(error.field.as_deref(), Some(field));
        }
        assert_eq!(count(db, "shopper_events").await, 2);
        let kinds: Vec<String> = sqlx::query_scalar(
            "SELECT e.kind FROM shopper_events e JOIN products p ON p.id = e.product_id WHERE p.sku = 'A'",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(kinds, ["viewed", "viewed"]);
    }
}

#[tokio::test]
async fn shopper_path_events_belong_to_the_verified_viewer() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        let mut withdrawn = product_input("GONE", 100, 1);
        withdrawn.active = false;
        add_products(db, &[product_input("A", 100, 1), withdrawn]).await;
        add_shopper(db, "alice").await;
        record_for_viewer(
            db,
            &Viewer::Shopper("alice".into()),
            "A",
            EventKind::Carted,
            Millis(5),
        )
        .await
        .unwrap();
        record_for_viewer(
            db,
            &Viewer::Guest("g-9".into()),
            "A",
            EventKind::Viewed,
            Millis(6),
        )
        .await
        .unwrap();
        let StoreError::Rejected(error) = record_for_viewer(
            db,
            &Viewer::Guest("g-9".into()),
            "GONE",
            EventKind::Viewed,
            Millis(7),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::NotFound);
        let StoreError::Rejected(_) = record_for_viewer(
            db,
            &Viewer::Shopper("mallory".into()),
            "A",
            EventKind::Viewed,
            Millis(7),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        let owners: Vec<(Option<i64>, Option<String>, String)> = sqlx::query_as(
            "SELECT shopper_id, guest_id, kind FROM shopper_events ORDER BY occurred_at",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(owners.len(), 2);
        assert!(owners[0].0.is_some() && owners[0].2 == "carted");
        assert_eq!(
            (owners[1].1.as_deref(), owners[1].2.as_str()),
            (Some("g-9"), "viewed")
        );
    }
}
