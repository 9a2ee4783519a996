//! What the merchant sees of alerts: live alerts and notices per product, and deliveries that gave up.

use super::*;

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

/// The notices given to shoppers from `from` until `to` (not included): price drops, restocks and price rises
/// delivered to the inbox or by email, counted per kind, and what followed them ([`notice_credits`]). The
/// merchant's webhook copies and the guests' confirmation emails are not notices a shopper acted on, and are left
/// out. Whole days are read from their daily counts, what is left of the period from the notices themselves.
pub async fn notice_activity(
    db: &Db,
    from: Millis,
    to: Millis,
    currency: &str,
) -> Result<NoticeActivity, StoreError> {
    let span = DaySpan::of(from, to);
    let counted = format!(
        "SELECT CAST({kinds} AS BIGINT), CAST(SUM(notices) AS BIGINT), \
         CAST(SUM(CASE WHEN channel = 'email' THEN notices ELSE 0 END) AS BIGINT), \
         CAST(SUM(seen * notices) AS BIGINT), CAST(SUM(clicked * notices) AS BIGINT) FROM notices_per_day \
         WHERE status = 'sent' AND channel <> 'webhook' AND kind <> 'confirm' AND day >= $1 AND day < $2 \
         GROUP BY kind",
        kinds = kind_numbers("kind")
    );
    let raw = format!(
        "SELECT CAST({kinds} AS BIGINT), COUNT(*), \
         CAST(SUM(CASE WHEN n.channel = 'email' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
         CAST(SUM(CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END) AS BIGINT) \
         FROM notices n JOIN alert_changes c ON c.id = n.change_id \
         WHERE n.status = 'sent' AND n.channel <> 'webhook' AND c.kind <> 'confirm' \
         AND n.created_at >= $1 AND n.created_at < $2 GROUP BY c.kind",
        kinds = kind_numbers("c.kind")
    );
    let told = async {
        let mut rows = sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(&counted)
            .bind(span.first)
            .bind(span.end)
            .fetch_all(db.reader())
            .await?;
        for (start, stop) in &span.ends {
            rows.extend(
                sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(&raw)
                    .bind(start)
                    .bind(stop)
                    .fetch_all(db.reader())
                    .await?,
            );
        }
        Ok::<_, StoreError>(rows)
    };
    let (rows, credits) = futures::try_join!(told, notice_credits(db, from, to, currency))?;
    let tallies = per_kind(
        &rows,
        |row| row.0,
        |kind, rows| NoticeTally {
            kind,
            notices: rows.iter().map(|row| row.1).sum(),
            emailed: rows.iter().map(|row| row.2).sum(),
            seen: rows.iter().map(|row| row.3).sum(),
            clicked: rows.iter().map(|row| row.4).sum(),
        },
    );
    Ok(NoticeActivity { tallies, credits })
}

/// How many alerts of each kind shoppers set up from `from` until `to` (not included), and how many of those are
/// confirmed: a guest's alert waits for the double opt-in, a signed-in shopper's needs none.
pub async fn alerts_started(
    db: &Db,
    from: Millis,
    to: Millis,
) -> Result<Vec<AlertsStarted>, StoreError> {
    let span = DaySpan::of(from, to);
    let mut rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, CAST(SUM(alerts) AS BIGINT), CAST(SUM(confirmed * alerts) AS BIGINT) FROM alerts_per_day \
         WHERE day >= $1 AND day < $2 GROUP BY kind",
    )
    .bind(span.first)
    .bind(span.end)
    .fetch_all(db.reader())
    .await?;
    for (start, stop) in span.ends {
        rows.extend(
            sqlx::query_as::<_, (String, i64, i64)>(
                "SELECT kind, COUNT(*), CAST(SUM(CASE WHEN status = 'unconfirmed' OR \
                 (status = 'cancelled' AND email IS NOT NULL AND confirmed_at IS NULL) THEN 0 ELSE 1 END) AS BIGINT) \
                 FROM alerts WHERE created_at >= $1 AND created_at < $2 GROUP BY kind",
            )
            .bind(start)
            .bind(stop)
            .fetch_all(db.reader())
            .await?,
        );
    }
    Ok([AlertKind::PriceDrop, AlertKind::BackInStock]
        .into_iter()
        .map(|kind| {
            let (started, confirmed) = rows.iter().filter(|(name, _, _)| name == kind.name()).fold(
                (0, 0),
                |(started, confirmed), (_, more, confirmed_more)| {
                    (started + more, confirmed + confirmed_more)
                },
            );
            AlertsStarted {
                kind,
                started,
                confirmed,
            }
        })
        .collect())
}

/// Folds the notices' and alerts' daily counts ([`Db::fold_counts`]).
pub async fn fold_daily_counts(db: &Db) -> Result<(), StoreError> {
    db.fold_counts(
        "notices_per_day",
        "day, kind, channel, status, seen, clicked",
        "notices",
    )
    .await?;
    db.fold_counts("alerts_per_day", "day, kind, confirmed", "alerts")
        .await
}
