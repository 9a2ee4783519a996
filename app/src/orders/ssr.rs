//! The orders' SQL.

use super::{
    Buyer, DeliveredOrder, Fulfilment, FulfilmentInput, FulfilmentState, OrderInput,
    OrderLineInput, OrderMark, OrderOutcome, OrderSummary, OrderValue, RefundInput, ShopperOrder,
};
use crate::catalog::rules::validate_price;
use crate::catalog::ssr::product_for_update;
use crate::events::EventKind;
use crate::events::ssr::{NewEvent, record};
use crate::identity::ssr::{names_of, shopper_key};
use crate::kernel::error::AppError;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::money::Money;
use crate::kernel::time::{Millis, parse_rfc3339};
use crate::kernel::validate::key as validate_key;
use crate::store::{
    Db, IdSet, JOINED_IDS, StoreError, Then, Tx, is_unique_violation, joined_numbers,
};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// How orders changed, reported inside the order's transaction to what follows it (in `flows`: member tier growth
/// follows what a buyer spent, an unpaid order's reminder is withdrawn when the order is paid or cancelled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderChange {
    /// The buyer's order (its row id) was just recorded, with what it bought: each product's lines together, as
    /// [`ordered_products`] would read them back.
    NewOrder {
        buyer: i64,
        order: i64,
        at: Millis,
        bought: std::sync::Arc<[OrderedProduct]>,
    },
    /// An order (its row id) already counted changed value: a refund or a cancellation. `paid`: whether it still
    /// counts as paid (neither cancelled nor refunded in full).
    Revalued {
        buyer: i64,
        order: i64,
        at: Millis,
        paid: bool,
    },
    /// An unpaid order (its row id) was paid or cancelled: it waits for nothing any more.
    UnpaidClosed { unpaid: i64 },
}

mod unpaid;
pub use unpaid::*;

pub const MAX_ORDER_LINES: usize = 500;
pub const MAX_QUANTITY: i64 = 100_000;
/// The largest order total (lines, shipping and tax) in minor units: 100 billion in a two-digit currency, the same
/// bound as a price. Each line and the sum of many orders (a shopper's tier growth) then stay far inside a 64-bit
/// integer, which both databases add up exactly.
pub const MAX_ORDER_TOTAL_MINOR: i64 = crate::catalog::rules::MAX_PRICE_MINOR;

/// The sum of an order's lines, or `None` when it does not fit in 64 bits.
fn lines_subtotal(input: &OrderInput) -> Option<i64> {
    input.lines.iter().try_fold(0i64, |sum, line| {
        sum.checked_add(line.quantity.checked_mul(line.unit_price_minor)?)
    })
}

/// A fingerprint of a request body: the same idempotency key with a different body is refused.
fn request_hash(body: &impl serde::Serialize) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(body).unwrap_or_default()))
}

/// An idempotency key is chosen by the caller: any printable ASCII, 1 to 255 characters.
pub fn validate_idempotency_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "must be 1 to 255 printable ASCII characters",
        ));
    }
    Ok(())
}

fn optional_time(field: &str, text: Option<&str>, now: Millis) -> Result<Millis, AppError> {
    let at = match text {
        Some(text) => parse_rfc3339(text).map_err(|message| AppError::invalid(field, message))?,
        None => now,
    };
    // What the store reports has happened; a few minutes' grace for its clock running ahead of ours. An order dated
    // ahead would escape what follows it (the notices it followed are looked up when it comes in).
    if at > now + Millis::minutes(5) {
        return Err(AppError::invalid(field, "is in the future"));
    }
    Ok(at)
}

pub fn validate_order(input: &OrderInput) -> Result<(), AppError> {
    validate_key("order_id", &input.order_id)?;
    validate_key("shopper_id", &input.shopper_id)?;
    validate_price(
        "shipping_minor",
        input.shipping_minor,
        "currency",
        &input.currency,
    )?;
    validate_price("tax_minor", input.tax_minor, "currency", &input.currency)?;
    if input.lines.is_empty() {
        return Err(AppError::invalid(
            "lines",
            "an order needs at least one line",
        ));
    }
    if input.lines.len() > MAX_ORDER_LINES {
        return Err(AppError::invalid(
            "lines",
            format!("an order may have at most {MAX_ORDER_LINES} lines"),
        ));
    }
    for (index, line) in input.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{index}].{name}");
        validate_key(&field("sku"), &line.sku)?;
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(AppError::invalid(
                field("quantity"),
                format!("must be between 1 and {MAX_QUANTITY}"),
            ));
        }
        validate_price(
            &field("unit_price_minor"),
            line.unit_price_minor,
            "currency",
            &input.currency,
        )?;
    }
    let total = lines_subtotal(input)
        .and_then(|subtotal| subtotal.checked_add(input.shipping_minor))
        .and_then(|subtotal| subtotal.checked_add(input.tax_minor));
    if total.is_none_or(|total| total > MAX_ORDER_TOTAL_MINOR) {
        return Err(AppError::invalid(
            "lines",
            format!(
                "the order's total (lines, shipping and tax) must be at most {MAX_ORDER_TOTAL_MINOR} minor units"
            ),
        ));
    }
    Ok(())
}

async fn outcome_for_key(
    tx: &mut Tx,
    table: &str,
    key: &str,
    hash: &str,
) -> Result<Option<OrderOutcome>, StoreError> {
    let order_column = if table == "orders" { "id" } else { "order_id" };
    let Some(row) = sqlx::query(&format!(
        "SELECT {order_column} AS order_key, request_hash FROM {table} WHERE idempotency_key = $1"
    ))
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    if row.try_get::<String, _>("request_hash")? != hash {
        return Err(AppError::conflict(
            "This Idempotency-Key was already used for a different request.",
        )
        .into());
    }
    let mut outcome = order_outcome(tx, row.try_get("order_key")?).await?;
    outcome.replayed = true;
    Ok(Some(outcome))
}

/// The outcome a concurrent request with the same key recorded while this one was inserting (PostgreSQL runs
/// identical requests side by side, and the second insert meets the first's key): replayed like any retry, or
/// `None` when the conflict was over something else.
async fn concurrent_outcome(
    db: &Db,
    table: &str,
    key: &str,
    hash: &str,
) -> Result<Option<OrderOutcome>, StoreError> {
    let mut tx = db.write().await?;
    outcome_for_key(&mut tx, table, key, hash).await
}

async fn order_outcome(tx: &mut Tx, order_key: i64) -> Result<OrderOutcome, StoreError> {
    let row = sqlx::query(
        "SELECT external_id, status, subtotal_minor + shipping_minor + tax_minor AS total_minor, refunded_minor \
         FROM orders WHERE id = $1",
    )
    .bind(order_key)
    .fetch_one(&mut **tx)
    .await?;
    Ok(OrderOutcome {
        order_id: row.try_get("external_id")?,
        status: row.try_get("status")?,
        total_minor: row.try_get("total_minor")?,
        refunded_minor: row.try_get("refunded_minor")?,
        replayed: false,
    })
}

/// The row id of an order, by the store's order number.
async fn order_key(tx: &mut Tx, order_id: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM orders WHERE external_id = $1")
            .bind(order_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| {
                AppError::not_found(
                    Some("order_id".into()),
                    format!("unknown order \"{order_id}\""),
                )
            })?,
    )
}

/// The row ids of an order's buyer and of each line's product; an unknown one is a 404 naming its field.
async fn buyer_and_products(
    tx: &mut Tx,
    shopper_id: &str,
    lines: &[OrderLineInput],
) -> Result<(ShopperKey, Vec<ProductKey>), StoreError> {
    let shopper = shopper_key(&mut **tx, shopper_id).await?.ok_or_else(|| {
        AppError::not_found(
            Some("shopper_id".into()),
            format!("unknown shopper \"{shopper_id}\""),
        )
    })?;
    let mut products = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        products.push(
            product_for_update(tx, &line.sku, &format!("lines[{index}].sku"))
                .await?
                .0,
        );
    }
    Ok((shopper, products))
}

/// Records a paid order and its `purchased` events; an unpaid order of the same number is paid. A retry with the same idempotency key and body changes
/// nothing and answers as the first request did.
pub async fn record_order(
    db: &Db,
    idempotency_key: &str,
    input: &OrderInput,
    then: &dyn Then<OrderChange>,
    now: Millis,
) -> Result<OrderOutcome, StoreError> {
    validate_idempotency_key(idempotency_key)?;
    validate_order(input)?;
    let hash = request_hash(input);
    let mut tx = db.write().await?;
    lock_order_number(&mut tx, &input.order_id).await?;
    if let Some(outcome) = outcome_for_key(&mut tx, "orders", idempotency_key, &hash).await? {
        return Ok(outcome);
    }
    // After the replay: a retry of an order taken when it was dated ahead answers as the first request did.
    let placed_at = optional_time("placed_at", input.placed_at.as_deref(), now)?;
    let (shopper, products) = buyer_and_products(&mut tx, &input.shopper_id, &input.lines).await?;
    // validate_order bounded the total, so the lines' sum fits.
    let subtotal = lines_subtotal(input)
        .ok_or_else(|| AppError::invalid("lines", "the order total is too large"))?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO orders (external_id, shopper_id, status, currency, subtotal_minor, shipping_minor, tax_minor, \
         placed_at, idempotency_key, request_hash) VALUES ($1, $2, 'paid', $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&input.order_id)
    .bind(shopper)
    .bind(&input.currency)
    .bind(subtotal)
    .bind(input.shipping_minor)
    .bind(input.tax_minor)
    .bind(placed_at)
    .bind(idempotency_key)
    .bind(&hash)
    .fetch_one(&mut *tx)
    .await;
    let order_key: i64 = match inserted {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => {
            drop(tx);
            if let Some(outcome) = concurrent_outcome(db, "orders", idempotency_key, &hash).await? {
                return Ok(outcome);
            }
            return Err(AppError::conflict(format!(
                "order \"{}\" was already recorded under another Idempotency-Key",
                input.order_id
            ))
            .into());
        }
        Err(error) => return Err(error.into()),
    };
    let mut events = Vec::with_capacity(input.lines.len());
    let mut bought: Vec<OrderedProduct> = Vec::new();
    for (line_no, (line, product_id)) in input.lines.iter().zip(products).enumerate() {
        let value_minor = line.quantity * line.unit_price_minor;
        match bought.iter_mut().find(|b| b.product == product_id.0) {
            Some(product) => {
                product.lines += 1;
                product.value_minor += value_minor;
            }
            None => bought.push(OrderedProduct {
                order: order_key,
                shopper: shopper.0,
                product: product_id.0,
                placed_at,
                lines: 1,
                value_minor,
                currency: input.currency.clone(),
            }),
        }
        sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_minor) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(order_key)
        .bind(line_no as i64)
        .bind(product_id)
        .bind(line.quantity)
        .bind(line.unit_price_minor)
        .execute(&mut *tx)
        .await?;
        events.push(NewEvent {
            shopper_id: Some(shopper),
            guest_id: None,
            product_id,
            kind: EventKind::Purchased,
            at: placed_at,
        });
    }
    record(&mut tx, &events).await?;
    close_unpaid(&mut tx, &input.order_id, then).await?;
    then.then(
        &mut tx,
        OrderChange::NewOrder {
            buyer: shopper.0,
            order: order_key,
            at: now,
            bought: bought.into(),
        },
    )
    .await?;
    let outcome = order_outcome(&mut tx, order_key).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Refunds part or all of an order; a full refund marks it `refunded`. Idempotent like [`record_order`].
pub async fn record_refund(
    db: &Db,
    idempotency_key: &str,
    order_id: &str,
    input: &RefundInput,
    then: &dyn Then<OrderChange>,
    now: Millis,
) -> Result<OrderOutcome, StoreError> {
    validate_idempotency_key(idempotency_key)?;
    validate_key("order_id", order_id)?;
    if input.amount_minor <= 0 {
        return Err(AppError::invalid("amount_minor", "must be greater than zero").into());
    }
    let hash = request_hash(&(order_id, input));
    let mut tx = db.write().await?;
    if let Some(outcome) = outcome_for_key(&mut tx, "refunds", idempotency_key, &hash).await? {
        return Ok(outcome);
    }
    let refunded_at = optional_time("refunded_at", input.refunded_at.as_deref(), now)?;
    let order_key = order_key(&mut tx, order_id).await?;
    let before = order_outcome(&mut tx, order_key).await?;
    if before.status == "cancelled" {
        return Err(AppError::conflict("a cancelled order cannot be refunded").into());
    }
    let refundable = before.total_minor - before.refunded_minor;
    if input.amount_minor > refundable {
        return Err(AppError::invalid(
            "amount_minor",
            format!("exceeds the refundable amount of {refundable}"),
        )
        .into());
    }
    let inserted = sqlx::query(
        "INSERT INTO refunds (order_id, amount_minor, refunded_at, idempotency_key, request_hash) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_key)
    .bind(input.amount_minor)
    .bind(refunded_at)
    .bind(idempotency_key)
    .bind(&hash)
    .execute(&mut *tx)
    .await;
    if let Err(error) = inserted {
        if !is_unique_violation(&error) {
            return Err(error.into());
        }
        drop(tx);
        return match concurrent_outcome(db, "refunds", idempotency_key, &hash).await? {
            Some(outcome) => Ok(outcome),
            None => Err(AppError::conflict(
                "a request with this Idempotency-Key is already being processed",
            )
            .into()),
        };
    }
    sqlx::query(
        "UPDATE orders SET refunded_minor = refunded_minor + $1, \
         status = CASE WHEN refunded_minor + $1 >= subtotal_minor + shipping_minor + tax_minor THEN 'refunded' ELSE status END \
         WHERE id = $2",
    )
    .bind(input.amount_minor)
    .bind(order_key)
    .execute(&mut *tx)
    .await?;
    revalue_buyer(&mut tx, order_key, then, now).await?;
    let outcome = order_outcome(&mut tx, order_key).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Reports that the order's buyer now has a different spend.
async fn revalue_buyer(
    tx: &mut Tx,
    order_key: i64,
    then: &dyn Then<OrderChange>,
    now: Millis,
) -> Result<(), StoreError> {
    let (buyer, status): (i64, String) =
        sqlx::query_as("SELECT shopper_id, status FROM orders WHERE id = $1")
            .bind(order_key)
            .fetch_one(&mut **tx)
            .await?;
    then.then(
        tx,
        OrderChange::Revalued {
            buyer,
            order: order_key,
            at: now,
            paid: status == "paid",
        },
    )
    .await
}

/// Records that an order was shipped or delivered (`input.at`, now when absent); a repeated report moves the time.
/// A delivery reported before any shipping counts as shipped then too. An unknown order is a 404, a cancelled one a
/// 409, a time before the order was placed or in the future a 422.
pub async fn record_fulfilment(
    db: &Db,
    order_id: &str,
    input: &FulfilmentInput,
    now: Millis,
) -> Result<FulfilmentState, StoreError> {
    validate_key("order_id", order_id)?;
    let at = optional_time("at", input.at.as_deref(), now)?;
    let mut tx = db.write().await?;
    let order_key = order_key(&mut tx, order_id).await?;
    let (status, placed_at, delivered_before): (String, Millis, Option<Millis>) =
        sqlx::query_as("SELECT status, placed_at, delivered_at FROM orders WHERE id = $1")
            .bind(order_key)
            .fetch_one(&mut *tx)
            .await?;
    if status == "cancelled" {
        return Err(
            AppError::conflict("a cancelled order is neither shipped nor delivered").into(),
        );
    }
    if at < placed_at {
        return Err(AppError::invalid(
            "at",
            format!(
                "is before the order was placed ({})",
                crate::kernel::time::to_rfc3339(placed_at)
            ),
        )
        .into());
    }
    let sql = match input.status {
        Fulfilment::Shipped => "UPDATE orders SET shipped_at = $1 WHERE id = $2",
        Fulfilment::Delivered => {
            "UPDATE orders SET delivered_at = $1, shipped_at = COALESCE(shipped_at, $1) WHERE id = $2"
        }
    };
    sqlx::query(sql)
        .bind(at)
        .bind(order_key)
        .execute(&mut *tx)
        .await?;
    if input.status == Fulfilment::Delivered {
        // The first delivery makes the review request due from it; a corrected time moves a request not taken yet.
        // Two first reports at once both read no delivery on PostgreSQL: the second one's insert moves the time.
        let follow_up = if delivered_before.is_none() {
            "INSERT INTO review_follow_ups (order_id, step, since) VALUES ($2, 'request', $1) \
             ON CONFLICT (order_id) DO UPDATE SET since = excluded.since WHERE review_follow_ups.step = 'request'"
        } else {
            "UPDATE review_follow_ups SET since = $1 WHERE order_id = $2 AND step = 'request'"
        };
        sqlx::query(follow_up)
            .bind(at)
            .bind(order_key)
            .execute(&mut *tx)
            .await?;
    }
    let (shipped, delivered): (Option<Millis>, Option<Millis>) =
        sqlx::query_as("SELECT shipped_at, delivered_at FROM orders WHERE id = $1")
            .bind(order_key)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(FulfilmentState {
        order_id: order_id.to_owned(),
        shipped_at: shipped.map(crate::kernel::time::to_rfc3339),
        delivered_at: delivered.map(crate::kernel::time::to_rfc3339),
    })
}

/// Which follow-up of a delivered order: the review request, or its one reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Due when the order was delivered at or before the time asked.
    Request,
    /// Due when the request was considered at or before the time asked.
    Reminder,
}

impl FollowUp {
    /// Its step in `review_follow_ups`.
    fn step(self) -> &'static str {
        match self {
            FollowUp::Request => "request",
            FollowUp::Reminder => "reminder",
        }
    }
}

/// Whether any order's `follow_up` is due by `before`: a read, so that the periodic check takes the writer only
/// when there is something to do.
pub async fn any_due(db: &Db, follow_up: FollowUp, before: Millis) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT order_id FROM review_follow_ups WHERE step = $1 AND since <= $2 LIMIT 1",
    )
    .bind(follow_up.step())
    .bind(before)
    .fetch_optional(db.reader())
    .await?
    .is_some())
}

/// Takes up to `limit` orders whose `follow_up` is due by `before`, oldest first, and marks it taken at `now`, in
/// the caller's transaction: each is taken once. Cancelled and wholly refunded orders are marked without being
/// returned; `None` when none was due.
pub async fn take_due(
    tx: &mut Tx,
    follow_up: FollowUp,
    before: Millis,
    limit: i64,
    now: Millis,
) -> Result<Option<Vec<DeliveredOrder>>, StoreError> {
    // The batch is chosen first (a table filled at once and not analysed yet, as when a store turns requests on,
    // made PostgreSQL join first: 110-220 ms a batch instead of 10), then read as one value, a row per line.
    let rows: Option<String> = sqlx::query_scalar(&format!(
        "SELECT {} FROM (SELECT order_id, since FROM review_follow_ups WHERE step = $1 AND since <= $2 \
         ORDER BY since, order_id LIMIT $3) f JOIN orders o ON o.id = f.order_id \
         LEFT JOIN order_lines l ON l.order_id = o.id",
        crate::store::Backend::of(tx).json_rows(
            "f.since, o.id, l.line_no, o.external_id, o.shopper_id, o.status, l.product_id"
        )
    ))
    .bind(follow_up.step())
    .bind(before)
    .bind(limit)
    .fetch_one(&mut **tx)
    .await?;
    type Line = (
        Millis,
        i64,
        Option<i64>,
        String,
        ShopperKey,
        String,
        Option<i64>,
    );
    let mut lines: Vec<Line> = crate::store::json_rows(rows.as_deref())?;
    if lines.is_empty() {
        return Ok(None);
    }
    // Oldest first, each order's lines in their order.
    lines.sort_unstable_by_key(|(since, order, line, ..)| (*since, *order, *line));
    // Each order taken, with whether it is still paid (only those ask).
    let mut due: Vec<(bool, DeliveredOrder)> = Vec::new();
    for (_, order_key, _, order_id, shopper, status, product) in lines {
        if due
            .last()
            .is_none_or(|(_, last)| last.order_key != order_key)
        {
            let order = DeliveredOrder {
                order_key,
                order_id,
                shopper,
                products: Vec::new(),
            };
            due.push((status == "paid", order));
        }
        if let (Some((_, order)), Some(product)) = (due.last_mut(), product.map(ProductKey))
            && !order.products.contains(&product)
        {
            order.products.push(product);
        }
    }
    let set = crate::store::IdSet::distinct(tx, due.iter().map(|(_, order)| order.order_key));
    // The request's row becomes its reminder, due from now; the reminder's goes. Each only while still at this
    // step: a second instance that read the same batch changes nothing.
    let sql = match follow_up {
        FollowUp::Request => format!(
            "UPDATE review_follow_ups SET step = 'reminder', since = $2 \
             WHERE order_id IN (SELECT d.id FROM {}) AND step = 'request'",
            set.table("d", 1)
        ),
        FollowUp::Reminder => format!(
            "DELETE FROM review_follow_ups WHERE order_id IN (SELECT d.id FROM {}) AND step = 'reminder'",
            set.table("d", 1)
        ),
    };
    let query = sqlx::query(&sql).bind(set.value());
    let query = match follow_up {
        FollowUp::Request => query.bind(now),
        FollowUp::Reminder => query,
    };
    query.execute(&mut **tx).await?;
    Ok(Some(
        due.into_iter()
            .filter_map(|(paid, order)| paid.then_some(order))
            .collect(),
    ))
}

/// Cancels a paid order that has no refunds. Cancelling twice is harmless.
pub async fn cancel_order(
    db: &Db,
    order_id: &str,
    then: &dyn Then<OrderChange>,
    now: Millis,
) -> Result<OrderOutcome, StoreError> {
    validate_key("order_id", order_id)?;
    let mut tx = db.write().await?;
    let order_key = order_key(&mut tx, order_id).await?;
    let before = order_outcome(&mut tx, order_key).await?;
    match before.status.as_str() {
        "cancelled" => {
            return Ok(OrderOutcome {
                replayed: true,
                ..before
            });
        }
        _ if before.refunded_minor > 0 => {
            return Err(AppError::conflict(
                "an order with refunds cannot be cancelled; refund the rest instead",
            )
            .into());
        }
        _ => {}
    }
    sqlx::query("UPDATE orders SET status = 'cancelled' WHERE id = $1")
        .bind(order_key)
        .execute(&mut *tx)
        .await?;
    revalue_buyer(&mut tx, order_key, then, now).await?;
    let outcome = order_outcome(&mut tx, order_key).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A paid order's lines of one product, as what follows a new order reads them (the notices and saves it followed,
/// the cart it empties).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedProduct {
    /// The order's row id, and its buyer's.
    pub order: i64,
    pub shopper: i64,
    pub product: i64,
    pub placed_at: Millis,
    /// How many of the order's lines are of the product, and their quantity times unit price.
    pub lines: i64,
    pub value_minor: i64,
    pub currency: String,
}

/// When the first and the last of `bought` were placed, and their buyers (in `bought`'s order): what the flows that
/// follow orders look up the buyers' earlier touches by. None when nothing was bought.
pub fn buyers_between(bought: &[OrderedProduct]) -> Option<(Millis, Millis, Vec<i64>)> {
    let first = bought.iter().map(|b| b.placed_at).min()?;
    let last = bought.iter().map(|b| b.placed_at).max()?;
    Some((first, last, bought.iter().map(|b| b.shopper).collect()))
}

/// The products of `orders` (row ids) that are still paid, each order's lines of one product together.
pub async fn ordered_products(
    tx: &mut Tx,
    orders: &[i64],
) -> Result<Vec<OrderedProduct>, sqlx::Error> {
    let set = IdSet::distinct(tx, orders.iter().copied());
    let rows: Vec<(i64, i64, i64, Millis, i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT o.id, o.shopper_id, l.product_id, o.placed_at, COUNT(*), \
         CAST(SUM(l.quantity * l.unit_price_minor) AS BIGINT), o.currency \
         FROM {} JOIN orders o ON o.id = f.id JOIN order_lines l ON l.order_id = o.id WHERE o.status = 'paid' \
         GROUP BY o.id, o.shopper_id, l.product_id, o.placed_at, o.currency",
        set.table("f", 1)
    ))
    .bind(set.value())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(order, shopper, product, placed_at, lines, value_minor, currency)| OrderedProduct {
                order,
                shopper,
                product,
                placed_at,
                lines,
                value_minor,
                currency,
            },
        )
        .collect())
}

/// Whether the shopper has a paid order of the product: a verified buyer.
pub async fn has_bought(
    tx: &mut Tx,
    shopper: ShopperKey,
    product: ProductKey,
) -> Result<bool, sqlx::Error> {
    let orders: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.shopper_id = $1 AND l.product_id = $2 AND o.status = 'paid'",
    )
    .bind(shopper)
    .bind(product)
    .fetch_one(&mut **tx)
    .await?;
    Ok(orders > 0)
}

/// The row ids of every order that still counts as paid, oldest first.
pub async fn paid_orders(db: &Db) -> Result<Vec<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM orders WHERE status = 'paid' ORDER BY id")
            .fetch_all(db.reader())
            .await?,
    )
}

/// Every order changed since `mark` as it stands now (every order when there is no mark), and the mark to read
/// from next time. An order may come again unchanged (changed by a transaction that was running at the last read):
/// the reader keeps the latest it read of each. Shipping and delivery are not changes here.
pub async fn order_values_since(
    db: &Db,
    mark: Option<OrderMark>,
    currency: &str,
) -> Result<(Vec<OrderValue>, OrderMark), StoreError> {
    let mut reader = db.reader().acquire().await?;
    // The mark is taken before the orders are read: a change the read misses is then at or after it.
    let next: i64 = sqlx::query_scalar(match db.backend() {
        crate::store::Backend::Postgres => {
            "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)"
        }
        crate::store::Backend::Sqlite => "SELECT changes + 1 FROM order_changes_counted",
    })
    .fetch_one(&mut *reader)
    .await?;
    let texts: Vec<Option<String>> = sqlx::query_scalar(&format!(
        "SELECT {} FROM orders WHERE changed_in >= $1 GROUP BY id / {JOINED_IDS}",
        db.backend().joined(
            "id || ' ' || shopper_id || ' ' || placed_at || ' ' || \
             (subtotal_minor + shipping_minor + tax_minor - refunded_minor) || ' ' || \
             (CASE WHEN status = 'paid' THEN 1 ELSE 0 END + CASE WHEN currency = $2 THEN 2 ELSE 0 END)"
        )
    ))
    .bind(mark.map_or(0, |OrderMark(at)| at))
    .bind(currency)
    .fetch_all(&mut *reader)
    .await?;
    let mut values = Vec::new();
    for text in &texts {
        for [order, shopper, placed_at, value_minor, standing] in joined_numbers(text.as_deref())? {
            values.push(OrderValue {
                order,
                shopper,
                placed_at: Millis(placed_at),
                value_minor,
                paid: standing & 1 == 1,
                in_currency: standing & 2 == 2,
            });
        }
    }
    Ok((values, OrderMark(next)))
}

/// The paid orders of `shoppers` (row ids) placed from `from` until `to` (not included), in `currency`; read by
/// the orders' shopper index, as joined texts.
pub async fn orders_of_shoppers(
    db: &Db,
    shoppers: &[i64],
    from: Millis,
    to: Millis,
    currency: &str,
) -> Result<Vec<ShopperOrder>, StoreError> {
    let set = IdSet::of(db.backend(), shoppers);
    let texts: Vec<Option<String>> = sqlx::query_scalar(&format!(
        "SELECT {} FROM {} CROSS JOIN orders o WHERE o.shopper_id = s.id AND o.placed_at >= $2 AND o.placed_at < $3 \
         AND o.status = 'paid' AND o.currency = $4 GROUP BY o.shopper_id / {JOINED_IDS}",
        db.backend().joined(
            "o.shopper_id || ' ' || o.placed_at || ' ' || \
             (o.subtotal_minor + o.shipping_minor + o.tax_minor - o.refunded_minor)"
        ),
        set.table("s", 1)
    ))
    .bind(set.value())
    .bind(from)
    .bind(to)
    .bind(currency)
    .fetch_all(db.reader())
    .await?;
    let mut orders = Vec::new();
    for text in &texts {
        for [shopper, at, value_minor] in joined_numbers(text.as_deref())? {
            orders.push(ShopperOrder {
                shopper,
                at: Millis(at),
                value_minor,
            });
        }
    }
    Ok(orders)
}

/// A shopper's `limit` most recent orders, newest first; none for a shopper the store has not shared.
pub async fn recent_orders(
    db: &Db,
    shopper_id: &str,
    limit: i64,
) -> Result<Vec<OrderSummary>, StoreError> {
    let Some(buyer) = shopper_key(db.reader(), shopper_id).await? else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT o.external_id, o.placed_at, o.status, o.currency, \
         o.subtotal_minor + o.shipping_minor + o.tax_minor AS total_minor, \
         (SELECT CAST(SUM(l.quantity) AS BIGINT) FROM order_lines l WHERE l.order_id = o.id) AS items \
         FROM orders o WHERE o.shopper_id = $1 ORDER BY o.placed_at DESC, o.id DESC LIMIT $2",
    )
    .bind(buyer)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(OrderSummary {
                order_id: row.try_get("external_id")?,
                placed_at: row.try_get("placed_at")?,
                status: row.try_get("status")?,
                total: Money::new(
                    row.try_get("total_minor")?,
                    row.try_get::<String, _>("currency")?,
                ),
                items: row.try_get::<Option<i64>, _>("items")?.unwrap_or(0),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The `limit` shoppers with the most orders, most first (then by their store id); shoppers who never ordered are
/// not among them.
pub async fn busiest_buyers(db: &Db, limit: i64) -> Result<Vec<Buyer>, StoreError> {
    let rows = sqlx::query(
        "SELECT shopper_id, COUNT(*) AS orders FROM orders GROUP BY shopper_id \
         ORDER BY orders DESC, shopper_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    let counts = rows
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<i64, _>("shopper_id")?,
                row.try_get::<i64, _>("orders")?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let keys: Vec<i64> = counts.iter().map(|(key, _)| *key).collect();
    let mut names = names_of(db, &keys).await?;
    let mut buyers: Vec<Buyer> = counts
        .into_iter()
        .filter_map(|(key, orders)| {
            let (shopper_id, display_name) = names.remove(&key)?;
            Some(Buyer {
                shopper_id,
                display_name,
                orders,
            })
        })
        .collect();
    buyers.sort_by(|a, b| {
        b.orders
            .cmp(&a.orders)
            .then_with(|| a.shopper_id.cmp(&b.shopper_id))
    });
    Ok(buyers)
}

#[cfg(test)]
mod tests;
