//! The products an email names, each in its recipient's language: the catalogue's title translated where the
//! catalogue has a translation in the shopper's language, its own title otherwise. Shared by the flows that queue
//! messages about products (review requests, unpaid-order reminders).

use crate::catalog::ssr::{names_of, titles_in};
use crate::identity::ssr::contacts_of;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::store::StoreError;
use std::collections::HashMap;

/// Products' SKUs and titles, as each of some shoppers reads them.
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
        let names = names_of(connection, products).await?;
        let keys: Vec<i64> = shoppers.iter().map(|shopper| shopper.0).collect();
        let locales: HashMap<i64, String> = contacts_of(connection, &keys)
            .await?
            .into_iter()
            .map(|(key, contact)| (key, contact.locale))
            .collect();
        let mut translated = HashMap::new();
        for locale in locales.values() {
            if !translated.contains_key(locale) {
                translated.insert(
                    locale.clone(),
                    titles_in(connection, products, locale).await?,
                );
            }
        }
        Ok(ProductNames {
            names,
            locales,
            translated,
        })
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
