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
