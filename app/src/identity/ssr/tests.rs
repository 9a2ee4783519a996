use super::*;
use crate::flows::testing::add_shopper;
use crate::store::testing::{all, count};

#[tokio::test]
async fn shoppers_are_upserted_and_bad_ones_refused_whole() {
    for store in all().await {
        let db = &store.db;
        add_shopper(db, "alice").await;
        let renamed = ShopperInput {
            shopper_id: "alice".into(),
            email: None,
            display_name: "Alice W.".into(),
            locale: "zh-CN".into(),
            time_zone: None,
        };
        let bad = ShopperInput {
            shopper_id: "zed".into(),
            email: Some("not-an-email".into()),
            display_name: "Zed".into(),
            locale: "en".into(),
            time_zone: None,
        };
        let StoreError::Rejected(error) = upsert_shoppers(db, &[renamed.clone(), bad], Millis(5))
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("shoppers[1].email"));
        assert_eq!(
            account(db, "alice").await.unwrap().unwrap().display_name,
            "Shopper alice"
        );

        let summary = upsert_shoppers(db, &[renamed], Millis(6)).await.unwrap();
        assert_eq!((summary.created, summary.updated), (0, 1));
        let alice = account(db, "alice").await.unwrap().unwrap();
        assert_eq!(
            (
                alice.display_name.as_str(),
                alice.locale.as_str(),
                alice.email
            ),
            ("Alice W.", "zh-CN", None)
        );
        assert_eq!(count(db, "shoppers").await, 1);
    }
}
