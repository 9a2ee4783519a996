//! The products an email names, each in its recipient's language: the catalogue's title translated where the
//! catalogue has a translation in the shopper's language, its own title otherwise. Shared by the flows that queue
//! messages about products (review requests, unpaid-order reminders, cart price drops).

use crate::catalog::ssr::{names_of, titles_in};
use crate::kernel::ids::ProductKey;
use crate::store::StoreError;
use std::collections::HashMap;

/// Products' SKUs and titles, in the languages some shoppers read.
#[derive(Default)]
pub struct ProductNames {
    /// Each product's SKU and catalogue title.
    names: HashMap<i64, (String, String)>,
    /// Per language, the products' translated titles.
    translated: HashMap<String, HashMap<i64, String>>,
}

impl ProductNames {
    /// The names of `products` in `locales`, in one read per language, from the database's readers or inside a
    /// transaction.
    pub async fn load(
        connection: &mut sqlx::AnyConnection,
        locales: &[&str],
        products: &[i64],
    ) -> Result<Self, StoreError> {
        let mut names = ProductNames::default();
        names.load_more(connection, locales, products).await?;
        Ok(names)
    }

    /// Adds the names of `products` in `locales`, reading only the products and languages not loaded yet: a run
    /// that queues many batches about the same products reads each product's names once.
    pub async fn load_more(
        &mut self,
        connection: &mut sqlx::AnyConnection,
        locales: &[&str],
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
        for &locale in locales {
            if !self.translated.contains_key(locale) {
                let known: Vec<i64> = self.names.keys().copied().collect();
                let titles = titles_in(connection, &known, locale).await?;
                self.translated.insert(locale.to_owned(), titles);
            }
        }
        Ok(())
    }

    /// `product`'s SKU and title in `locale`; `None` for a product not loaded.
    pub fn of(&self, product: ProductKey, locale: &str) -> Option<(&str, &str)> {
        let (sku, title) = self.names.get(&product.0)?;
        let title = self
            .translated
            .get(locale)
            .and_then(|titles| titles.get(&product.0))
            .unwrap_or(title);
        Some((sku, title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::testing::{add_kitchen, add_products, product_input};
    use crate::store::testing::all;

    #[tokio::test]
    async fn names_loaded_batch_by_batch_are_in_each_language_whichever_batch_brought_it() {
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
            // The first batch brings A and B in English; the second only B, in Chinese; a third C in both.
            let mut names = ProductNames::load(&mut connection, &["en"], &[a.0, b.0])
                .await
                .unwrap();
            names
                .load_more(&mut connection, &["zh-CN"], &[b.0])
                .await
                .unwrap();
            names
                .load_more(&mut connection, &["en", "zh-CN"], &[c.0])
                .await
                .unwrap();
            assert_eq!(names.of(b, "en"), Some(("B", "Teapot B")));
            assert_eq!(
                names.of(a, "zh-CN"),
                Some(("A", "Teapot A")),
                "no translation"
            );
            assert_eq!(names.of(b, "zh-CN"), Some(("B", "茶壶 B")));
            assert_eq!(names.of(c, "zh-CN"), Some(("C", "茶壶 C")));
            assert_eq!(names.of(c, "en"), Some(("C", "Teapot C")));
        }
    }
}
