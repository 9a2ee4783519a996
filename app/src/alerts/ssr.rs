//! The alerts' SQL: subscriptions, the notices a price or stock change writes into the outbox (inside the
//! change's own transaction), the in-widget inbox, and the account's list of alerts.

use super::rules::{
    AlertPolicy, PriceWatch, cooled_down, price_drop_fires, restock_reach, validate_price_rule,
};
use super::{
    Alert, AlertKind, AlertStatus, AlertsStarted, FailedNotice, Inbox, Notice, NoticeActivity,
    NoticeCredit, NoticeFollowed, NoticeGiven, NoticeKind, NoticeTally, PriceRule,
    ProductAlertReport, ProductAlerts,
};
use crate::catalog::ssr::lowest_price_of_30_days;
use crate::identity::Viewer;
use crate::identity::ssr::{known_shopper, shopper_key};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::ids::ShopperKey;
use crate::kernel::money::Money;
use crate::kernel::time::{DaySpan, Millis};
use crate::kernel::validate;
use crate::store::{Db, IdSet, StoreError, Tx, id_list, is_unique_violation};
use sqlx::Row;

#[cfg(test)]
mod tests;

mod fan_out;
mod followed;
mod inbox;
mod outbox;
mod reports;
mod subscriptions;
pub use fan_out::*;
pub use followed::*;
pub use inbox::*;
pub use outbox::*;
pub use reports::*;
pub use subscriptions::*;

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

/// A notice's kind as the store writes it; the table's check allows no other.
fn notice_kind(name: String) -> NoticeKind {
    NoticeKind::from_name(&name).unwrap_or(NoticeKind::PriceDrop)
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
    AppError::not_found(
        Some("alert_id".into()),
        Translation::of("error.no_such_alert"),
    )
}

/// The shopper's row id for reads; guests and unknown shoppers have none.
async fn reading_shopper(db: &Db, viewer: &Viewer) -> Result<Option<ShopperKey>, sqlx::Error> {
    match viewer {
        Viewer::Shopper(external) => shopper_key(db.reader(), external).await,
        Viewer::Guest(_) => Ok(None),
    }
}
