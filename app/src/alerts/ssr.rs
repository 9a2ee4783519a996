//! The alerts' SQL: subscriptions, the notices a price or stock change writes into the outbox (inside the
//! change's own transaction), the in-widget inbox, and the account's list of alerts.

use super::rules::{
    AlertPolicy, PriceWatch, cooled_down, lowest_of_30_days, price_drop_fires, restock_reach,
    validate_price_rule,
};
use super::{
    Alert, AlertKind, AlertStatus, FailedNotice, Inbox, Notice, NoticeKind, PriceRule,
    ProductAlertReport, ProductAlerts,
};
use crate::events::ssr::{known_shopper, shopper_key};
use crate::identity::Viewer;
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::kernel::time::{DAY_MS, Millis};
use crate::kernel::validate;
use crate::store::{Db, IdSet, StoreError, Tx, id_list, is_unique_violation};
use sqlx::Row;

#[cfg(test)]
mod tests;

/// Who an alert belongs to.
enum Subscriber {
    /// A signed-in shopper (row id): active at once, told in the inbox and at the email the store shared.
    Shopper(i64),
    /// A guest's email address, which must be confirmed before anything is sent to it, and the guest's id.
    Guest(String, String),
}

/// What a shopper asks for from the `PriceAlert` widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRequest {
    pub kind: AlertKind,
    /// Ignored for back-in-stock alerts.
    pub rule: PriceRule,
    /// A guest's address; a signed-in shopper's comes from the store.
    pub email: Option<String>,
}

/// Alerts as their owners see them, with the product's title in the language bound as `$1`; callers add the
/// `WHERE` on `a`.
const SELECT_ALERTS: &str = "SELECT a.id, p.sku, COALESCE(t.title, p.title) AS title, a.kind, a.rule, \
     a.target_minor, a.percent, a.reference_minor, a.currency, a.status, a.created_at, a.last_notified_at \
     FROM alerts a JOIN products p ON p.id = a.product_id \
     LEFT JOIN product_translations t ON t.product_id = p.id AND t.locale = $1";

/// An alert's price rule from its `rule`, `target_minor` and `percent` columns.
fn rule_from_row(row: &sqlx::any::AnyRow) -> Result<PriceRule, sqlx::Error> {
    Ok(match row.try_get::<String, _>("rule")?.as_str() {
        "target" => PriceRule::Below {
            target_minor: row.try_get("target_minor")?,
        },
        "percent" => PriceRule::ByPercent {
            percent: row.try_get("percent")?,
        },
        _ => PriceRule::AnyDrop,
    })
}

fn alert_from_row(row: &sqlx::any::AnyRow) -> Result<Alert, sqlx::Error> {
    let rule = rule_from_row(row)?;
    let kind = match row.try_get::<String, _>("kind")?.as_str() {
        "back_in_stock" => AlertKind::BackInStock,
        _ => AlertKind::PriceDrop,
    };
    let status = match row.try_get::<String, _>("status")?.as_str() {
        "unconfirmed" => AlertStatus::Unconfirmed,
        "active" => AlertStatus::Active,
        "fired" => AlertStatus::Fired,
        _ => AlertStatus::Cancelled,
    };
    Ok(Alert {
        id: row.try_get("id")?,
        sku: row.try_get("sku")?,
        title: row.try_get("title")?,
        kind,
        rule,
        reference: Money::new(
            row.try_get("reference_minor")?,
            row.try_get::<String, _>("currency")?,
        ),
        status,
        created_at: row.try_get("created_at")?,
        last_notified_at: row.try_get("last_notified_at")?,
    })
}

async fn subscriber(
    tx: &mut Tx,
    viewer: &Viewer,
    email: Option<&str>,
    policy: &AlertPolicy,
) -> Result<Subscriber, StoreError> {
    match viewer {
        Viewer::Shopper(external) => Ok(Subscriber::Shopper(known_shopper(tx, external).await?)),
        Viewer::Guest(_) if !policy.email => Err(AppError::unauthorized(
            "Sign in to get alerts: this store does not send alerts by email.",
        )
        .into()),
        Viewer::Guest(guest) => {
            let email = email.ok_or_else(|| {
                AppError::invalid("email", "Enter your email address to get alerts.")
            })?;
            Ok(Subscriber::Guest(
                validate::email("email", email)?,
                guest.clone(),
            ))
        }
    }
}

/// Subscribes the viewer to a price-drop or back-in-stock alert on a product, or changes the rule of the live
/// alert they already have there. A guest's alert waits for the confirmation email (queued here) before it fires.
pub async fn subscribe(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    request: &AlertRequest,
    locale: &str,
    policy: &AlertPolicy,
    now: Millis,
) -> Result<Alert, StoreError> {
    let mut tx = db.write().await?;
    let product = sqlx::query(
        "SELECT id, price_minor, currency, stock FROM products WHERE sku = $1 AND active = TRUE",
    )
    .bind(sku)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::not_found(Some("sku".into()), "This product is not available."))?;
    let product_id: i64 = product.try_get("id")?;
    let price: i64 = product.try_get("price_minor")?;
    let currency: String = product.try_get("currency")?;
    let rule = match request.kind {
        AlertKind::PriceDrop => {
            validate_price_rule(&request.rule, price)?;
            request.rule
        }
        AlertKind::BackInStock if product.try_get::<i64, _>("stock")? > 0 => {
            return Err(
                AppError::conflict("This product is in stock: it can be bought now.").into(),
            );
        }
        AlertKind::BackInStock => PriceRule::AnyDrop,
    };
    let subscriber = subscriber(&mut tx, viewer, request.email.as_deref(), policy).await?;
    let (shopper, email, guest) = match &subscriber {
        Subscriber::Shopper(id) => (Some(*id), None, None),
        Subscriber::Guest(email, guest) => (None, Some(email.clone()), Some(guest.clone())),
    };
    let (target, percent) = match rule {
        PriceRule::AnyDrop => (None, None),
        PriceRule::Below { target_minor } => (Some(target_minor), None),
        PriceRule::ByPercent { percent } => (None, Some(percent)),
    };
    let live: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM alerts WHERE product_id = $1 AND kind = $2 AND status IN ('unconfirmed', 'active') \
         AND (shopper_id = $3 OR email = $4)",
    )
    .bind(product_id)
    .bind(request.kind.name())
    .bind(shopper)
    .bind(email.clone())
    .fetch_optional(&mut *tx)
    .await?;
    let id = match live {
        // A changed rule measures from today's price.
        Some(id) => {
            sqlx::query(
                "UPDATE alerts SET rule = $1, target_minor = $2, percent = $3, reference_minor = $4, currency = $5 \
                 WHERE id = $6",
            )
            .bind(rule.name())
            .bind(target)
            .bind(percent)
            .bind(price)
            .bind(&currency)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let (status, token) = match subscriber {
                Subscriber::Shopper(_) => ("active", None),
                Subscriber::Guest(..) => (
                    "unconfirmed",
                    Some(format!("{:032x}", rand::random::<u128>())),
                ),
            };
            let inserted = sqlx::query_scalar::<_, i64>(
                "INSERT INTO alerts (product_id, shopper_id, email, kind, rule, target_minor, percent, reference_minor, \
                 currency, status, confirm_token, created_at, confirmed_at, locale, guest_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(product_id)
            .bind(shopper)
            .bind(email.clone())
            .bind(request.kind.name())
            .bind(rule.name())
            .bind(target)
            .bind(percent)
            .bind(price)
            .bind(&currency)
            .bind(status)
            .bind(token.clone())
            .bind(now)
            .bind((status == "active").then_some(now))
            .bind(locale)
            .bind(guest)
            .fetch_one(&mut *tx)
            .await;
            let id = match inserted {
                Ok(id) => id,
                // Two tabs subscribing at once: the other one won.
                Err(error) if is_unique_violation(&error) => {
                    return Err(AppError::conflict("You already have this alert.").into());
                }
                Err(error) => return Err(error.into()),
            };
            if token.is_some() {
                let change = AlertChange {
                    product_id,
                    kind: "confirm",
                    source: format!("confirm:{id}"),
                    old_price: price,
                    new_price: price,
                    lowest_30_days: price,
                    currency: &currency,
                };
                let change_id = record_change(&mut tx, &change, now).await?;
                queue_notices(&mut tx, change_id, "email", Recipients::Alerts(&[id]), now).await?;
            }
            id
        }
    };
    let alert = alert_by_id(&mut *tx, id, locale).await?;
    tx.commit().await?;
    Ok(alert)
}

/// One alert, read in a transaction or from the pool; an unknown one is answered as such.
async fn alert_by_id<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: i64,
    locale: &str,
) -> Result<Alert, StoreError> {
    let row = sqlx::query(&format!("{SELECT_ALERTS} WHERE a.id = $2"))
        .bind(locale)
        .bind(id)
        .fetch_optional(executor)
        .await?
        .ok_or_else(no_such_alert)?;
    Ok(alert_from_row(&row)?)
}

/// Confirms a guest's alert from the link in its confirmation email; returns the alert.
pub async fn confirm(db: &Db, token: &str, locale: &str, now: Millis) -> Result<Alert, StoreError> {
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "SELECT id FROM alerts WHERE confirm_token = $1 AND status IN ('unconfirmed', 'active')",
    )
    .bind(token)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        AppError::not_found(
            Some("token".into()),
            "This confirmation link is not valid any more; subscribe again from the product page.",
        )
    })?;
    sqlx::query(
        "UPDATE alerts SET status = 'active', confirmed_at = COALESCE(confirmed_at, $1) WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let alert = alert_by_id(&mut *tx, id, locale).await?;
    tx.commit().await?;
    Ok(alert)
}

/// One alert, for the pages its email links open.
pub async fn alert(db: &Db, alert_id: i64, locale: &str) -> Result<Alert, StoreError> {
    alert_by_id(db.reader(), alert_id, locale).await
}

/// Cancels one of the shopper's live alerts; someone else's is answered like an unknown one.
pub async fn cancel(
    db: &Db,
    viewer: &Viewer,
    alert_id: i64,
    now: Millis,
) -> Result<(), StoreError> {
    let Viewer::Shopper(external) = viewer else {
        return Err(no_such_alert().into());
    };
    let mut tx = db.write().await?;
    let shopper = known_shopper(&mut tx, external).await?;
    let cancelled = sqlx::query(
        "UPDATE alerts SET status = 'cancelled', ended_at = $1 \
         WHERE id = $2 AND shopper_id = $3 AND status IN ('unconfirmed', 'active')",
    )
    .bind(now)
    .bind(alert_id)
    .bind(shopper)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if cancelled == 0 {
        return Err(no_such_alert().into());
    }
    withdraw_queued(&mut tx, alert_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels an alert whose unsubscribe link the server has already verified (its signature names the alert).
/// Cancelling twice is not an error: the link in every email of the alert keeps working.
pub async fn unsubscribe(
    db: &Db,
    alert_id: i64,
    locale: &str,
    now: Millis,
) -> Result<Alert, StoreError> {
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE alerts SET status = 'cancelled', ended_at = $1 WHERE id = $2 AND status IN ('unconfirmed', 'active')",
    )
    .bind(now)
    .bind(alert_id)
    .execute(&mut *tx)
    .await?;
    withdraw_queued(&mut tx, alert_id).await?;
    let alert = alert_by_id(&mut *tx, alert_id, locale).await?;
    tx.commit().await?;
    Ok(alert)
}

/// A cancelled alert sends nothing more, not even what was already queued: unsubscribing takes effect at once.
async fn withdraw_queued(tx: &mut Tx, alert_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE notices SET status = 'withdrawn' WHERE alert_id = $1 AND status = 'queued'",
    )
    .bind(alert_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn no_such_alert() -> AppError {
    AppError::not_found(Some("alert_id".into()), "There is no such alert.")
}

/// The shopper's row id for reads; guests and unknown shoppers have none.
async fn reading_shopper(db: &Db, viewer: &Viewer) -> Result<Option<i64>, sqlx::Error> {
    match viewer {
        Viewer::Shopper(external) => shopper_key(db.reader(), external).await,
        Viewer::Guest(_) => Ok(None),
    }
}

/// A product's price and stock and the viewer's live alerts on it.
pub async fn product_alerts(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    locale: &str,
    policy: &AlertPolicy,
) -> Result<ProductAlerts, StoreError> {
    let product = sqlx::query(
        "SELECT id, price_minor, currency, stock FROM products WHERE sku = $1 AND active = TRUE",
    )
    .bind(sku)
    .fetch_optional(db.reader())
    .await?
    .ok_or_else(|| AppError::not_found(Some("sku".into()), "This product is not available."))?;
    let mut state = ProductAlerts {
        price: Money::new(
            product.try_get("price_minor")?,
            product.try_get::<String, _>("currency")?,
        ),
        stock: product.try_get("stock")?,
        price_drop: None,
        back_in_stock: None,
        guest_email: policy.email,
    };
    let shopper = reading_shopper(db, viewer).await?;
    let guest = match viewer {
        Viewer::Guest(guest) => Some(guest.clone()),
        Viewer::Shopper(_) => None,
    };
    if shopper.is_some() || guest.is_some() {
        let rows = sqlx::query(&format!(
            "{SELECT_ALERTS} WHERE (a.shopper_id = $2 OR a.guest_id = $4) AND a.product_id = $3 \
             AND a.status IN ('unconfirmed', 'active')"
        ))
        .bind(locale)
        .bind(shopper)
        .bind(product.try_get::<i64, _>("id")?)
        .bind(guest)
        .fetch_all(db.reader())
        .await?;
        for row in &rows {
            let alert = alert_from_row(row)?;
            match alert.kind {
                AlertKind::PriceDrop => state.price_drop = Some(alert),
                AlertKind::BackInStock => state.back_in_stock = Some(alert),
            }
        }
    }
    Ok(state)
}

/// Moves a guest's live alerts to the shopper who just signed in: they become the shopper's (told at the
/// address the store shared, with no confirmation needed), except where the shopper already has that alert,
/// which the guest's copy then ends in favour of. Returns how many moved.
pub async fn adopt_guest_alerts(
    tx: &mut Tx,
    guest: &str,
    shopper: &str,
    now: Millis,
) -> Result<u64, StoreError> {
    let shopper = known_shopper(tx, shopper).await?;
    let duplicates: Vec<i64> = sqlx::query_scalar(
        "SELECT g.id FROM alerts g JOIN alerts s ON s.product_id = g.product_id AND s.kind = g.kind \
         AND s.shopper_id = $1 AND s.status IN ('unconfirmed', 'active') \
         WHERE g.guest_id = $2 AND g.status IN ('unconfirmed', 'active')",
    )
    .bind(shopper)
    .bind(guest)
    .fetch_all(&mut **tx)
    .await?;
    for id in &duplicates {
        sqlx::query("UPDATE alerts SET status = 'cancelled', ended_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        withdraw_queued(tx, *id).await?;
    }
    // Signed in, the shopper needs no confirmation email any more.
    sqlx::query(
        "UPDATE notices SET status = 'withdrawn' WHERE status = 'queued' \
         AND alert_id IN (SELECT id FROM alerts WHERE guest_id = $1) \
         AND EXISTS (SELECT 1 FROM alert_changes c WHERE c.id = notices.change_id AND c.kind = 'confirm')",
    )
    .bind(guest)
    .execute(&mut **tx)
    .await?;
    let moved = sqlx::query(
        "UPDATE alerts SET shopper_id = $1, email = NULL, guest_id = NULL, status = 'active', \
         confirmed_at = COALESCE(confirmed_at, $2) WHERE guest_id = $3 AND status IN ('unconfirmed', 'active')",
    )
    .bind(shopper)
    .bind(now)
    .bind(guest)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(moved)
}

/// Every live alert of the shopper, newest first, for the account page.
pub async fn my_alerts(db: &Db, viewer: &Viewer, locale: &str) -> Result<Vec<Alert>, StoreError> {
    let Some(shopper) = reading_shopper(db, viewer).await? else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(&format!(
        "{SELECT_ALERTS} WHERE a.shopper_id = $2 AND a.status IN ('unconfirmed', 'active') ORDER BY a.created_at DESC, a.id DESC"
    ))
    .bind(locale)
    .bind(shopper)
    .fetch_all(db.reader())
    .await?;
    Ok(rows.iter().map(alert_from_row).collect::<Result<_, _>>()?)
}

/// What one price or stock change (or one confirmation email) tells its recipients; all its notices share it.
struct AlertChange<'a> {
    product_id: i64,
    /// `price_drop`, `back_in_stock`, `price_rise` or `confirm`.
    kind: &'static str,
    /// What caused it, unique: `price:<history id>`, `stock:<change id>` or `confirm:<alert id>`.
    source: String,
    old_price: i64,
    new_price: i64,
    lowest_30_days: i64,
    currency: &'a str,
}

/// Writes a change's shared facts once; returns its id, which its notices carry.
async fn record_change(
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
enum Recipients<'a> {
    /// Alerts (row ids): each notice belongs to its alert and to the alert's shopper, if any.
    Alerts(&'a [i64]),
    /// Shoppers (row ids) told without an alert: price rises of wish-list items.
    Shoppers(&'a [i64]),
}

/// Queues one notice of `change` on `channel` per recipient. In-widget notices are delivered by being written;
/// the rest wait for a worker. The change is new, so no notice of it exists yet: a second one for the same
/// alert (or shopper) and channel would break the unique key and roll the change back. The rows are copied from
/// the recipients' own rows by the database in one statement, the ids bound as one [`IdSet`].
async fn queue_notices(
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

/// The lowest price of the 30 days before `at`, from the product's price history.
async fn lowest_before(
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
        let lowest = lowest_before(tx, product_id, at, old_minor).await?;
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
        &[new_minor, at],
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
    let lowest = lowest_before(tx, product_id, at, price).await?;
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
        &[at],
        &fired,
    )
    .await?;
    Ok(outbound.len())
}

/// Whether the shopper hears of price rises on what their wish lists hold.
pub async fn set_price_rise_notices(
    db: &Db,
    viewer: &Viewer,
    enabled: bool,
) -> Result<(), StoreError> {
    let Viewer::Shopper(external) = viewer else {
        return Err(AppError::unauthorized("Sign in to choose which notices you get.").into());
    };
    let mut tx = db.write().await?;
    let shopper = known_shopper(&mut tx, external).await?;
    sqlx::query(
        "INSERT INTO alert_preferences (shopper_id, notify_price_rise) VALUES ($1, $2) \
         ON CONFLICT (shopper_id) DO UPDATE SET notify_price_rise = excluded.notify_price_rise",
    )
    .bind(shopper)
    .bind(i64::from(enabled))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the shopper asked to hear of price rises.
pub async fn price_rise_notices(db: &Db, viewer: &Viewer) -> Result<bool, StoreError> {
    let Some(shopper) = reading_shopper(db, viewer).await? else {
        return Ok(false);
    };
    let enabled: Option<i64> =
        sqlx::query_scalar("SELECT notify_price_rise FROM alert_preferences WHERE shopper_id = $1")
            .bind(shopper)
            .fetch_optional(db.reader())
            .await?;
    Ok(enabled == Some(1))
}

/// The most notices the inbox shows.
pub const INBOX_SIZE: i64 = 30;

/// The shopper's in-widget notices, newest first, and how many are unread. Guests have none.
pub async fn inbox(db: &Db, viewer: &Viewer, locale: &str) -> Result<Inbox, StoreError> {
    let Some(shopper) = reading_shopper(db, viewer).await? else {
        return Ok(Inbox {
            unread: 0,
            notices: Vec::new(),
        });
    };
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notices WHERE shopper_id = $1 AND channel <> 'webhook' AND read_at IS NULL",
    )
    .bind(shopper)
    .fetch_one(db.reader())
    .await?;
    let rows = sqlx::query(
        "SELECT n.id, c.kind, p.sku, COALESCE(t.title, p.title) AS title, c.old_price_minor, c.new_price_minor, \
         c.lowest_30d_minor, c.currency, n.created_at, n.read_at FROM notices n \
         JOIN alert_changes c ON c.id = n.change_id JOIN products p ON p.id = c.product_id \
         LEFT JOIN product_translations t ON t.product_id = p.id AND t.locale = $1 \
         WHERE n.shopper_id = $2 AND n.channel <> 'webhook' ORDER BY n.created_at DESC, n.id DESC LIMIT $3",
    )
    .bind(locale)
    .bind(shopper)
    .bind(INBOX_SIZE)
    .fetch_all(db.reader())
    .await?;
    let notices = rows
        .iter()
        .map(|row| {
            let currency: String = row.try_get("currency")?;
            let money = |column: &str| -> Result<Money, sqlx::Error> {
                Ok(Money::new(row.try_get(column)?, currency.clone()))
            };
            Ok(Notice {
                id: row.try_get("id")?,
                kind: match row.try_get::<String, _>("kind")?.as_str() {
                    "back_in_stock" => NoticeKind::BackInStock,
                    "price_rise" => NoticeKind::PriceRise,
                    _ => NoticeKind::PriceDrop,
                },
                sku: row.try_get("sku")?,
                title: row.try_get("title")?,
                old_price: money("old_price_minor")?,
                new_price: money("new_price_minor")?,
                lowest_30_days: money("lowest_30d_minor")?,
                created_at: row.try_get("created_at")?,
                read: row.try_get::<Option<i64>, _>("read_at")?.is_some(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Inbox { unread, notices })
}

/// Marks every notice in the shopper's inbox read.
pub async fn mark_read(db: &Db, viewer: &Viewer, now: Millis) -> Result<(), StoreError> {
    let Viewer::Shopper(external) = viewer else {
        return Ok(());
    };
    let mut tx = db.write().await?;
    let shopper = known_shopper(&mut tx, external).await?;
    sqlx::query(
        "UPDATE notices SET read_at = $1 WHERE shopper_id = $2 AND channel <> 'webhook' AND read_at IS NULL",
    )
    .bind(now)
    .bind(shopper)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A notice a worker is to deliver by email or webhook, with what its message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub alert_id: Option<i64>,
    /// `price_drop`, `back_in_stock`, `price_rise` or `confirm`.
    pub kind: String,
    pub channel: String,
    pub email: Option<String>,
    /// The store's id of the shopper, for a signed-in shopper's notice.
    pub shopper: Option<String>,
    pub sku: String,
    pub title: String,
    pub old_price: Money,
    pub new_price: Money,
    pub lowest_30_days: Money,
    /// For `confirm` notices: the secret of the confirmation link.
    pub confirm_token: Option<String>,
    pub locale: String,
    /// Delivery attempts started, this one included.
    pub attempts: i64,
    pub created_at: Millis,
}

/// Claims up to `limit` notices of `channel` that are due for `worker`, for `lease` milliseconds: until then no
/// other worker (another task, process or server on the same database) claims them, and if this worker dies they
/// become due again when the lease runs out. The worker renews each notice's lease with [`renew`] just before
/// sending it, so a long batch cannot outlive its leases. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets workers
/// claim side by side; SQLite has one writer at a time.
pub async fn claim_due(
    db: &Db,
    channel: &str,
    limit: i64,
    worker: &str,
    lease: Millis,
    now: Millis,
) -> Result<Vec<Outgoing>, StoreError> {
    let lock = match db.backend() {
        crate::store::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        crate::store::Backend::Sqlite => "",
    };
    let mut tx = db.write().await?;
    let claimed: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE notices SET attempts = attempts + 1, next_attempt_at = $1, claimed_by = $5 WHERE id IN \
         (SELECT id FROM notices WHERE channel = $2 AND status = 'queued' AND next_attempt_at <= $3 \
          ORDER BY next_attempt_at, id LIMIT $4 {lock}) RETURNING id"
    ))
    .bind(now + lease)
    .bind(channel)
    .bind(now)
    .bind(limit)
    .bind(worker)
    .fetch_all(&mut *tx)
    .await?;
    if claimed.is_empty() {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let ids = id_list(&claimed);
    let rows = sqlx::query(&format!(
        "SELECT n.id, n.alert_id, c.kind, n.channel, COALESCE(a.email, s.email) AS email, p.sku, c.old_price_minor, \
         c.new_price_minor, c.lowest_30d_minor, c.currency, n.attempts, n.created_at, a.confirm_token, s.external_id, \
         COALESCE(s.locale, a.locale, 'en') AS locale, COALESCE(t.title, p.title) AS title \
         FROM notices n JOIN alert_changes c ON c.id = n.change_id JOIN products p ON p.id = c.product_id \
         LEFT JOIN alerts a ON a.id = n.alert_id LEFT JOIN shoppers s ON s.id = COALESCE(n.shopper_id, a.shopper_id) \
         LEFT JOIN product_translations t ON t.product_id = p.id AND t.locale = COALESCE(s.locale, a.locale, 'en') \
         WHERE n.id IN ({ids}) ORDER BY n.id"
    ))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .iter()
        .map(|row| {
            let currency: String = row.try_get("currency")?;
            let money = |column: &str| -> Result<Money, sqlx::Error> {
                Ok(Money::new(row.try_get(column)?, currency.clone()))
            };
            Ok(Outgoing {
                id: row.try_get("id")?,
                alert_id: row.try_get("alert_id")?,
                kind: row.try_get("kind")?,
                channel: row.try_get("channel")?,
                email: row.try_get("email")?,
                shopper: row.try_get("external_id")?,
                sku: row.try_get("sku")?,
                title: row.try_get("title")?,
                old_price: money("old_price_minor")?,
                new_price: money("new_price_minor")?,
                lowest_30_days: money("lowest_30d_minor")?,
                confirm_token: row.try_get("confirm_token")?,
                locale: row.try_get("locale")?,
                attempts: row.try_get("attempts")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// Extends `worker`'s lease on a notice it is about to send; `false` when the notice is no longer its to send
/// (another worker claimed it after the lease ran out, or it was delivered or withdrawn meanwhile).
pub async fn renew(
    db: &Db,
    notice_id: i64,
    worker: &str,
    lease: Millis,
    now: Millis,
) -> Result<bool, StoreError> {
    let mut tx = db.write().await?;
    let renewed = sqlx::query(
        "UPDATE notices SET next_attempt_at = $1 WHERE id = $2 AND claimed_by = $3 AND status = 'queued'",
    )
    .bind(now + lease)
    .bind(notice_id)
    .bind(worker)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(renewed == 1)
}

/// Records a delivered notice. Only a notice still queued changes: a late duplicate report changes nothing.
pub async fn delivered(db: &Db, notice_id: i64, now: Millis) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE notices SET status = 'sent', sent_at = $1, last_error = NULL WHERE id = $2 AND status = 'queued'",
    )
    .bind(now)
    .bind(notice_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a failed attempt: the notice is tried again after a backoff (`jitter` in [-1, 1]), or marked failed
/// once it has used the store's attempts.
pub async fn delivery_failed(
    db: &Db,
    notice_id: i64,
    error: &str,
    policy: &AlertPolicy,
    jitter: f64,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    let attempts: Option<i64> =
        sqlx::query_scalar("SELECT attempts FROM notices WHERE id = $1 AND status = 'queued'")
            .bind(notice_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(attempts) = attempts {
        let status = if attempts >= policy.max_attempts {
            "failed"
        } else {
            "queued"
        };
        sqlx::query(
            "UPDATE notices SET status = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(now + super::rules::retry_delay(attempts - 1, jitter, policy))
        .bind(error.chars().take(500).collect::<String>())
        .bind(notice_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Queues failed notices (of `notice_ids`) for delivery again, from their first attempt, when the merchant has
/// mended what made them fail (a receiver that was down). Notices that are not failed are left as they are; returns
/// how many were queued.
pub async fn resend_failed(db: &Db, notice_ids: &[i64], now: Millis) -> Result<u64, StoreError> {
    let mut tx = db.write().await?;
    let ids = IdSet::new(&tx, notice_ids);
    let sql = format!(
        "UPDATE notices SET status = 'queued', attempts = 0, next_attempt_at = $1, last_error = NULL, \
         claimed_by = NULL WHERE status = 'failed' AND id IN (SELECT id FROM {})",
        ids.table("r", 2)
    );
    let queued = sqlx::query(&sql)
        .bind(now)
        .bind(ids.value())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(queued)
}

/// Records the first click on a notice's tracked link (its signature already checked); returns the product to
/// send the shopper to.
pub async fn clicked(db: &Db, notice_id: i64, now: Millis) -> Result<String, StoreError> {
    let mut tx = db.write().await?;
    let sku: String = sqlx::query_scalar(
        "SELECT p.sku FROM notices n JOIN alert_changes c ON c.id = n.change_id \
         JOIN products p ON p.id = c.product_id WHERE n.id = $1",
    )
    .bind(notice_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::not_found(Some("token".into()), "This link is not valid."))?;
    sqlx::query("UPDATE notices SET clicked_at = COALESCE(clicked_at, $1) WHERE id = $2")
        .bind(now)
        .bind(notice_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(sku)
}

/// Alerts and their notices per product, for the merchant: the products with the most live alerts first. Each
/// table is read once and counted per product, rather than once per count.
pub async fn merchant_report(db: &Db, limit: i64) -> Result<Vec<ProductAlertReport>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.sku, p.title, COALESCE(live.price_alerts, 0) AS price_alerts, \
         COALESCE(live.stock_alerts, 0) AS stock_alerts, COALESCE(told.sent, 0) AS sent, COALESCE(told.queued, 0) AS queued, \
         COALESCE(told.failed, 0) AS failed, COALESCE(told.clicked, 0) AS clicked FROM products p \
         LEFT JOIN (SELECT product_id, \
           CAST(SUM(CASE WHEN kind = 'price_drop' THEN 1 ELSE 0 END) AS BIGINT) AS price_alerts, \
           CAST(SUM(CASE WHEN kind = 'back_in_stock' THEN 1 ELSE 0 END) AS BIGINT) AS stock_alerts \
           FROM alerts WHERE status = 'active' GROUP BY product_id) live ON live.product_id = p.id \
         LEFT JOIN (SELECT c.product_id, \
           CAST(SUM(CASE WHEN c.kind <> 'confirm' AND n.status = 'sent' THEN 1 ELSE 0 END) AS BIGINT) AS sent, \
           CAST(SUM(CASE WHEN c.kind <> 'confirm' AND n.status = 'queued' THEN 1 ELSE 0 END) AS BIGINT) AS queued, \
           CAST(SUM(CASE WHEN c.kind <> 'confirm' AND n.status = 'failed' THEN 1 ELSE 0 END) AS BIGINT) AS failed, \
           CAST(SUM(CASE WHEN n.clicked_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS clicked \
           FROM alert_changes c JOIN notices n ON n.change_id = c.id GROUP BY c.product_id) told ON told.product_id = p.id \
         WHERE p.id IN (SELECT product_id FROM alerts UNION SELECT product_id FROM alert_changes) \
         ORDER BY COALESCE(live.price_alerts, 0) + COALESCE(live.stock_alerts, 0) DESC, COALESCE(told.sent, 0) DESC, p.sku \
         LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(ProductAlertReport {
                sku: row.try_get("sku")?,
                title: row.try_get("title")?,
                price_alerts: row.try_get("price_alerts")?,
                stock_alerts: row.try_get("stock_alerts")?,
                notices_sent: row.try_get("sent")?,
                notices_queued: row.try_get("queued")?,
                notices_failed: row.try_get("failed")?,
                notices_clicked: row.try_get("clicked")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The notices given up on, newest first, with the last error.
pub async fn failed_notices(db: &Db, limit: i64) -> Result<Vec<FailedNotice>, StoreError> {
    let rows = sqlx::query(
        "SELECT n.id, p.sku, n.channel, c.kind, n.attempts, n.last_error, n.created_at FROM notices n \
         JOIN alert_changes c ON c.id = n.change_id JOIN products p ON p.id = c.product_id \
         WHERE n.status = 'failed' ORDER BY n.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(FailedNotice {
                id: row.try_get("id")?,
                sku: row.try_get("sku")?,
                channel: row.try_get("channel")?,
                kind: row.try_get("kind")?,
                attempts: row.try_get("attempts")?,
                last_error: row.try_get("last_error")?,
                created_at: crate::kernel::time::to_rfc3339(row.try_get("created_at")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}
