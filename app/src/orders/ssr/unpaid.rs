//! Orders placed but not paid yet. They live beside the paid orders, not among them: every reader of `orders` counts
//! purchases, and an unpaid order is none. One leaves when it is paid (its number recorded as a paid order) or
//! cancelled, and says so to what follows ([`OrderChange::UnpaidClosed`]): its reminder, if still queued, is
//! withdrawn in the same transaction.

use super::{OrderChange, buyer_and_products, lines_subtotal, optional_time, validate_order};
use crate::catalog::rules::validate_url;
use crate::kernel::error::AppError;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::money::Money;
use crate::kernel::time::{Millis, to_rfc3339};
use crate::kernel::validate::key as validate_key;
use crate::orders::{OrderInput, UnpaidOrder, UnpaidOrderInput, UnpaidOrderState};
use crate::store::{Db, IdSet, StoreError, Then, Tx, is_unique_violation};
use sqlx::Row;
use std::collections::HashMap;

/// Records the unpaid order `order_id`, or replaces what an earlier report said of it (its lines, total, payment
/// page, time); returns it and whether it is new. Its reminder, once considered, is not considered again. An order
/// already paid is a 409, as is one reported for another shopper before.
pub async fn record_unpaid(
    db: &Db,
    order_id: &str,
    input: &UnpaidOrderInput,
    now: Millis,
) -> Result<(UnpaidOrderState, bool), StoreError> {
    let order = OrderInput {
        order_id: order_id.to_owned(),
        shopper_id: input.shopper_id.clone(),
        currency: input.currency.clone(),
        lines: input.lines.clone(),
        shipping_minor: input.shipping_minor,
        tax_minor: input.tax_minor,
        placed_at: None,
    };
    validate_order(&order)?;
    validate_payment_url(&input.payment_url)?;
    let placed_at = optional_time("placed_at", input.placed_at.as_deref(), now)?;
    // validate_order bounded the total, so these sums fit.
    let total = lines_subtotal(&order).unwrap_or_default() + input.shipping_minor + input.tax_minor;
    let mut tx = db.write().await?;
    lock_order_number(&mut tx, order_id).await?;
    let paid: Option<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE external_id = $1")
        .bind(order_id)
        .fetch_optional(&mut *tx)
        .await?;
    if paid.is_some() {
        return Err(AppError::conflict(format!("order \"{order_id}\" is already paid")).into());
    }
    let (shopper, products) = buyer_and_products(&mut tx, &input.shopper_id, &input.lines).await?;
    let earlier: Option<(i64, ShopperKey)> =
        sqlx::query_as("SELECT id, shopper_id FROM unpaid_orders WHERE external_id = $1")
            .bind(order_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (unpaid_key, created) = match earlier {
        Some((_, owner)) if owner != shopper => {
            return Err(AppError::conflict(format!(
                "unpaid order \"{order_id}\" was reported for another shopper"
            ))
            .into());
        }
        Some((unpaid_key, _)) => {
            sqlx::query(
                "UPDATE unpaid_orders SET currency = $1, total_minor = $2, payment_url = $3, placed_at = $4 \
                 WHERE id = $5",
            )
            .bind(&input.currency)
            .bind(total)
            .bind(&input.payment_url)
            .bind(placed_at)
            .bind(unpaid_key)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM unpaid_order_lines WHERE unpaid_order_id = $1")
                .bind(unpaid_key)
                .execute(&mut *tx)
                .await?;
            (unpaid_key, false)
        }
        None => {
            let inserted = sqlx::query_scalar(
                "INSERT INTO unpaid_orders (external_id, shopper_id, currency, total_minor, payment_url, placed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(order_id)
            .bind(shopper)
            .bind(&input.currency)
            .bind(total)
            .bind(&input.payment_url)
            .bind(placed_at)
            .fetch_one(&mut *tx)
            .await;
            match inserted {
                Ok(unpaid_key) => (unpaid_key, true),
                // PostgreSQL runs two first reports of one order side by side; the later one meets the first.
                Err(error) if is_unique_violation(&error) => {
                    return Err(AppError::conflict(format!(
                        "unpaid order \"{order_id}\" was being recorded by another request; send it again"
                    ))
                    .into());
                }
                Err(error) => return Err(error.into()),
            }
        }
    };
    for (line_no, (line, product)) in input.lines.iter().zip(products).enumerate() {
        sqlx::query(
            "INSERT INTO unpaid_order_lines (unpaid_order_id, line_no, product_id, quantity, unit_price_minor) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(unpaid_key)
        .bind(line_no as i64)
        .bind(product)
        .bind(line.quantity)
        .bind(line.unit_price_minor)
        .execute(&mut *tx)
        .await?;
    }
    let state = unpaid_state(&mut *tx, order_id).await?;
    tx.commit().await?;
    Ok((state, created))
}

/// Makes the writers of one order number (its unpaid report, its payment) take turns on PostgreSQL, so that an
/// unpaid report cannot slip in beside the payment; SQLite has one writer at a time already.
pub(super) async fn lock_order_number(tx: &mut Tx, order_id: &str) -> Result<(), StoreError> {
    if crate::store::Backend::of(tx) == crate::store::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('order:' || $1))")
            .bind(order_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A payment page the reminder's button can open from a mailbox: an absolute address.
fn validate_payment_url(url: &str) -> Result<(), AppError> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(AppError::invalid(
            "payment_url",
            "must be an absolute https:// or http:// address",
        ));
    }
    validate_url("payment_url", url)
}

/// The unpaid order `order_id`; an unknown one (never reported, or paid or cancelled since) is a 404.
pub async fn unpaid_order(db: &Db, order_id: &str) -> Result<UnpaidOrderState, StoreError> {
    validate_key("order_id", order_id)?;
    unpaid_state(db.reader(), order_id).await
}

async fn unpaid_state<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    order_id: &str,
) -> Result<UnpaidOrderState, StoreError> {
    let row = sqlx::query(
        "SELECT s.external_id AS shopper, u.currency, u.total_minor, u.payment_url, u.placed_at, u.reminded_at \
         FROM unpaid_orders u JOIN shoppers s ON s.id = u.shopper_id WHERE u.external_id = $1",
    )
    .bind(order_id)
    .fetch_optional(executor)
    .await?
    .ok_or_else(|| {
        AppError::not_found(
            Some("order_id".into()),
            format!("no unpaid order \"{order_id}\""),
        )
    })?;
    Ok(UnpaidOrderState {
        order_id: order_id.to_owned(),
        shopper_id: row.try_get("shopper")?,
        total: Money::new(
            row.try_get("total_minor")?,
            row.try_get::<String, _>("currency")?,
        ),
        payment_url: row.try_get("payment_url")?,
        placed_at: to_rfc3339(row.try_get("placed_at")?),
        reminded_at: row
            .try_get::<Option<Millis>, _>("reminded_at")?
            .map(to_rfc3339),
    })
}

/// Cancels the unpaid order `order_id` (the store gave up waiting for the payment); an unknown one is a 404.
pub async fn cancel_unpaid(
    db: &Db,
    order_id: &str,
    then: &dyn Then<OrderChange>,
) -> Result<(), StoreError> {
    validate_key("order_id", order_id)?;
    let mut tx = db.write().await?;
    if !close_unpaid(&mut tx, order_id, then).await? {
        return Err(AppError::not_found(
            Some("order_id".into()),
            format!("no unpaid order \"{order_id}\""),
        )
        .into());
    }
    tx.commit().await?;
    Ok(())
}

/// Removes the unpaid order `order_id`, if there is one, telling `then`; returns whether there was.
pub(super) async fn close_unpaid(
    tx: &mut Tx,
    order_id: &str,
    then: &dyn Then<OrderChange>,
) -> Result<bool, StoreError> {
    let closed: Option<i64> =
        sqlx::query_scalar("DELETE FROM unpaid_orders WHERE external_id = $1 RETURNING id")
            .bind(order_id)
            .fetch_optional(&mut **tx)
            .await?;
    match closed {
        Some(unpaid) => {
            then.then(tx, OrderChange::UnpaidClosed { unpaid }).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Whether any unpaid order placed by `before` still waits for its reminder: a read, so that the periodic check
/// takes the writer only when there is something to do.
pub async fn any_unpaid_due(db: &Db, before: Millis) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT id FROM unpaid_orders WHERE reminded_at IS NULL AND placed_at <= $1 LIMIT 1",
    )
    .bind(before)
    .fetch_optional(db.reader())
    .await?
    .is_some())
}

/// Takes up to `limit` unpaid orders placed by `before` whose reminder was not considered yet, oldest first, and
/// marks it considered at `now`, in the caller's transaction: each is taken once.
pub async fn take_unpaid_due(
    tx: &mut Tx,
    before: Millis,
    limit: i64,
    now: Millis,
) -> Result<Vec<UnpaidOrder>, StoreError> {
    // One statement takes and marks them: on PostgreSQL an order being paid or cancelled at this moment (its row
    // locked) is skipped, and one taken here is paid only after this transaction, whose reminder it then withdraws.
    let lock = match crate::store::Backend::of(tx) {
        crate::store::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        crate::store::Backend::Sqlite => "",
    };
    let mut due: Vec<(i64, String, ShopperKey, i64, String, String, Millis)> =
        sqlx::query_as(&format!(
            "UPDATE unpaid_orders SET reminded_at = $1 WHERE reminded_at IS NULL AND id IN \
         (SELECT id FROM unpaid_orders WHERE reminded_at IS NULL AND placed_at <= $2 \
          ORDER BY placed_at, id LIMIT $3 {lock}) \
         RETURNING id, external_id, shopper_id, total_minor, currency, payment_url, placed_at"
        ))
        .bind(now)
        .bind(before)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    due.sort_unstable_by_key(|row| (row.6, row.0));
    let keys: Vec<i64> = due.iter().map(|(key, ..)| *key).collect();
    let set = IdSet::new(tx, &keys);
    let rows: Vec<(i64, ProductKey, i64)> = sqlx::query_as(&format!(
        "SELECT l.unpaid_order_id, l.product_id, l.quantity FROM {} \
         JOIN unpaid_order_lines l ON l.unpaid_order_id = d.id ORDER BY l.unpaid_order_id, l.line_no",
        set.table("d", 1)
    ))
    .bind(set.value())
    .fetch_all(&mut **tx)
    .await?;
    let mut lines: HashMap<i64, Vec<(ProductKey, i64)>> = HashMap::new();
    for (order, product, quantity) in rows {
        lines.entry(order).or_default().push((product, quantity));
    }
    Ok(due
        .into_iter()
        .map(
            |(unpaid_key, order_id, shopper, total, currency, payment_url, _)| UnpaidOrder {
                unpaid_key,
                order_id,
                shopper,
                total: Money::new(total, currency),
                payment_url,
                lines: lines.remove(&unpaid_key).unwrap_or_default(),
            },
        )
        .collect())
}

#[cfg(test)]
mod tests;
