//! The products an email names, each in its recipient's language: the catalogue's title translated where the
//! catalogue has a translation in the shopper's language, its own title otherwise. Shared by the flows that queue
//! messages about products (review requests, unpaid-order reminders).

use crate::catalog::ssr::{names_of, titles_in};
use crate::identity::ssr::contacts_of;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::store::StoreError;
use std::collections::HashMap;

/// Products' SKUs and titles, as each of some shoppers reads them.
#[derive(Default)]
pub struct ProductNames {
    /// Each product's SKU and catalogue title.
    names: HashMap<i64, (String, String)>,
    /// Each shopper's language.
    locales: HashMap<i64, String>,
    /// Per language, the products' translated titles.
    translated: HashMap<String, HashMap<i64, String>>,
}

impl ProductNames {
    /// The names of `products` for `shoppers`, in one read per language among them, from the database's readers
    /// or inside a transaction.
    pub async fn load(
        connection: &mut sqlx::AnyConnection,
        shoppers: &[ShopperKey],
        products: &[i64],
    ) -> Result<Self, StoreError> {
        let mut names = ProductNames::default();
        names.load_more(connection, shoppers, products).await?;
        Ok(names)
    }

    /// Adds the names of `products` for `shoppers`, reading only the products and shoppers not loaded yet: a run
    /// that queues many batches about the same products reads each product's names once.
    pub async fn load_more(
        &mut self,
        connection: &mut sqlx::AnyConnection,
        shoppers: &[ShopperKey],
        products: &[i64],
    ) -> Result<(), StoreError> {
        let new_products: Vec<i64> = products
            .iter()
            .copied()
            .filter(|product| !self.names.contains_key(product))
            .collect();
        if !new_products.is_empty() {
            self.names
                .extend(names_of(connection, &new_products).await?);
            for (locale, titles) in &mut self.translated {
                titles.extend(titles_in(connection, &new_products, locale).await?);
            }
        }
        let new_shoppers: Vec<i64> = shoppers
            .iter()
            .map(|shopper| shopper.0)
            .filter(|shopper| !self.locales.contains_key(shopper))
            .collect();
        if !new_shoppers.is_empty() {
            for (key, contact) in contacts_of(connection, &new_shoppers).await? {
                if !self.translated.contains_key(&contact.locale) {
                    let known: Vec<i64> = self.names.keys().copied().collect();
                    let titles = titles_in(connection, &known, &contact.locale).await?;
                    self.translated.insert(contact.locale.clone(), titles);
                }
                self.locales.insert(key, contact.locale);
            }
        }
        Ok(())
    }

    /// `product`'s SKU and title in `shopper`'s language; `None` for a product not loaded.
    pub fn of(&self, shopper: ShopperKey, product: ProductKey) -> Option<(&str, &str)> {
        let (sku, title) = self.names.get(&product.0)?;
        let title = self
            .locales
            .get(&shopper.0)
            .and_then(|locale| self.translated.get(locale))
            .and_then(|titles| titles.get(&product.0))
            .unwrap_or(title);
        Some((sku, title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
    use crate::store::testing::all;

    #[tokio::test]
    async fn names_loaded_batch_by_batch_are_each_shoppers_language_whichever_batch_brought_it() {
        for store in all().await {
            let db = &store.db;
            add_kitchen(db).await;
            let mut products = ["A", "B", "C"].map(|sku| product_input(sku, 1_000, 5));
            for product in &mut products[1..] {
                product.translations.insert(
                    "zh-CN".into(),
                    crate::catalog::ProductText {
                        title: format!("茶壶 {}", product.sku),
                        description: String::new(),
                    },
                );
            }
            add_products(db, &products).await;
            add_shopper(db, "alice").await;
            crate::identity::ssr::upsert_shoppers(
                db,
                &[crate::identity::ShopperInput {
                    shopper_id: "bob".into(),
                    email: Some("bob@example.com".into()),
                    display_name: "Bob".into(),
                    locale: "zh-CN".into(),
                    time_zone: None,
                }],
                crate::kernel::time::Millis(1_000),
            )
            .await
            .unwrap();
            let key = |id: &'static str| async move {
                crate::identity::ssr::known_shopper_reading(db, id)
                    .await
                    .unwrap()
            };
            let (alice, bob) = (key("alice").await, key("bob").await);
            let mut tx = db.write().await.unwrap();
            let mut ids = Vec::new();
            for sku in ["A", "B", "C"] {
                let (id, ..) = crate::catalog::ssr::product_for_update(&mut tx, sku, "sku")
                    .await
                    .unwrap();
                ids.push(id);
            }
            tx.commit().await.unwrap();
            let (a, b, c) = (ids[0], ids[1], ids[2]);
            let mut connection = db.reader().acquire().await.unwrap();
            // Alice's batch brings A and B; Bob's, later, only B; a third brings C for both.
            let mut names = ProductNames::load(&mut connection, &[alice], &[a.0, b.0])
                .await
                .unwrap();
            names
                .load_more(&mut connection, &[bob], &[b.0])
                .await
                .unwrap();
            names
                .load_more(&mut connection, &[alice, bob], &[c.0])
                .await
                .unwrap();
            assert_eq!(names.of(alice, b), Some(("B", "Teapot B")));
            assert_eq!(names.of(bob, a), Some(("A", "Teapot A")), "no translation");
            assert_eq!(names.of(bob, b), Some(("B", "茶壶 B")));
            assert_eq!(names.of(bob, c), Some(("C", "茶壶 C")));
            assert_eq!(names.of(alice, c), Some(("C", "Teapot C")));
        }
    }
}
