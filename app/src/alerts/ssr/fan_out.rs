//! A price or stock change fanned out to the alerts it meets: one shared change record and one queued notice per alert and channel, in the change's transaction.

use super::*;

/// What one price or stock change (or one confirmation email) tells its recipients; all its notices share it.
pub(super) struct AlertChange<'a> {
    pub(super) product_id: i64,
    /// `price_drop`, `back_in_stock`, `price_rise` or `confirm`.
    pub(super) kind: &'static str,
    /// What caused it, unique: `price:<history id>`, `stock:<change id>` or `confirm:<alert id>`.
    pub(super) source: String,
    pub(super) old_price: i64,
    pub(super) new_price: i64,
    pub(super) lowest_30_days: i64,
    pub(super) currency: &'a str,
}

/// Writes a change's shared facts once; returns its id, which its notices carry.
pub(super) async fn record_change(
    tx: &mut Tx,
    change: &AlertChange<'_>,
    now: Millis,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO alert_changes (product_id, kind, source, old_price_minor, new_price_minor, lowest_30d_minor, \
         currency, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(change.product_id)
    .bind(change.kind)
    .bind(&change.source)
    .bind(change.old_price)
    .bind(change.new_price)
    .bind(change.lowest_30_days)
    .bind(change.currency)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Who a batch of notices goes to.
pub(super) enum Recipients<'a> {
    /// Alerts (row ids): each notice belongs to its alert and to the alert's shopper, if any.
    Alerts(&'a [i64]),
    /// Shoppers (row ids) told without an alert: price rises of wish-list items.
    Shoppers(&'a [i64]),
}

/// Queues one notice of `change` on `channel` per recipient. In-widget notices are delivered by being written;
/// the rest wait for a worker. The change is new, so no notice of it exists yet: a second one for the same
/// alert (or shopper) and channel would break the unique key and roll the change back. The rows are copied from
/// the recipients' own rows by the database in one statement, the ids bound as one [`IdSet`].
pub(super) async fn queue_notices(
    tx: &mut Tx,
    change_id: i64,
    channel: &'static str,
    recipients: Recipients<'_>,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let delivered = channel == "inbox";
    let (ids, owners, table) = match recipients {
        Recipients::Alerts(ids) => (ids, "a.id, a.shopper_id", "alerts"),
        Recipients::Shoppers(ids) => (ids, "NULL, a.id", "shoppers"),
    };
    if ids.is_empty() {
        return Ok(());
    }
    let ids = IdSet::new(tx, ids);
    sqlx::query(&format!(
        "INSERT INTO notices (change_id, alert_id, shopper_id, channel, status, created_at, next_attempt_at, \
         sent_at, attempts) SELECT $1, {owners}, $2, $3, $4, $4, $5, 0 FROM {} JOIN {table} a ON a.id = f.id ORDER BY a.id",
        ids.table("f", 6)
    ))
    .bind(change_id)
    .bind(channel)
    .bind(if delivered { "sent" } else { "queued" })
    .bind(now)
    .bind(delivered.then_some(now))
    .bind(ids.value())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Recipients sorted by the channels their notices go out on.
#[derive(Default)]
struct Outbound {
    inbox: Vec<i64>,
    email: Vec<i64>,
    webhook: Vec<i64>,
}

impl Outbound {
    /// Adds a recipient: anyone with an address is emailed when the store sends email, and the merchant's webhook
    /// hears of every one. A shopper's inbox shows all their notices but the webhook's, so an emailed notice is
    /// their inbox notice too (one row, not two); a shopper who is not emailed gets an inbox-only notice.
    fn add(&mut self, id: i64, shopper: bool, reachable: bool, policy: &AlertPolicy) {
        if policy.email && reachable {
            self.email.push(id);
        } else if shopper {
            self.inbox.push(id);
        }
        if policy.webhook {
            self.webhook.push(id);
        }
    }

    fn len(&self) -> usize {
        self.inbox.len() + self.email.len() + self.webhook.len()
    }

    /// Queues every notice of `change_id`; `alerts` says whether the ids are alerts' or shoppers'.
    async fn queue(
        &self,
        tx: &mut Tx,
        change_id: i64,
        alerts: bool,
        now: Millis,
    ) -> Result<(), sqlx::Error> {
        for (channel, ids) in [
            ("inbox", &self.inbox),
            ("email", &self.email),
            ("webhook", &self.webhook),
        ] {
            let recipients = if alerts {
                Recipients::Alerts(ids)
            } else {
                Recipients::Shoppers(ids)
            };
            queue_notices(tx, change_id, channel, recipients, now).await?;
        }
        Ok(())
    }
}

/// Whether an alert's notices have an address to be emailed at (its own, or its shopper's), as 0 or 1.
const REACHABLE: &str = "CAST(CASE WHEN a.email IS NOT NULL OR s.email IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) \
                         AS reachable";

/// Runs `UPDATE alerts SET <assignments>` on the alerts `ids`, with `values` bound as `$1`, `$2`, ….
async fn update_alerts(
    tx: &mut Tx,
    assignments: &str,
    values: &[i64],
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let set = IdSet::new(tx, ids);
    let sql = format!(
        "UPDATE alerts SET {assignments} FROM {} WHERE alerts.id = f.id",
        set.table("f", values.len() + 1)
    );
    let mut query = sqlx::query(&sql);
    for value in values {
        query = query.bind(*value);
    }
    query.bind(set.value()).execute(&mut **tx).await?;
    Ok(())
}

/// Called by the catalog inside the transaction that changes a product's price (`change_id` is the new
/// price-history row): queues the notices of every price alert the drop fires and lowers their reference, and
/// tells shoppers who asked to hear of rises in their wish lists (at most once per product within the store's
/// cooldown). Returns the number of notices queued.
#[allow(clippy::too_many_arguments)]
pub async fn price_changed(
    tx: &mut Tx,
    product_id: i64,
    old_minor: i64,
    new_minor: i64,
    currency: &str,
    change_id: i64,
    policy: &AlertPolicy,
    at: Millis,
) -> Result<usize, sqlx::Error> {
    if old_minor == new_minor {
        return Ok(0);
    }
    let drop = new_minor < old_minor;
    let mut outbound = Outbound::default();
    let mut fired = Vec::new();
    if drop {
        let rows = sqlx::query(&format!(
            "SELECT a.id, a.shopper_id, a.rule, a.target_minor, a.percent, a.reference_minor, a.last_notified_at, \
             {REACHABLE} FROM alerts a LEFT JOIN shoppers s ON s.id = a.shopper_id \
             WHERE a.product_id = $1 AND a.kind = 'price_drop' AND a.status = 'active' AND a.currency = $2 ORDER BY a.id"
        ))
        .bind(product_id)
        .bind(currency)
        .fetch_all(&mut **tx)
        .await?;
        for row in &rows {
            let watch = PriceWatch {
                rule: rule_from_row(row)?,
                reference_minor: row.try_get("reference_minor")?,
                last_notified_at: row.try_get("last_notified_at")?,
            };
            if !price_drop_fires(&watch, new_minor, policy, at) {
                continue;
            }
            let id: i64 = row.try_get("id")?;
            let shopper: Option<i64> = row.try_get("shopper_id")?;
            outbound.add(
                id,
                shopper.is_some(),
                row.try_get::<i64, _>("reachable")? == 1,
                policy,
            );
            fired.push(id);
        }
    } else {
        let rows = sqlx::query(
            "SELECT s.id, CAST(CASE WHEN s.email IS NULL THEN 0 ELSE 1 END AS BIGINT) AS reachable, \
             (SELECT MAX(n.created_at) FROM notices n JOIN alert_changes c ON c.id = n.change_id \
              WHERE n.shopper_id = s.id AND n.alert_id IS NULL AND c.product_id = $1 AND c.kind = 'price_rise') \
             AS last_notified_at \
             FROM shoppers s JOIN alert_preferences ap ON ap.shopper_id = s.id AND ap.notify_price_rise = 1 \
             WHERE s.id IN (SELECT w.shopper_id FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id \
             WHERE i.product_id = $1) ORDER BY s.id",
        )
        .bind(product_id)
        .fetch_all(&mut **tx)
        .await?;
        for row in &rows {
            if !cooled_down(row.try_get("last_notified_at")?, policy, at) {
                continue;
            }
            outbound.add(
                row.try_get("id")?,
                true,
                row.try_get::<i64, _>("reachable")? == 1,
                policy,
            );
        }
    }
    if outbound.len() > 0 {
        let lowest = lowest_price_of_30_days(tx, product_id, at, old_minor).await?;
        let change = AlertChange {
            product_id,
            kind: if drop { "price_drop" } else { "price_rise" },
            source: format!("price:{change_id}"),
            old_price: old_minor,
            new_price: new_minor,
            lowest_30_days: lowest,
            currency,
        };
        let change_id = record_change(tx, &change, at).await?;
        outbound.queue(tx, change_id, drop, at).await?;
    }
    update_alerts(
        tx,
        "reference_minor = $1, last_notified_at = $2",
        &[new_minor, at.0],
        &fired,
    )
    .await?;
    Ok(outbound.len())
}

/// Called by the catalog inside the transaction that changes a product's stock: a restock from zero tells the
/// back-in-stock subscribers, oldest subscription first, up to the store's multiple of the units that came back.
/// Each of those alerts has fired and ends; the rest wait for the next restock.
pub async fn stock_changed(
    tx: &mut Tx,
    product_id: i64,
    old_stock: i64,
    new_stock: i64,
    change_id: i64,
    policy: &AlertPolicy,
    at: Millis,
) -> Result<usize, sqlx::Error> {
    if old_stock != 0 || new_stock <= 0 {
        return Ok(0);
    }
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM alerts WHERE product_id = $1 AND kind = 'back_in_stock' AND status = 'active'",
    )
    .bind(product_id)
    .fetch_one(&mut **tx)
    .await?;
    let reach = restock_reach(new_stock, usize::try_from(waiting).unwrap_or(0), policy);
    if reach == 0 {
        return Ok(0);
    }
    let product = sqlx::query("SELECT price_minor, currency FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_one(&mut **tx)
        .await?;
    let price: i64 = product.try_get("price_minor")?;
    let currency: String = product.try_get("currency")?;
    let lowest = lowest_price_of_30_days(tx, product_id, at, price).await?;
    let rows = sqlx::query(&format!(
        "SELECT a.id, a.shopper_id, {REACHABLE} FROM alerts a LEFT JOIN shoppers s ON s.id = a.shopper_id \
         WHERE a.product_id = $1 AND a.kind = 'back_in_stock' AND a.status = 'active' ORDER BY a.id LIMIT $2"
    ))
    .bind(product_id)
    .bind(reach as i64)
    .fetch_all(&mut **tx)
    .await?;
    let mut outbound = Outbound::default();
    let mut fired = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let shopper: Option<i64> = row.try_get("shopper_id")?;
        outbound.add(
            id,
            shopper.is_some(),
            row.try_get::<i64, _>("reachable")? == 1,
            policy,
        );
        fired.push(id);
    }
    let change = AlertChange {
        product_id,
        kind: "back_in_stock",
        source: format!("stock:{change_id}"),
        old_price: price,
        new_price: price,
        lowest_30_days: lowest,
        currency: &currency,
    };
    let change_id = record_change(tx, &change, at).await?;
    outbound.queue(tx, change_id, true, at).await?;
    update_alerts(
        tx,
        "status = 'fired', last_notified_at = $1, ended_at = $1",
        &[at.0],
        &fired,
    )
    .await?;
    Ok(outbound.len())
}

/// The shoppers whose own price alerts told them of the price change `change_id` (a price-history row): anything
/// else telling them of the same drop would say it twice.
pub async fn shoppers_told_of_price(
    tx: &mut Tx,
    change_id: i64,
) -> Result<std::collections::HashSet<ShopperKey>, sqlx::Error> {
    let told: Vec<ShopperKey> = sqlx::query_scalar(
        "SELECT DISTINCT a.shopper_id FROM alert_changes c JOIN notices n ON n.change_id = c.id \
         JOIN alerts a ON a.id = n.alert_id WHERE c.source = $1 AND a.shopper_id IS NOT NULL",
    )
    .bind(format!("price:{change_id}"))
    .fetch_all(&mut **tx)
    .await?;
    Ok(told.into_iter().collect())
}
