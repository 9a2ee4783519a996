//! The catalogue's SQL: one store function per operation, used by the merchant API and the storefront alike.

use super::rules::{
    lowest_of_30_days, validate_category, validate_price_change, validate_product,
    validate_stock_change,
};
use super::{
    Category, CategoryInput, CategoryPage, PriceChange, Product, ProductCard, ProductInput,
    StockChange,
};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::ids::ProductKey;
use crate::kernel::money::Money;
use crate::kernel::time::{DAY_MS, Millis};
use crate::kernel::validate::{self, MAX_BATCH, UpsertSummary};
use crate::store::{Db, StoreError, Then, Tx};
use sqlx::Row;

/// A price or stock level that a catalogue write changed, reported inside its transaction to what follows it
/// (price and stock alerts, in `flows`). A new product changes nothing: there was nothing before to compare with.
#[derive(Debug, Clone, PartialEq)]
pub enum ProductChange {
    Price {
        product_id: i64,
        from_minor: i64,
        to_minor: i64,
        currency: String,
        /// The price history's row, which keys the notices the change causes.
        change_id: i64,
        at: Millis,
    },
    Stock {
        product_id: i64,
        from: i64,
        to: i64,
        change_id: i64,
        at: Millis,
    },
}

const PRODUCT_COLUMNS: &str = "p.id, p.sku, COALESCE(t.title, p.title) AS title, \
     COALESCE(t.description, p.description) AS description, p.image_url, p.page_url, p.price_minor, p.currency, \
     p.stock, CAST(CASE WHEN p.active THEN 1 ELSE 0 END AS BIGINT) AS active, c.slug AS category_slug, COALESCE(ct.name, c.name) AS category_name";

const PRODUCT_JOINS: &str = "FROM products p JOIN categories c ON c.id = p.category_id \
     LEFT JOIN product_translations t ON t.product_id = p.id AND t.locale = $1 \
     LEFT JOIN category_translations ct ON ct.category_id = c.id AND ct.locale = $1";

fn product_from_row(row: &sqlx::any::AnyRow) -> Result<Product, sqlx::Error> {
    Ok(Product {
        sku: row.try_get("sku")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        image_url: row.try_get("image_url")?,
        page_url: row.try_get("page_url")?,
        price: Money::new(
            row.try_get("price_minor")?,
            row.try_get::<String, _>("currency")?,
        ),
        stock: row.try_get("stock")?,
        // The Any driver decodes no SQLite booleans, so the query turns `active` into 0 or 1.
        active: row.try_get::<i64, _>("active")? != 0,
        category: Category {
            slug: row.try_get("category_slug")?,
            name: row.try_get("category_name")?,
        },
    })
}

/// A product card from a row with the columns `sku`, `title`, `image_url`, `price_minor`, `currency`, `stock`.
pub(crate) fn card_from_row(row: &sqlx::any::AnyRow) -> Result<ProductCard, sqlx::Error> {
    Ok(ProductCard {
        sku: row.try_get("sku")?,
        title: row.try_get("title")?,
        image_url: row.try_get("image_url")?,
        price: Money::new(
            row.try_get("price_minor")?,
            row.try_get::<String, _>("currency")?,
        ),
        stock: row.try_get("stock")?,
    })
}

/// Creates or replaces categories, all or none.
pub async fn upsert_categories(
    db: &Db,
    categories: &[CategoryInput],
) -> Result<UpsertSummary, StoreError> {
    validate::batch(
        "categories",
        categories,
        MAX_BATCH,
        |c| &c.slug,
        validate_category,
    )?;
    let mut tx = db.write().await?;
    let mut summary = UpsertSummary::default();
    for category in categories {
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
            .bind(&category.slug)
            .fetch_optional(&mut *tx)
            .await?;
        let criteria = category.review_criteria.as_ref().map(|c| c.join(","));
        let id = match existing {
            Some(id) => {
                sqlx::query("UPDATE categories SET name = $1, position = $2, review_criteria = $3, repeatable = $4 WHERE id = $5")
                    .bind(&category.name)
                    .bind(category.position)
                    .bind(&criteria)
                    .bind(i64::from(category.repeatable))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                summary.updated += 1;
                id
            }
            None => {
                summary.created += 1;
                sqlx::query_scalar("INSERT INTO categories (slug, name, position, review_criteria, repeatable) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(&category.slug)
                    .bind(&category.name)
                    .bind(category.position)
                    .bind(&criteria)
                    .bind(i64::from(category.repeatable))
                    .fetch_one(&mut *tx)
                    .await?
            }
        };
        sqlx::query("DELETE FROM category_translations WHERE category_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for (locale, name) in &category.translations {
            sqlx::query(
                "INSERT INTO category_translations (category_id, locale, name) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(locale)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(summary)
}

/// Creates or replaces products, all or none. Every new price and stock level is recorded in the
/// product's history with the time `now`.
pub async fn upsert_products(
    db: &Db,
    products: &[ProductInput],
    then: &dyn Then<ProductChange>,
    now: Millis,
) -> Result<UpsertSummary, StoreError> {
    validate::batch(
        "products",
        products,
        MAX_BATCH,
        |p| &p.sku,
        validate_product,
    )?;
    let mut tx = db.write().await?;
    let mut summary = UpsertSummary::default();
    for (index, product) in products.iter().enumerate() {
        let category_id: i64 = sqlx::query_scalar("SELECT id FROM categories WHERE slug = $1")
            .bind(&product.category)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    Some(format!("products[{index}].category")),
                    format!(
                        "unknown category \"{}\"; create it with PUT /api/v1/categories first",
                        product.category
                    ),
                )
            })?;
        let existing =
            sqlx::query("SELECT id, price_minor, currency, stock FROM products WHERE sku = $1")
                .bind(&product.sku)
                .fetch_optional(&mut *tx)
                .await?;
        // What the product was, for the history and the alerts; a new product was nothing before.
        let (id, before) = match existing {
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let before = Before {
                    price_minor: row.try_get("price_minor")?,
                    currency: row.try_get("currency")?,
                    stock: row.try_get("stock")?,
                };
                sqlx::query(
                    "UPDATE products SET category_id = $1, title = $2, description = $3, image_url = $4, page_url = $5, \
                     price_minor = $6, currency = $7, stock = $8, active = $9, updated_at = $10 WHERE id = $11",
                )
                .bind(category_id)
                .bind(&product.title)
                .bind(&product.description)
                .bind(&product.image_url)
                .bind(&product.page_url)
                .bind(product.price_minor)
                .bind(&product.currency)
                .bind(product.stock)
                .bind(product.active)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                summary.updated += 1;
                (id, Some(before))
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO products (sku, category_id, title, description, image_url, page_url, price_minor, \
                     currency, stock, active, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                )
                .bind(&product.sku)
                .bind(category_id)
                .bind(&product.title)
                .bind(&product.description)
                .bind(&product.image_url)
                .bind(&product.page_url)
                .bind(product.price_minor)
                .bind(&product.currency)
                .bind(product.stock)
                .bind(product.active)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                summary.created += 1;
                (id, None)
            }
        };
        match &before {
            Some(before) if before.currency == product.currency => {
                if before.price_minor != product.price_minor {
                    let change =
                        record_price(&mut tx, id, product.price_minor, &product.currency, now)
                            .await?;
                    then.then(
                        &mut tx,
                        ProductChange::Price {
                            product_id: id,
                            from_minor: before.price_minor,
                            to_minor: product.price_minor,
                            currency: product.currency.clone(),
                            change_id: change,
                            at: now,
                        },
                    )
                    .await?;
                }
            }
            // A new product, or one repriced in another currency: nothing to compare the price with.
            _ => {
                record_price(&mut tx, id, product.price_minor, &product.currency, now).await?;
            }
        }
        let old_stock = before.as_ref().map(|b| b.stock);
        if old_stock != Some(product.stock) {
            let change = record_stock(&mut tx, id, product.stock, now).await?;
            if let Some(old_stock) = old_stock {
                then.then(
                    &mut tx,
                    ProductChange::Stock {
                        product_id: id,
                        from: old_stock,
                        to: product.stock,
                        change_id: change,
                        at: now,
                    },
                )
                .await?;
            }
        }
        sqlx::query("DELETE FROM product_translations WHERE product_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for (locale, text) in &product.translations {
            sqlx::query("INSERT INTO product_translations (product_id, locale, title, description) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(locale)
                .bind(&text.title)
                .bind(&text.description)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(summary)
}

/// A product's price and stock before an upsert changed them.
struct Before {
    price_minor: i64,
    currency: String,
    stock: i64,
}

/// Records a price in the history; returns the change's id, which keys the notices it causes.
async fn record_price(
    tx: &mut Tx,
    product_id: i64,
    price_minor: i64,
    currency: &str,
    at: Millis,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO price_history (product_id, price_minor, currency, changed_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(product_id)
    .bind(price_minor)
    .bind(currency)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
}

/// Records a stock level in the history; returns the change's id.
async fn record_stock(
    tx: &mut Tx,
    product_id: i64,
    stock: i64,
    at: Millis,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO stock_history (product_id, stock, changed_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(product_id)
    .bind(stock)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
}

/// Looks up a product's id and current price by SKU inside a transaction, naming `field` when it is unknown.
pub async fn product_for_update(
    tx: &mut Tx,
    sku: &str,
    field: &str,
) -> Result<(ProductKey, i64, String, i64), StoreError> {
    let row = sqlx::query("SELECT id, price_minor, currency, stock FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            AppError::not_found(Some(field.to_owned()), format!("unknown product \"{sku}\""))
        })?;
    Ok((
        row.try_get("id")?,
        row.try_get("price_minor")?,
        row.try_get("currency")?,
        row.try_get("stock")?,
    ))
}

/// The row id of an active product, for shopper-path writes; an unknown or withdrawn product is refused.
pub async fn active_product_id(tx: &mut Tx, sku: &str) -> Result<ProductKey, StoreError> {
    Ok(active_product_price(tx, sku).await?.0)
}

/// An active product's row id and current price, for shopper-path writes that keep the price the shopper saw; an
/// unknown or withdrawn product is refused.
pub async fn active_product_price(
    tx: &mut Tx,
    sku: &str,
) -> Result<(ProductKey, i64, String), StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, price_minor, currency FROM products WHERE sku = $1 AND active = TRUE",
    )
    .bind(sku)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| {
        AppError::not_found(
            Some("sku".into()),
            Translation::of("error.product_unavailable"),
        )
    })?)
}

/// The row ids of the products with these SKUs, withdrawn ones too (a page may still show a card the store
/// withdrew a moment ago); SKUs the store never had are missing from the answer.
pub async fn product_keys(
    tx: &mut Tx,
    skus: &[&str],
) -> Result<std::collections::HashMap<String, ProductKey>, StoreError> {
    if skus.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let places = (1..=skus.len())
        .map(|index| format!("${index}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT sku, id FROM products WHERE sku IN ({places})");
    let mut query = sqlx::query_as::<_, (String, ProductKey)>(&sql);
    for sku in skus {
        query = query.bind(*sku);
    }
    Ok(query.fetch_all(&mut **tx).await?.into_iter().collect())
}

/// Applies price changes, all or none; an unchanged price records nothing.
pub async fn change_prices(
    db: &Db,
    changes: &[PriceChange],
    then: &dyn Then<ProductChange>,
    now: Millis,
) -> Result<u64, StoreError> {
    validate::batch(
        "prices",
        changes,
        MAX_BATCH,
        |c| &c.sku,
        validate_price_change,
    )?;
    let mut tx = db.write().await?;
    let mut changed = 0;
    for (index, change) in changes.iter().enumerate() {
        let (id, price, currency, _) =
            product_for_update(&mut tx, &change.sku, &format!("prices[{index}].sku")).await?;
        if currency != change.currency {
            return Err(AppError::invalid(
                format!("prices[{index}].currency"),
                format!("the product is priced in {currency}; send the whole product to change its currency"),
            )
            .into());
        }
        if price == change.price_minor {
            continue;
        }
        sqlx::query("UPDATE products SET price_minor = $1, updated_at = $2 WHERE id = $3")
            .bind(change.price_minor)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change_id = record_price(&mut tx, id.0, change.price_minor, &currency, now).await?;
        then.then(
            &mut tx,
            ProductChange::Price {
                product_id: id.0,
                from_minor: price,
                to_minor: change.price_minor,
                currency,
                change_id,
                at: now,
            },
        )
        .await?;
        changed += 1;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Applies stock levels, all or none; an unchanged level records nothing.
pub async fn change_stock(
    db: &Db,
    changes: &[StockChange],
    then: &dyn Then<ProductChange>,
    now: Millis,
) -> Result<u64, StoreError> {
    validate::batch(
        "stock",
        changes,
        MAX_BATCH,
        |c| &c.sku,
        validate_stock_change,
    )?;
    let mut tx = db.write().await?;
    let mut changed = 0;
    for (index, change) in changes.iter().enumerate() {
        let (id, _, _, stock) =
            product_for_update(&mut tx, &change.sku, &format!("stock[{index}].sku")).await?;
        if stock == change.stock {
            continue;
        }
        sqlx::query("UPDATE products SET stock = $1, updated_at = $2 WHERE id = $3")
            .bind(change.stock)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change_id = record_stock(&mut tx, id.0, change.stock, now).await?;
        then.then(
            &mut tx,
            ProductChange::Stock {
                product_id: id.0,
                from: stock,
                to: change.stock,
                change_id,
                at: now,
            },
        )
        .await?;
        changed += 1;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Every category, in menu order, named in `locale`.
pub async fn categories(db: &Db, locale: &str) -> Result<Vec<Category>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.slug, COALESCE(ct.name, c.name) AS name FROM categories c \
         LEFT JOIN category_translations ct ON ct.category_id = c.id AND ct.locale = $1 \
         ORDER BY c.position, c.slug",
    )
    .bind(locale)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(Category {
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// An active product by SKU, in `locale`; inactive products are shown too, marked, so old links keep working.
pub async fn product(db: &Db, sku: &str, locale: &str) -> Result<Option<Product>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {PRODUCT_COLUMNS} {PRODUCT_JOINS} WHERE p.sku = $2"
    ))
    .bind(locale)
    .bind(sku)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.as_ref().map(product_from_row).transpose()?)
}

/// The newest active products.
pub async fn new_arrivals(
    db: &Db,
    locale: &str,
    limit: i64,
) -> Result<Vec<ProductCard>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {PRODUCT_COLUMNS} {PRODUCT_JOINS} WHERE p.active = TRUE ORDER BY p.created_at DESC, p.id DESC LIMIT $2"
    ))
    .bind(locale)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    Ok(rows.iter().map(card_from_row).collect::<Result<_, _>>()?)
}

/// One page of a category's active products, newest first; `None` when the category does not exist.
pub async fn category_page(
    db: &Db,
    slug: &str,
    locale: &str,
    page: i64,
    per_page: i64,
) -> Result<Option<CategoryPage>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT c.id, c.slug, COALESCE(ct.name, c.name) AS name, \
         (SELECT COUNT(*) FROM products p WHERE p.category_id = c.id AND p.active = TRUE) AS total \
         FROM categories c LEFT JOIN category_translations ct ON ct.category_id = c.id AND ct.locale = $1 \
         WHERE c.slug = $2",
    )
    .bind(locale)
    .bind(slug)
    .fetch_optional(db.reader())
    .await?
    else {
        return Ok(None);
    };
    let category_id: i64 = row.try_get("id")?;
    let total: i64 = row.try_get("total")?;
    let pages = ((total + per_page - 1) / per_page).max(1);
    let page = page.clamp(1, pages);
    let rows = sqlx::query(&format!(
        "SELECT {PRODUCT_COLUMNS} {PRODUCT_JOINS} WHERE p.category_id = $2 AND p.active = TRUE \
         ORDER BY p.created_at DESC, p.id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(locale)
    .bind(category_id)
    .bind(per_page)
    .bind((page - 1) * per_page)
    .fetch_all(db.reader())
    .await?;
    Ok(Some(CategoryPage {
        category: Category {
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
        },
        products: rows.iter().map(card_from_row).collect::<Result<_, _>>()?,
        page,
        pages,
    }))
}

/// A product's recorded prices, oldest first.
pub async fn price_history(db: &Db, sku: &str) -> Result<Vec<(Millis, Money)>, StoreError> {
    let rows = sqlx::query(
        "SELECT h.changed_at, h.price_minor, h.currency FROM price_history h JOIN products p ON p.id = h.product_id \
         WHERE p.sku = $1 ORDER BY h.changed_at, h.id",
    )
    .bind(sku)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok((
                row.try_get("changed_at")?,
                Money::new(
                    row.try_get("price_minor")?,
                    row.try_get::<String, _>("currency")?,
                ),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The lowest price of the 30 days before `at`, from the product's price history (the EU Omnibus price that a
/// notice of a lower price states beside it); `fallback` when the product had no price then.
pub async fn lowest_price_of_30_days(
    tx: &mut Tx,
    product_id: i64,
    at: Millis,
    fallback: i64,
) -> Result<i64, sqlx::Error> {
    let since = at - 30 * DAY_MS;
    let rows = sqlx::query(
        "SELECT changed_at, price_minor FROM price_history WHERE product_id = $1 AND changed_at <= $3 AND changed_at >= \
         COALESCE((SELECT MAX(changed_at) FROM price_history WHERE product_id = $1 AND changed_at <= $2), 0) \
         ORDER BY changed_at, id",
    )
    .bind(product_id)
    .bind(since)
    .bind(at)
    .fetch_all(&mut **tx)
    .await?;
    let history: Vec<(Millis, i64)> = rows
        .iter()
        .map(|row| Ok((row.try_get("changed_at")?, row.try_get("price_minor")?)))
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(lowest_of_30_days(&history, at).unwrap_or(fallback))
}

/// The store's own page of a product, when the catalogue has one.
pub async fn page_url(tx: &mut Tx, product_id: ProductKey) -> Result<Option<String>, sqlx::Error> {
    let url: Option<String> = sqlx::query_scalar("SELECT page_url FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(url.filter(|url| !url.is_empty()))
}

/// Every price the catalogue recorded: (product, when, price), in time order.
pub async fn every_price(db: &Db) -> Result<Vec<(i64, Millis, Money)>, StoreError> {
    let rows: Vec<(i64, Millis, i64, String)> = sqlx::query_as(
        "SELECT product_id, changed_at, price_minor, currency FROM price_history ORDER BY changed_at, id",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(product, at, price_minor, currency)| {
            (product, at, Money::new(price_minor, currency))
        })
        .collect())
}

/// The titles of `products` (row ids) in `locale`, where the catalogue has a translation.
pub async fn titles_in(
    connection: &mut sqlx::AnyConnection,
    products: &[i64],
    locale: &str,
) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    let set = crate::store::IdSet::distinct(connection, products.iter().copied());
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT t.product_id, t.title FROM {} CROSS JOIN product_translations t \
         WHERE t.product_id = k.id AND t.locale = $1",
        set.table("k", 2)
    ))
    .bind(locale)
    .bind(set.value())
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The store code and title of `products` (row ids), for the merchant's reports.
pub async fn names_of(
    connection: &mut sqlx::AnyConnection,
    products: &[i64],
) -> Result<std::collections::HashMap<i64, (String, String)>, StoreError> {
    let set = crate::store::IdSet::distinct(connection, products.iter().copied());
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT p.id, p.sku, p.title FROM {} JOIN products p ON p.id = k.id",
        set.table("k", 1)
    ))
    .bind(set.value())
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, sku, title)| (id, (sku, title)))
        .collect())
}

#[cfg(test)]
mod tests;
