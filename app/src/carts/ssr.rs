//! The carts' SQL: lines added and removed by the pages' cart events, whole carts replaced by the store's server,
//! and the lines a price drop concerns.

use super::{Cart, CartInput, CartLine, MAX_CART_LINES, MAX_CART_QUANTITY};
use crate::catalog::ssr::product_for_update;
use crate::identity::ssr::{Owner, shopper_key};
use crate::kernel::error::AppError;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::money::Money;
use crate::kernel::time::{Millis, to_rfc3339};
use crate::kernel::validate;
use crate::store::{Backend, Db, IdSet, StoreError, Then, Tx};
use sqlx::Row;

/// How a cart changed, reported in its transaction to what follows it (in `flows`: a price-drop email still
/// waiting for a product that left the cart is withdrawn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartChange {
    /// These products left the shopper's cart: taken out, left out of the store's cart, or the cart emptied.
    Left {
        shopper: ShopperKey,
        products: Vec<ProductKey>,
    },
}

/// What follows a change of a cart, which the server wires in from `flows`.
#[derive(Clone)]
pub struct Carts {
    pub then: std::sync::Arc<dyn Then<CartChange> + Send>,
}

/// A shopper's cart line that a change of its product's price may concern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartWatch {
    pub line_id: i64,
    pub shopper: ShopperKey,
    pub quantity: i64,
    /// The price a drop is measured against.
    pub reference_minor: i64,
    /// When the store last showed the line in the cart.
    pub seen_at: Millis,
    pub last_notified_at: Option<Millis>,
}

/// Puts `quantity` (validated by the caller) more of a product in the owner's cart at `price_minor`, the price the
/// shopper sees now, which becomes the price a drop is measured against. The quantity stops at
/// [`MAX_CART_QUANTITY`].
pub async fn add(
    tx: &mut Tx,
    owner: &Owner,
    product: ProductKey,
    quantity: i64,
    (price_minor, currency): (i64, &str),
    at: Millis,
) -> Result<(), sqlx::Error> {
    let column = owner.column();
    let sql = format!(
        "INSERT INTO cart_lines ({column}, product_id, quantity, reference_minor, currency, carted_at, seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT ({column}, product_id) WHERE {column} IS NOT NULL DO UPDATE SET \
         quantity = CASE WHEN cart_lines.quantity + excluded.quantity > {MAX_CART_QUANTITY} \
         THEN {MAX_CART_QUANTITY} ELSE cart_lines.quantity + excluded.quantity END, \
         reference_minor = excluded.reference_minor, currency = excluded.currency, seen_at = excluded.seen_at"
    );
    owner
        .bind(sqlx::query(&sql))
        .bind(product)
        .bind(quantity)
        .bind(price_minor)
        .bind(currency)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes a product out of the owner's cart, and tells `then` when it was a shopper's; `false` when it was not in
/// the cart.
pub async fn remove(
    tx: &mut Tx,
    owner: &Owner,
    product: ProductKey,
    then: &dyn Then<CartChange>,
) -> Result<bool, StoreError> {
    let sql = format!(
        "DELETE FROM cart_lines WHERE {} = $1 AND product_id = $2",
        owner.column()
    );
    let removed = owner
        .bind(sqlx::query(&sql))
        .bind(product)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        > 0;
    if removed && let Owner::Shopper(shopper) = owner {
        then.then(
            tx,
            CartChange::Left {
                shopper: *shopper,
                products: vec![product],
            },
        )
        .await?;
    }
    Ok(removed)
}

/// The row id of the shopper `shopper_id`, an unknown one a 404 naming it.
async fn api_shopper<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    shopper_id: &str,
) -> Result<ShopperKey, StoreError> {
    shopper_key(executor, shopper_id)
        .await?
        .ok_or_else(|| unknown(shopper_id))
}

/// The shopper `shopper_id`, their row locked on PostgreSQL until `tx` ends, so that two changes of one cart take
/// turns (SQLite has one writer at a time); an unknown one is a 404 naming it.
async fn shopper_for_change(tx: &mut Tx, shopper_id: &str) -> Result<ShopperKey, StoreError> {
    let lock = match Backend::of(tx) {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    sqlx::query_scalar(&format!(
        "SELECT id FROM shoppers WHERE external_id = $1{lock}"
    ))
    .bind(shopper_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| unknown(shopper_id))
}

fn unknown(shopper_id: &str) -> StoreError {
    AppError::not_found(
        Some("shopper_id".into()),
        format!("unknown shopper \"{shopper_id}\""),
    )
    .into()
}

/// Takes every line but those of `kept` (product row ids) out of the shopper's cart, and tells `then` which
/// products left.
async fn keep_only(
    tx: &mut Tx,
    shopper: ShopperKey,
    kept: &[i64],
    then: &dyn Then<CartChange>,
) -> Result<Vec<ProductKey>, StoreError> {
    let kept = IdSet::new(tx, kept);
    let products: Vec<ProductKey> = sqlx::query_scalar(&format!(
        "DELETE FROM cart_lines WHERE shopper_id = $1 AND product_id NOT IN (SELECT id FROM {}) \
         RETURNING product_id",
        kept.table("k", 2)
    ))
    .bind(shopper)
    .bind(kept.value())
    .fetch_all(&mut **tx)
    .await?;
    if !products.is_empty() {
        then.then(
            tx,
            CartChange::Left {
                shopper,
                products: products.clone(),
            },
        )
        .await?;
    }
    Ok(products)
}

/// Replaces what Rapport knows of `shopper_id`'s cart with the store's own, all or nothing: lines no longer in it
/// leave (and `then` hears of them), new ones are watched from their current price, and lines still in it keep the
/// price they are watched from (and when the shopper was last told of a drop), with the quantity the store sent.
pub async fn replace(
    db: &Db,
    shopper_id: &str,
    input: &CartInput,
    then: &dyn Then<CartChange>,
    now: Millis,
) -> Result<Cart, StoreError> {
    validate::key("shopper_id", shopper_id)?;
    if !input.lines.is_empty() {
        validate::batch(
            "lines",
            &input.lines,
            MAX_CART_LINES,
            |line| &line.sku,
            super::rules::validate_line,
        )?;
    }
    let mut tx = db.write().await?;
    let shopper = shopper_for_change(&mut tx, shopper_id).await?;
    let mut products = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let (product, price, currency, _) =
            product_for_update(&mut tx, &line.sku, &format!("lines[{index}].sku")).await?;
        products.push((product, price, currency));
    }
    let kept: Vec<i64> = products.iter().map(|(product, ..)| product.0).collect();
    keep_only(&mut tx, shopper, &kept, then).await?;
    for (line, (product, price, currency)) in input.lines.iter().zip(&products) {
        sqlx::query(
            "INSERT INTO cart_lines (shopper_id, product_id, quantity, reference_minor, currency, carted_at, seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (shopper_id, product_id) WHERE shopper_id IS NOT NULL DO UPDATE SET \
             quantity = excluded.quantity, seen_at = excluded.seen_at, \
             reference_minor = CASE WHEN cart_lines.currency = excluded.currency THEN cart_lines.reference_minor \
             ELSE excluded.reference_minor END, currency = excluded.currency",
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

/// Empties `shopper_id`'s cart (and `then` hears what left); returns how many lines it held. An unknown shopper is
/// a 404.
pub async fn clear(
    db: &Db,
    shopper_id: &str,
    then: &dyn Then<CartChange>,
) -> Result<usize, StoreError> {
    let mut tx = db.write().await?;
    let shopper = shopper_for_change(&mut tx, shopper_id).await?;
    let removed = keep_only(&mut tx, shopper, &[], then).await?.len();
    tx.commit().await?;
    Ok(removed)
}

/// The shoppers' cart lines holding `product` at a price in `currency`, shown in the cart since `since`: those a
/// change of its price may concern. Guests' lines wait until they sign in, since a guest has no address.
pub async fn watching(
    tx: &mut Tx,
    product: ProductKey,
    currency: &str,
    since: Millis,
) -> Result<Vec<CartWatch>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, shopper_id, quantity, reference_minor, seen_at, last_notified_at FROM cart_lines \
         WHERE product_id = $1 AND currency = $2 AND shopper_id IS NOT NULL AND seen_at >= $3 ORDER BY id",
    )
    .bind(product)
    .bind(currency)
    .bind(since)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CartWatch {
                line_id: row.try_get("id")?,
                shopper: row.try_get("shopper_id")?,
                quantity: row.try_get("quantity")?,
                reference_minor: row.try_get("reference_minor")?,
                seen_at: row.try_get("seen_at")?,
                last_notified_at: row.try_get("last_notified_at")?,
            })
        })
        .collect()
}

/// The shoppers whose carts hold `product`.
pub async fn holders(tx: &mut Tx, product: ProductKey) -> Result<Vec<ShopperKey>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT shopper_id FROM cart_lines WHERE product_id = $1 AND shopper_id IS NOT NULL ORDER BY shopper_id",
    )
    .bind(product)
    .fetch_all(&mut **tx)
    .await
}

/// Records that the shoppers of `lines` were told of a drop to `price_minor` at `at`: a drop is measured from
/// that price from now on, and the cooldown runs from then.
pub async fn mark_told(
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

/// Takes what the shopper bought in an order placed at `placed_at` out of their cart, unless they put it in the
/// cart again after that order (a late report of an old order); returns the products that left.
pub async fn remove_bought(
    tx: &mut Tx,
    shopper: ShopperKey,
    products: &[ProductKey],
    placed_at: Millis,
) -> Result<Vec<ProductKey>, sqlx::Error> {
    if products.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<i64> = products.iter().map(|product| product.0).collect();
    let set = IdSet::new(tx, &keys);
    sqlx::query_scalar(&format!(
        "DELETE FROM cart_lines WHERE shopper_id = $1 AND carted_at <= $2 AND product_id IN (SELECT id FROM {}) \
         RETURNING product_id",
        set.table("b", 3)
    ))
    .bind(shopper)
    .bind(placed_at)
    .bind(set.value())
    .fetch_all(&mut **tx)
    .await
}

/// Moves a guest's cart to the shopper who just signed in. Where both held the product, the line last shown in a
/// cart gives the quantity; the shopper's line keeps when they were last told of a drop, and the lower of the two
/// prices is watched, so signing in never tells of a drop twice.
pub async fn adopt_guest_cart(
    tx: &mut Tx,
    guest_id: &str,
    shopper: ShopperKey,
) -> Result<u64, sqlx::Error> {
    let guest_line = |column: &str| {
        format!(
            "(SELECT g.{column} FROM cart_lines g WHERE g.guest_id = $2 AND g.product_id = cart_lines.product_id)"
        )
    };
    sqlx::query(&format!(
        "UPDATE cart_lines SET \
         quantity = CASE WHEN {seen} > seen_at THEN {quantity} ELSE quantity END, \
         seen_at = CASE WHEN {seen} > seen_at THEN {seen} ELSE seen_at END, \
         reference_minor = CASE WHEN {currency} = currency AND {reference} < reference_minor THEN {reference} \
         ELSE reference_minor END \
         WHERE shopper_id = $1 AND product_id IN (SELECT product_id FROM cart_lines WHERE guest_id = $2)",
        seen = guest_line("seen_at"),
        quantity = guest_line("quantity"),
        currency = guest_line("currency"),
        reference = guest_line("reference_minor"),
    ))
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
