//! Test fixtures that build a small shop through the capabilities themselves (a category, products, shoppers),
//! with the real flows wired in, for the tests of every capability and of the server.

use crate::kernel::time::Millis;
use crate::store::Db;

/// The category `kitchen`, with a Chinese name.
pub async fn add_kitchen(db: &Db) {
    let kitchen = crate::catalog::CategoryInput {
        slug: "kitchen".into(),
        name: "Kitchen".into(),
        translations: [("zh-CN".to_owned(), "厨房".to_owned())].into(),
        position: 0,
        review_criteria: None,
        repeatable: false,
    };
    crate::catalog::ssr::upsert_categories(db, &[kitchen])
        .await
        .expect("add category");
}

/// A kitchen product in CNY.
pub fn product_input(sku: &str, price_minor: i64, stock: i64) -> crate::catalog::ProductInput {
    crate::catalog::ProductInput {
        sku: sku.into(),
        category: "kitchen".into(),
        title: format!("Teapot {sku}"),
        description: "A teapot.".into(),
        image_url: format!("/demo-img/{sku}.svg"),
        page_url: String::new(),
        price_minor,
        currency: "CNY".into(),
        stock,
        active: true,
        translations: Default::default(),
    }
}

pub async fn add_products(db: &Db, products: &[crate::catalog::ProductInput]) {
    crate::catalog::ssr::upsert_products(
        db,
        products,
        &super::catalog_alerts::CatalogAlerts(&crate::alerts::rules::AlertPolicy::default()),
        Millis(1_000),
    )
    .await
    .expect("add products");
}

pub async fn add_shopper(db: &Db, id: &str) {
    let shopper = crate::identity::ShopperInput {
        shopper_id: id.into(),
        email: Some(format!("{id}@example.com")),
        display_name: format!("Shopper {id}"),
        locale: "en".into(),
        time_zone: None,
    };
    crate::identity::ssr::upsert_shoppers(db, &[shopper], Millis(1_000))
        .await
        .expect("add shopper");
}

/// A shopper the store shared without an email address: nothing can be emailed to them.
pub async fn add_shopper_without_address(db: &Db, id: &str) {
    let shopper = crate::identity::ShopperInput {
        shopper_id: id.into(),
        email: None,
        display_name: format!("Shopper {id}"),
        locale: "en".into(),
        time_zone: None,
    };
    crate::identity::ssr::upsert_shoppers(db, &[shopper], Millis(1_000))
        .await
        .expect("add shopper");
}

/// Records order `id` of `who`, placed at `when`, its lines as (SKU, quantity, unit price) in CNY, at the store's
/// time `now`, followed by `then`.
pub async fn buy(
    db: &Db,
    id: &str,
    who: &str,
    lines: &[(&str, i64, i64)],
    when: Millis,
    now: Millis,
    then: &dyn crate::store::Then<crate::orders::ssr::OrderChange>,
) {
    let input = crate::orders::OrderInput {
        order_id: id.into(),
        shopper_id: who.into(),
        currency: "CNY".into(),
        lines: lines
            .iter()
            .map(|(sku, quantity, price)| crate::orders::OrderLineInput {
                sku: (*sku).into(),
                quantity: *quantity,
                unit_price_minor: *price,
            })
            .collect(),
        shipping_minor: 0,
        tax_minor: 0,
        placed_at: Some(crate::kernel::time::to_rfc3339(when)),
    };
    crate::orders::ssr::record_order(db, &format!("key-{id}"), &input, then, now)
        .await
        .expect("record order");
}

/// Checks that the daily counts' backfills (migrations 0030 and 0032), run again on what the store holds now, make
/// the counts the triggers kept (every count not zero, shards and PostgreSQL's added rows summed), and that folding
/// the added rows changes no count and leaves none.
pub async fn daily_counts_backfill_the_same(db: &Db) {
    let migrations = match db.backend() {
        crate::store::Backend::Sqlite => [
            include_str!("../../migrations/sqlite/0030_daily_counts.sql"),
            include_str!("../../migrations/sqlite/0032_notice_and_save_counts.sql"),
        ],
        crate::store::Backend::Postgres => [
            include_str!("../../migrations/postgres/0030_daily_counts.sql"),
            include_str!("../../migrations/postgres/0032_notice_and_save_counts.sql"),
        ],
    };
    let counts = async || {
        let mut counts = Vec::new();
        for (table, keys, count) in [
            ("votes_per_day", "day, CAST(helpful AS TEXT)", "votes"),
            (
                "reviews_per_day",
                "day, rating || ' ' || verified || ' ' || status",
                "reviews",
            ),
            (
                "tier_moves_per_day",
                "day, from_tier || ' ' || to_tier || ' ' || reason",
                "members",
            ),
            (
                "notices_per_day",
                "day, kind || ' ' || channel || ' ' || status || ' ' || seen || ' ' || clicked",
                "notices",
            ),
            ("alerts_per_day", "day, kind || ' ' || confirmed", "alerts"),
            ("saves_per_day", "day, ''", "saves"),
        ] {
            let rows: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
                "SELECT {keys}, CAST(SUM({count}) AS BIGINT) FROM {table} GROUP BY 1, 2 \
                 HAVING SUM({count}) <> 0 ORDER BY 1, 2"
            ))
            .fetch_all(db.reader())
            .await
            .expect("read the counts");
            counts.push((table, rows));
        }
        counts
    };
    let kept = counts().await;
    crate::alerts::ssr::fold_daily_counts(db)
        .await
        .expect("fold the notices' and alerts' counts");
    crate::wishlist::ssr::fold_daily_counts(db)
        .await
        .expect("fold the saves' counts");
    assert_eq!(counts().await, kept, "folded");
    if db.backend() == crate::store::Backend::Postgres {
        for table in ["notices_per_day", "alerts_per_day", "saves_per_day"] {
            let added: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE NOT folded"))
                    .fetch_one(db.reader())
                    .await
                    .expect("count the added rows");
            assert_eq!(added, 0, "{table} folded");
        }
    }
    for (table, _) in &kept {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(db.reader())
            .await
            .expect("empty the counts");
    }
    for migration in migrations {
        let backfill = &migration[migration
            .find("-- The rows already stored, counted.")
            .expect("the backfill's heading")..];
        for statement in backfill.split(';').filter(|s| !s.trim().is_empty()) {
            sqlx::query(statement)
                .execute(db.reader())
                .await
                .expect("backfill");
        }
    }
    assert_eq!(counts().await, kept, "backfilled");
}
