//! The shopper's in-widget notices.

use super::*;

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
                kind: notice_kind(row.try_get("kind")?),
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
