use super::*;
use crate::alerts::rules::AlertPolicy;
use crate::catalog::ProductText;
use crate::flows::catalog_alerts::CatalogAlerts;
use crate::flows::testing::{add_kitchen, add_products, product_input};
use crate::store::testing::{all, count, sqlite};

#[tokio::test]
async fn products_are_created_then_replaced_and_every_price_is_kept() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        let mut teapot = product_input("TEA-1", 12_900, 3);
        teapot.translations.insert(
            "zh-CN".into(),
            ProductText {
                title: "茶壶".into(),
                description: "一把茶壶".into(),
            },
        );
        assert_eq!(
            upsert_products(
                db,
                &[teapot.clone()],
                &CatalogAlerts(&AlertPolicy::default()),
                Millis(1_000)
            )
            .await
            .unwrap(),
            UpsertSummary {
                created: 1,
                updated: 0
            }
        );

        teapot.price_minor = 9_900;
        teapot.title = "Teapot, now cheaper".into();
        assert_eq!(
            upsert_products(
                db,
                &[teapot.clone()],
                &CatalogAlerts(&AlertPolicy::default()),
                Millis(2_000)
            )
            .await
            .unwrap(),
            UpsertSummary {
                created: 0,
                updated: 1
            }
        );
        // The same price again records nothing new.
        upsert_products(
            db,
            &[teapot],
            &CatalogAlerts(&AlertPolicy::default()),
            Millis(3_000),
        )
        .await
        .unwrap();

        let history = price_history(db, "TEA-1").await.unwrap();
        assert_eq!(
            history,
            vec![
                (Millis(1_000), Money::new(12_900, "CNY")),
                (Millis(2_000), Money::new(9_900, "CNY"))
            ]
        );
        let english = product(db, "TEA-1", "en").await.unwrap().unwrap();
        assert_eq!(
            (english.title.as_str(), english.category.name.as_str()),
            ("Teapot, now cheaper", "Kitchen")
        );
        let chinese = product(db, "TEA-1", "zh-CN").await.unwrap().unwrap();
        assert_eq!(
            (chinese.title.as_str(), chinese.category.name.as_str()),
            ("茶壶", "厨房")
        );
        assert_eq!(count(db, "stock_history").await, 1);
    }
}

#[tokio::test]
async fn a_batch_with_one_bad_product_writes_nothing() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        let mut stray = product_input("TEA-2", 100, 1);
        stray.category = "garden".into();
        let error = upsert_products(
            db,
            &[product_input("TEA-1", 100, 1), stray],
            &CatalogAlerts(&AlertPolicy::default()),
            Millis(1_000),
        )
        .await
        .unwrap_err();
        let StoreError::Rejected(error) = error else {
            panic!("expected a rejection, got {error:?}")
        };
        assert_eq!(error.field.as_deref(), Some("products[1].category"));
        assert_eq!(count(db, "products").await, 0);
        assert_eq!(count(db, "price_history").await, 0);

        let mut negative = product_input("TEA-3", -1, 1);
        negative.stock = 2;
        let StoreError::Rejected(error) = upsert_products(
            db,
            &[negative],
            &CatalogAlerts(&AlertPolicy::default()),
            Millis(1_000),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("products[0].price_minor"));
        assert_eq!(count(db, "products").await, 0);
    }
}

#[tokio::test]
async fn price_and_stock_changes_are_recorded_all_or_none() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(
            db,
            &[product_input("A", 1_000, 0), product_input("B", 2_000, 5)],
        )
        .await;

        let changes = [
            PriceChange {
                sku: "A".into(),
                price_minor: 800,
                currency: "CNY".into(),
            },
            PriceChange {
                sku: "NOPE".into(),
                price_minor: 1,
                currency: "CNY".into(),
            },
        ];
        let StoreError::Rejected(error) = change_prices(
            db,
            &changes,
            &CatalogAlerts(&AlertPolicy::default()),
            Millis(5_000),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(
            (error.code.as_str(), error.field.as_deref()),
            ("not_found", Some("prices[1].sku"))
        );
        assert_eq!(
            product(db, "A", "en")
                .await
                .unwrap()
                .unwrap()
                .price
                .amount_minor,
            1_000
        );

        let wrong_currency = [PriceChange {
            sku: "A".into(),
            price_minor: 800,
            currency: "USD".into(),
        }];
        let StoreError::Rejected(error) = change_prices(
            db,
            &wrong_currency,
            &CatalogAlerts(&AlertPolicy::default()),
            Millis(5_000),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("prices[0].currency"));

        let unchanged_and_changed = [
            PriceChange {
                sku: "A".into(),
                price_minor: 800,
                currency: "CNY".into(),
            },
            PriceChange {
                sku: "B".into(),
                price_minor: 2_000,
                currency: "CNY".into(),
            },
        ];
        assert_eq!(
            change_prices(
                db,
                &unchanged_and_changed,
                &CatalogAlerts(&AlertPolicy::default()),
                Millis(6_000)
            )
            .await
            .unwrap(),
            1
        );
        assert_eq!(
            price_history(db, "A").await.unwrap().last(),
            Some(&(Millis(6_000), Money::new(800, "CNY")))
        );
        assert_eq!(price_history(db, "B").await.unwrap().len(), 1);

        assert_eq!(
            change_stock(
                db,
                &[StockChange {
                    sku: "A".into(),
                    stock: 7
                }],
                &CatalogAlerts(&AlertPolicy::default()),
                Millis(7_000)
            )
            .await
            .unwrap(),
            1
        );
        assert_eq!(product(db, "A", "en").await.unwrap().unwrap().stock, 7);
        let StoreError::Rejected(error) = change_stock(
            db,
            &[StockChange {
                sku: "A".into(),
                stock: -1,
            }],
            &CatalogAlerts(&AlertPolicy::default()),
            Millis(8_000),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("stock[0].stock"));
    }
}

#[tokio::test]
async fn category_pages_list_active_products_newest_first() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        for index in 0..5 {
            let mut item = product_input(&format!("P{index}"), 100, 1);
            item.active = index != 2;
            upsert_products(
                db,
                &[item],
                &CatalogAlerts(&AlertPolicy::default()),
                Millis(1_000 + index),
            )
            .await
            .unwrap();
        }
        let first = category_page(db, "kitchen", "en", 1, 3)
            .await
            .unwrap()
            .unwrap();
        let skus: Vec<_> = first.products.iter().map(|p| p.sku.as_str()).collect();
        assert_eq!(
            (skus, first.page, first.pages),
            (vec!["P4", "P3", "P1"], 1, 2)
        );
        let last = category_page(db, "kitchen", "en", 9, 3)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((last.page, last.products.len()), (2, 1));
        assert!(
            category_page(db, "garden", "en", 1, 3)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(new_arrivals(db, "en", 2).await.unwrap().len(), 2);
        // The inactive product's page still answers, marked inactive.
        assert!(!product(db, "P2", "en").await.unwrap().unwrap().active);
    }
}

#[tokio::test]
async fn concurrent_writes_on_sqlite_never_fail_as_locked() {
    let store = sqlite().await;
    add_kitchen(&store.db).await;
    let writers = (0..24).map(|writer| {
        let db = store.db.clone();
        tokio::spawn(async move {
            for round in 0..5 {
                let batch: Vec<_> = (0..20)
                    .map(|i| product_input(&format!("W{writer}-{round}-{i}"), 100 + i, 1))
                    .collect();
                upsert_products(
                    &db,
                    &batch,
                    &CatalogAlerts(&AlertPolicy::default()),
                    Millis(1_000),
                )
                .await?;
                change_prices(
                    &db,
                    &[PriceChange {
                        sku: format!("W{writer}-{round}-0"),
                        price_minor: 1,
                        currency: "CNY".into(),
                    }],
                    &CatalogAlerts(&AlertPolicy::default()),
                    Millis(2_000),
                )
                .await?;
            }
            Ok::<_, StoreError>(())
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap().unwrap();
    }
    assert_eq!(count(&store.db, "products").await, 24 * 5 * 20);
}
