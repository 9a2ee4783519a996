//! The outbox: workers claim due notices under a lease, report them delivered or failed (retried with back-off), and a click on a notice's link is counted.

use super::*;

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

/// Extends `worker`'s lease on a notice it is about to send; `false` when the notice is no longer its to send.
pub async fn renew(
    db: &Db,
    notice_id: i64,
    worker: &str,
    lease: Millis,
    now: Millis,
) -> Result<bool, StoreError> {
    crate::store::outbox::renew(db, "notices", notice_id, worker, lease, now).await
}

/// Records a delivered notice; a late duplicate report changes nothing.
pub async fn delivered(db: &Db, notice_id: i64, now: Millis) -> Result<(), StoreError> {
    crate::store::outbox::sent(db, "notices", notice_id, now).await
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
        // Released, so that the outbox's state tells a notice waiting for its retry from one being sent.
        sqlx::query(
            "UPDATE notices SET status = $1, next_attempt_at = $2, last_error = $3, claimed_by = NULL \
             WHERE id = $4",
        )
        .bind(status)
        .bind(now + crate::alerts::rules::retry_delay(attempts - 1, jitter, policy))
        .bind(error.chars().take(500).collect::<String>())
        .bind(notice_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records that a notice can never be delivered (its address is suppressed, or was just refused for good): failed
/// at once, with no retry.
pub async fn delivery_refused(db: &Db, notice_id: i64, error: &str) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE notices SET status = 'failed', last_error = $1, claimed_by = NULL \
         WHERE id = $2 AND status = 'queued'",
    )
    .bind(error.chars().take(500).collect::<String>())
    .bind(notice_id)
    .execute(&mut *tx)
    .await?;
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
    .ok_or_else(|| {
        AppError::not_found(Some("token".into()), Translation::of("error.link_invalid"))
    })?;
    sqlx::query("UPDATE notices SET clicked_at = COALESCE(clicked_at, $1) WHERE id = $2")
        .bind(now)
        .bind(notice_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(sku)
}

/// Where one channel's undelivered notices stand, for the metrics an operator watches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxState {
    pub channel: String,
    /// Queued and due: waiting for a worker.
    pub due: i64,
    /// Leased by a worker that is sending them.
    pub in_flight: i64,
    /// Queued for later: a retry's back-off, or a price change's hover guard.
    pub waiting: i64,
    /// Given up after the store's attempts, until the merchant sends them again.
    pub failed: i64,
    /// How long the longest-due notice has been due, or nothing when none is.
    pub oldest_due: Option<Millis>,
}

/// The outbox's state per delivery channel (email, webhook) at `now`; a channel with nothing undelivered is absent.
pub async fn outbox_state(db: &Db, now: Millis) -> Result<Vec<OutboxState>, StoreError> {
    let rows = sqlx::query(
        "SELECT channel, \
         SUM(CASE WHEN status = 'queued' AND next_attempt_at <= $1 THEN 1 ELSE 0 END) AS due, \
         SUM(CASE WHEN status = 'queued' AND next_attempt_at > $1 AND claimed_by IS NOT NULL THEN 1 ELSE 0 END) \
           AS in_flight, \
         SUM(CASE WHEN status = 'queued' AND next_attempt_at > $1 AND claimed_by IS NULL THEN 1 ELSE 0 END) \
           AS waiting, \
         SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed, \
         MIN(CASE WHEN status = 'queued' AND next_attempt_at <= $1 THEN next_attempt_at END) AS first_due \
         FROM notices WHERE channel IN ('email', 'webhook') AND status IN ('queued', 'failed') \
         GROUP BY channel ORDER BY channel",
    )
    .bind(now)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let first_due: Option<Millis> = row.try_get("first_due")?;
            Ok(OutboxState {
                channel: row.try_get("channel")?,
                due: row.try_get("due")?,
                in_flight: row.try_get("in_flight")?,
                waiting: row.try_get("waiting")?,
                failed: row.try_get("failed")?,
                oldest_due: first_due.map(|at| now - at),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}
