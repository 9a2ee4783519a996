//! Alerts as shoppers set them up: subscribing (with a guest's confirmation), cancelling, unsubscribing, moving a guest's alerts at sign-in, and what a shopper sees of their own.

use super::fan_out::{AlertChange, Recipients, queue_notices, record_change};
use super::*;

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

async fn subscriber(
    tx: &mut Tx,
    viewer: &Viewer,
    email: Option<&str>,
    policy: &AlertPolicy,
) -> Result<Subscriber, StoreError> {
    match viewer {
        Viewer::Shopper(external) => Ok(Subscriber::Shopper(known_shopper(tx, external).await?.0)),
        Viewer::Guest(_) if !policy.email => {
            Err(AppError::unauthorized(Translation::of("error.alerts_sign_in")).into())
        }
        Viewer::Guest(guest) => {
            let email = email
                .ok_or_else(|| AppError::invalid("email", Translation::of("error.alerts_email")))?;
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
    // Identical requests at once (two tabs, a double click): the one whose insert loses the race finds the
    // winner's alert on its second pass and answers with it, as a retry would.
    for _ in 0..2 {
        if let Some(alert) = try_subscribe(db, viewer, sku, request, locale, policy, now).await? {
            return Ok(alert);
        }
    }
    Err(AppError::conflict(Translation::of("error.alert_exists")).into())
}

/// One pass of [`subscribe`]; `None` when a concurrent request inserted the same alert first (its transaction is
/// then rolled back).
async fn try_subscribe(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    request: &AlertRequest,
    locale: &str,
    policy: &AlertPolicy,
    now: Millis,
) -> Result<Option<Alert>, StoreError> {
    let mut tx = db.write().await?;
    let product = sqlx::query(
        "SELECT id, price_minor, currency, stock FROM products WHERE sku = $1 AND active = TRUE",
    )
    .bind(sku)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        AppError::not_found(
            Some("sku".into()),
            Translation::of("error.product_unavailable"),
        )
    })?;
    let product_id: i64 = product.try_get("id")?;
    let price: i64 = product.try_get("price_minor")?;
    let currency: String = product.try_get("currency")?;
    let rule = match request.kind {
        AlertKind::PriceDrop => {
            validate_price_rule(&request.rule, price)?;
            request.rule
        }
        AlertKind::BackInStock if product.try_get::<i64, _>("stock")? > 0 => {
            return Err(AppError::conflict(Translation::of("error.in_stock")).into());
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
                Err(error) if is_unique_violation(&error) => return Ok(None),
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
    Ok(Some(alert))
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
            Translation::of("error.confirmation_link"),
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
    .ok_or_else(|| {
        AppError::not_found(
            Some("sku".into()),
            Translation::of("error.product_unavailable"),
        )
    })?;
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

/// Whether the shopper hears of price rises on what their wish lists hold.
pub async fn set_price_rise_notices(
    db: &Db,
    viewer: &Viewer,
    enabled: bool,
) -> Result<(), StoreError> {
    let Viewer::Shopper(external) = viewer else {
        return Err(AppError::unauthorized(Translation::of("error.notices_sign_in")).into());
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
