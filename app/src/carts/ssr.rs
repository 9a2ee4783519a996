//! The carts' SQL: lines added and removed by the pages' cart events, whole carts replaced by the store's server,
//! and the lines a price drop concerns.

use super::{Cart, CartInput, CartLine, CartLineInput, MAX_CART_LINES, MAX_CART_QUANTITY};
use crate::catalog::ssr::product_for_update;
use crate::identity::ssr::{Owner, shopper_key};
use crate::kernel::error::AppError;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::money::Money;
use crate::kernel::time::{Millis, to_rfc3339};
use crate::kernel::validate;
use crate::store::{Db, IdSet, StoreError, Tx};
use sqlx::Row;

/// A shopper's cart line that a change of its product's price may concern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartWatch {
    pub line: i64,
    pub shopper: ShopperKey,
    pub quantity: i64,
    /// The price a drop is measured against.
    pub reference_minor: i64,
    /// When the store last showed the line in the cart.
    pub seen_at: Millis,
    pub last_notified_at: Option<Millis>,
}

/// The column naming the owner's rows, and the owner's key to bind for it.
fn owner_column(owner: &Owner) -> (&'static str, OwnerKey<'_>) {
    match owner {
        Owner::Shopper(key) => ("shopper_id", OwnerKey::Shopper(*key)),
        Owner::Guest(guest) => ("guest_id", OwnerKey::Guest(guest)),
    }
}

enum OwnerKey<'a> {
    Shopper(ShopperKey),
    Guest(&'a str),
}

impl OwnerKey<'_> {
    fn bind<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            OwnerKey::Shopper(key) => query.bind(*key),
            OwnerKey::Guest(guest) => query.bind(guest.to_string()),
        }
    }
}

/// Puts `quantity` more of a product in the owner's cart at `price_minor`, the price the shopper sees now, which
/// becomes the price a drop is measured against. The quantity stops at [`MAX_CART_QUANTITY`].
pub async fn add(
    tx: &mut Tx,
    owner: &Owner,
    product: ProductKey,
    quantity: i64,
    (price_minor, currency): (i64, &str),
    at: Millis,
) -> Result<(), sqlx::Error> {
    let (column, key) = owner_column(owner);
    let sql = format!(
        "INSERT INTO cart_lines ({column}, product_id, quantity, reference_minor, currency, carted_at, seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT ({column}, product_id) WHERE {column} IS NOT NULL DO UPDATE SET \
         quantity = CASE WHEN cart_lines.quantity + excluded.quantity > {MAX_CART_QUANTITY} \
         THEN {MAX_CART_QUANTITY} ELSE cart_lines.quantity + excluded.quantity END, \
         reference_minor = excluded.reference_minor, currency = excluded.currency, seen_at = excluded.seen_at"
    );
    key.bind(sqlx::query(&sql))
        .bind(product)
        .bind(quantity.clamp(1, MAX_CART_QUANTITY))
        .bind(price_minor)
        .bind(currency)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes a product out of the owner's cart; `false` when it was not in it.
pub async fn remove(tx: &mut Tx, owner: &Owner, product: ProductKey) -> Result<bool, sqlx::Error> {
    let (column, key) = owner_column(owner);
    let sql = format!("DELETE FROM cart_lines WHERE {column} = $1 AND product_id = $2");
    Ok(key
        .bind(sqlx::query(&sql))
        .bind(product)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        > 0)
}

fn validate_line(line: &CartLineInput) -> Result<(), AppError> {
    validate::key("sku", &line.sku)?;
    if !(1..=MAX_CART_QUANTITY).contains(&line.quantity) {
        return Err(AppError::invalid(
            "quantity",
            format!("must be between 1 and {MAX_CART_QUANTITY}"),
        ));
    }
    Ok(())
}

/// The row id of the shopper `shopper_id`, an unknown one a 404 naming it.
async fn api_shopper<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    shopper_id: &str,
) -> Result<ShopperKey, StoreError> {
    shopper_key(executor, shopper_id).await?.ok_or_else(|| {
        AppError::not_found(
            Some("shopper_id".into()),
            format!("unknown shopper \"{shopper_id}\""),
        )
        .into()
    })
}

/// Replaces what Rapport knows of `shopper_id`'s cart with the store's own, all or nothing: lines no longer in it
/// leave, new ones are watched from their current price, and lines still in it keep the price they are watched
/// from (and when the shopper was last told of a drop), with the quantity the store sent.
pub async fn replace(
    db: &Db,
    shopper_id: &str,
    input: &CartInput,
    now: Millis,
) -> Result<Cart, StoreError> {
    validate::key("shopper_id", shopper_id)?;
    if !input.lines.is_empty() {
        validate::batch(
            "lines",
            &input.lines,
            MAX_CART_LINES,
            |line| &line.sku,
            validate_line,
        )?;
    }
    let mut tx = db.write().await?;
    let shopper = api_shopper(&mut *tx, shopper_id).await?;
    let mut products = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let (product, price, currency, _) =
            product_for_update(&mut tx, &line.sku, &format!("lines[{index}].sku")).await?;
        products.push((product, price, currency));
    }
    let keys: Vec<i64> = products.iter().map(|(product, ..)| product.0).collect();
    let kept = IdSet::new(&tx, &keys);
    sqlx::query(&format!(
        "DELETE FROM cart_lines WHERE shopper_id = $1 AND product_id NOT IN (SELECT id FROM {})",
        kept.table("k", 2)
    ))
    .bind(shopper)
    .bind(kept.value())
    .execute(&mut *tx)
    .await?;
    for (line, (product, price, currency)) in input.lines.iter().zip(&products) {
        sqlx::query(
            "INSERT INTO cart_lines (shopper_id, product_id, quantity, reference_minor, currency, carted_at, seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (shopper_id, product_id) WHERE shopper_id IS NOT NULL DO UPDATE SET \
             quantity = excluded.quantity, seen_at = excluded.seen_at",
        )
        .bind(shopper)
        .bind(*product)
        .bind(line.quantity)
        .bind(*price)
        .bind(currency)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let cart = read_cart(&mut *tx, shopper_id, shopper).await?;
    tx.commit().await?;
    Ok(cart)
}

/// What Rapport knows of `shopper_id`'s cart; an unknown shopper is a 404.
pub async fn cart(db: &Db, shopper_id: &str) -> Result<Cart, StoreError> {
    let shopper = api_shopper(db.reader(), shopper_id).await?;
    read_cart(db.reader(), shopper_id, shopper).await
}

async fn read_cart<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    shopper_id: &str,
    shopper: ShopperKey,
) -> Result<Cart, StoreError> {
    let rows = sqlx::query(
        "SELECT p.sku, l.quantity, l.reference_minor, l.currency, l.carted_at, l.last_notified_at \
         FROM cart_lines l JOIN products p ON p.id = l.product_id WHERE l.shopper_id = $1 ORDER BY l.carted_at, l.id",
    )
    .bind(shopper)
    .fetch_all(executor)
    .await?;
    let lines = rows
        .iter()
        .map(|row| {
            Ok(CartLine {
                sku: row.try_get("sku")?,
                quantity: row.try_get("quantity")?,
                watched_price: Money::new(
                    row.try_get("reference_minor")?,
                    row.try_get::<String, _>("currency")?,
                ),
                carted_at: to_rfc3339(row.try_get("carted_at")?),
                notified_at: row
                    .try_get::<Option<Millis>, _>("last_notified_at")?
                    .map(to_rfc3339),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Cart {
        shopper_id: shopper_id.to_owned(),
        lines,
    })
}

/// Empties `shopper_id`'s cart; returns how many lines it held. An unknown shopper is a 404.
pub async fn clear(db: &Db, shopper_id: &str) -> Result<u64, StoreError> {
    let mut tx = db.write().await?;
    let shopper = api_shopper(&mut *tx, shopper_id).await?;
    let removed = sqlx::query("DELETE FROM cart_lines WHERE shopper_id = $1")
        .bind(shopper)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(removed)
}

/// The shoppers' cart lines holding `product` at a price in `currency`: those a change of its price may concern.
/// Guests' lines wait until they sign in, since a guest has no address.
pub async fn watching(
    tx: &mut Tx,
    product: ProductKey,
    currency: &str,
) -> Result<Vec<CartWatch>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, shopper_id, quantity, reference_minor, seen_at, last_notified_at FROM cart_lines \
         WHERE product_id = $1 AND currency = $2 AND shopper_id IS NOT NULL ORDER BY id",
    )
    .bind(product)
    .bind(currency)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CartWatch {
                line: row.try_get("id")?,
                shopper: row.try_get("shopper_id")?,
                quantity: row.try_get("quantity")?,
                reference_minor: row.try_get("reference_minor")?,
                seen_at: row.try_get("seen_at")?,
                last_notified_at: row.try_get("last_notified_at")?,
            })
        })
        .collect()
}

/// Records that the shoppers of `lines` were told of a drop to `price_minor` at `at`: a drop is measured from
/// that price from now on, and the cooldown runs from then.
pub async fn told(
    tx: &mut Tx,
    lines: &[i64],
    price_minor: i64,
    at: Millis,
) -> Result<(), sqlx::Error> {
    if lines.is_empty() {
        return Ok(());
    }
    let set = IdSet::new(tx, lines);
    sqlx::query(&format!(
        "UPDATE cart_lines SET reference_minor = $1, last_notified_at = $2 FROM {} WHERE cart_lines.id = f.id",
        set.table("f", 3)
    ))
    .bind(price_minor)
    .bind(at)
    .bind(set.value())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes what the shopper just bought out of their cart: nothing there waits to get cheaper any more.
pub async fn remove_bought(
    tx: &mut Tx,
    shopper: ShopperKey,
    products: &[ProductKey],
) -> Result<u64, sqlx::Error> {
    if products.is_empty() {
        return Ok(0);
    }
    let keys: Vec<i64> = products.iter().map(|product| product.0).collect();
    let set = IdSet::new(tx, &keys);
    Ok(sqlx::query(&format!(
        "DELETE FROM cart_lines WHERE shopper_id = $1 AND product_id IN (SELECT id FROM {})",
        set.table("b", 2)
    ))
    .bind(shopper)
    .bind(set.value())
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Moves a guest's cart to the shopper who just signed in. Where both had the product, the shopper keeps the line
/// they put in the cart later, as the store's own cart would after merging.
pub async fn adopt_guest_cart(
    tx: &mut Tx,
    guest_id: &str,
    shopper: ShopperKey,
) -> Result<u64, sqlx::Error> {
    sqlx::query(
        "DELETE FROM cart_lines WHERE shopper_id = $1 AND product_id IN \
         (SELECT g.product_id FROM cart_lines g WHERE g.guest_id = $2 AND g.seen_at > \
          (SELECT s.seen_at FROM cart_lines s WHERE s.shopper_id = $1 AND s.product_id = g.product_id))",
    )
    .bind(shopper)
    .bind(guest_id)
    .execute(&mut **tx)
    .await?;
    let moved = sqlx::query(
        "UPDATE cart_lines SET shopper_id = $1, guest_id = NULL WHERE guest_id = $2 AND product_id NOT IN \
         (SELECT product_id FROM cart_lines WHERE shopper_id = $1)",
    )
    .bind(shopper)
    .bind(guest_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM cart_lines WHERE guest_id = $1")
        .bind(guest_id)
        .execute(&mut **tx)
        .await?;
    Ok(moved)
}

#[cfg(test)]
mod tests;
