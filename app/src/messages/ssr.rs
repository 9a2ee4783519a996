//! The messages' outbox: queued in the transaction of what caused them, claimed by delivery workers under a lease,
//! recorded sent or failed (retried at the time the worker's schedule says).

use super::rules::{Quiet, QuietHours};
use super::{
    MarketingConsent, MessageBody, MessageFact, MessageKind, Purpose, Suppression, Suppressions,
};
use crate::identity::ssr::{Addressee, addressees};
use crate::kernel::error::AppError;
use crate::kernel::ids::ShopperKey;
use crate::kernel::time::Millis;
use crate::store::{Db, StoreError, Tx, id_list};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// A message a worker is to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub id: i64,
    pub shopper: ShopperKey,
    /// The store's id of the shopper.
    pub shopper_id: String,
    /// By email, or to the merchant's webhook (a shopper who stopped opening marketing email).
    pub channel: Channel,
    pub email: String,
    /// The shopper's IANA time zone, when the store shared it (a marketing email's retry keeps their quiet hours).
    pub time_zone: Option<String>,
    pub locale: String,
    pub body: MessageBody,
    /// Delivery attempts started, this one included.
    pub attempts: i64,
}

/// How a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    /// The merchant's webhook, which carries it to the store's other channels.
    Webhook,
}

impl Channel {
    fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

mod preferences;
pub use preferences::{choose, preferences};

/// The store's rules for marketing email (`MessageKind::purpose`): who gets it before choosing, when it may go,
/// and how much of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketingRules {
    pub consent: MarketingConsent,
    /// The shopper's local night, which marketing email waits out; `None`: it goes at any hour.
    pub quiet_hours: Option<QuietHours>,
    /// At most this many marketing emails to one shopper in any 7 days; more are not sent. `None`: no cap.
    pub weekly_cap: Option<u32>,
    /// The IANA time zone of shoppers whose own the store did not share.
    pub time_zone: String,
    /// A shopper whose last this many marketing emails all went unopened gets no more of it by email; `None`
    /// when opens are not tracked (every email would look unopened).
    pub unopened_limit: Option<u32>,
    /// Whether the store has a webhook, which then carries their marketing messages instead.
    pub webhook: bool,
}

impl Default for MarketingRules {
    fn default() -> Self {
        MarketingRules {
            consent: MarketingConsent::default(),
            quiet_hours: Some(QuietHours::NIGHT),
            weekly_cap: Some(3),
            time_zone: "UTC".into(),
            unopened_limit: Some(5),
            webhook: false,
        }
    }
}

impl MarketingRules {
    /// When a marketing email queued at `now` for a shopper in `zone` (the store's when `None`) may go: now, or
    /// when their quiet hours end.
    pub fn send_at(&self, zone: Option<&str>, now: Millis) -> Millis {
        use jiff::tz::TimeZone;
        let Some(quiet) = self.quiet_hours else {
            return now;
        };
        let zone = zone
            .and_then(|zone| TimeZone::get(zone).ok())
            .or_else(|| TimeZone::get(&self.time_zone).ok())
            .unwrap_or(TimeZone::UTC);
        let Ok(instant) = jiff::Timestamp::from_millisecond(now.0) else {
            return now;
        };
        let local = instant.to_zoned(zone.clone());
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        let day = match quiet.at(minute) {
            Quiet::No => return now,
            Quiet::UntilToday => local.date(),
            Quiet::UntilTomorrow => match local.date().tomorrow() {
                Ok(day) => day,
                Err(_) => return now,
            },
        };
        let (hour, minute) = quiet.end_time();
        day.at(hour, minute, 0, 0)
            .to_zoned(zone)
            .map_or(now, |end| Millis(end.timestamp().as_millisecond()))
    }
}

/// Queues `body` for `shopper`, once per `dedupe_key` of its kind, as [`queue_many`] does; returns whether it was
/// queued.
pub async fn queue(
    tx: &mut Tx,
    shopper: ShopperKey,
    dedupe_key: &str,
    body: &MessageBody,
    marketing: &MarketingRules,
    now: Millis,
) -> Result<bool, StoreError> {
    let one = [NewMessage {
        shopper,
        dedupe_key: dedupe_key.to_owned(),
        body: body.clone(),
    }];
    Ok(queue_many(tx, &one, marketing, now).await? == 1)
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub shopper: ShopperKey,
    /// What it is about, once per kind.
    pub dedupe_key: String,
    pub body: MessageBody,
}

/// Rows per INSERT, each statement binding its rows as one JSON array (a statement of bound values per row cost
/// about 40 µs a message on SQLite, most of the queue's time).
const MESSAGES_PER_INSERT: usize = 5_000;

/// Queues each of `messages`, once per `dedupe_key` of its kind, in a few statements however many they are (a
/// day's review requests run to tens of thousands); returns how many were queued. A message is left out when its
/// shopper has no address or turned its kind off (marketing kinds follow `marketing.consent` until they choose);
/// a marketing message also when the shopper had `marketing.weekly_cap` of them in the last 7 days, and it waits
/// until their quiet hours end. A shopper who left their last `marketing.unopened_limit` marketing emails unopened
/// gets marketing messages through the store's webhook instead, or not at all when it has none.
pub async fn queue_many(
    tx: &mut Tx,
    messages: &[NewMessage],
    marketing: &MarketingRules,
    now: Millis,
) -> Result<u64, StoreError> {
    if messages.is_empty() {
        return Ok(0);
    }
    let to = addressees(tx, messages.iter().map(|message| message.shopper)).await?;
    queue_to(tx, messages, &to, marketing, now).await
}

/// [`queue_many`] for a caller that read the shoppers' addressees already (to write each message in its
/// recipient's language): a shopper missing from `to` has no address and gets nothing.
pub async fn queue_to(
    tx: &mut Tx,
    messages: &[NewMessage],
    to: &HashMap<ShopperKey, Addressee>,
    marketing: &MarketingRules,
    now: Millis,
) -> Result<u64, StoreError> {
    let mut keys: Vec<i64> = messages
        .iter()
        .filter(|message| to.contains_key(&message.shopper))
        .map(|message| message.shopper.0)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(0);
    }
    let mut refusing = HashSet::new();
    for kind in MessageKind::ALL {
        if messages.iter().any(|message| message.body.kind() == kind) {
            for shopper in preferences::refusing(tx, &keys, kind, marketing.consent).await? {
                refusing.insert((shopper, kind));
            }
        }
    }
    let marketed = |message: &NewMessage| message.body.kind().purpose() == Purpose::Marketing;
    let (mut this_week, mut counted) = match marketing.weekly_cap {
        Some(_) if messages.iter().any(marketed) => {
            let marketing: Vec<&NewMessage> = messages
                .iter()
                .filter(|message| marketed(message) && to.contains_key(&message.shopper))
                .collect();
            (
                marketing_this_week(tx, &keys, now).await?,
                already_queued(tx, &marketing).await?,
            )
        }
        _ => (HashMap::new(), HashSet::new()),
    };
    let unresponsive = match marketing.unopened_limit {
        Some(limit) if messages.iter().any(marketed) => {
            not_opening(tx, &keys, limit as usize).await?
        }
        _ => HashSet::new(),
    };
    let mut rows = Vec::with_capacity(messages.len());
    for message in messages {
        let Some(Addressee {
            email,
            locale,
            time_zone,
        }) = to.get(&message.shopper)
        else {
            continue;
        };
        if refusing.contains(&(message.shopper.0, message.body.kind())) {
            continue;
        }
        let mut send_at = now;
        let mut channel = Channel::Email;
        if marketed(message) {
            if unresponsive.contains(&message.shopper.0) {
                if !marketing.webhook {
                    continue;
                }
                channel = Channel::Webhook;
            }
            if let Some(cap) = marketing.weekly_cap {
                // A message queued already (or twice in this batch) is skipped: it would only conflict, and it
                // takes none of the week's room.
                if !counted.insert((message.body.kind().key(), message.dedupe_key.clone())) {
                    continue;
                }
                let sent = this_week.entry(message.shopper.0).or_default();
                if *sent >= i64::from(cap) {
                    continue;
                }
                *sent += 1;
            }
            // The store's other channels keep their own hours.
            if channel == Channel::Email {
                send_at = marketing.send_at(time_zone.as_deref(), now);
            }
        }
        let body = to_json(&message.body)?;
        rows.push((message, email, locale, body, send_at, channel));
    }
    let from = crate::store::Backend::of(tx).json_table(2);
    let sql = format!(
        "INSERT INTO messages (kind, dedupe_key, shopper_id, email, locale, body, status, next_attempt_at, \
         created_at, channel) SELECT j.value->>0, j.value->>1, CAST(j.value->>2 AS BIGINT), j.value->>3, \
         j.value->>4, j.value->>5, 'queued', CAST(j.value->>6 AS BIGINT), $1, j.value->>7 FROM {from} \
         WHERE TRUE ON CONFLICT (kind, dedupe_key) DO NOTHING"
    );
    let mut queued = 0;
    for chunk in rows.chunks(MESSAGES_PER_INSERT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(message, email, locale, body, send_at, channel)| {
                (
                    message.body.kind().key(),
                    &message.dedupe_key,
                    message.shopper.0,
                    email,
                    locale,
                    body,
                    send_at.0,
                    channel.key(),
                )
            })
            .collect();
        queued += sqlx::query(&sql)
            .bind(now)
            .bind(to_json(&values)?)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(queued)
}

/// `value` as JSON text, for a message's body or the rows of a statement.
fn to_json(value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| {
        tracing::error!(%error, "cannot write a message as JSON");
        StoreError::from(AppError::internal())
    })
}

/// Of `messages`, the kind and dedupe key of those queued already.
async fn already_queued(
    tx: &mut Tx,
    messages: &[&NewMessage],
) -> Result<HashSet<(&'static str, String)>, StoreError> {
    let pairs: Vec<(&str, &str)> = messages
        .iter()
        .map(|message| (message.body.kind().key(), message.dedupe_key.as_str()))
        .collect();
    let from = crate::store::Backend::of(tx).json_table(1);
    // CROSS JOIN: each pair sought in the unique key (kind, dedupe_key).
    let found: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT m.kind, m.dedupe_key FROM {from} CROSS JOIN messages m \
         WHERE m.kind = j.value->>0 AND m.dedupe_key = j.value->>1"
    ))
    .bind(to_json(&pairs)?)
    .fetch_all(&mut **tx)
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|(kind, dedupe_key)| Some((MessageKind::from_key(&kind)?.key(), dedupe_key)))
        .collect())
}

/// The keys of the marketing kinds, as an SQL list.
fn marketing_kinds() -> String {
    MessageKind::ALL
        .into_iter()
        .filter(|kind| kind.purpose() == Purpose::Marketing)
        .map(|kind| format!("'{}'", kind.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Of `shoppers`, those whose last `limit` marketing emails that carried the open-counting image were all
/// delivered and none opened (emails sent without it say nothing either way).
async fn not_opening(
    tx: &mut Tx,
    shoppers: &[i64],
    limit: usize,
) -> Result<HashSet<i64>, StoreError> {
    let set = crate::store::IdSet::new(tx, shoppers);
    // The weekly cap keeps each shopper's marketing email to a few a week: their history stays short.
    let rows: Vec<(i64, Option<Millis>)> = sqlx::query_as(&format!(
        "SELECT m.shopper_id, m.opened_at FROM {} CROSS JOIN messages m WHERE m.shopper_id = k.id \
         AND m.channel = 'email' AND m.status = 'sent' AND m.tracked = 1 AND m.kind IN ({}) \
         ORDER BY m.shopper_id, m.created_at DESC",
        set.table("k", 1),
        marketing_kinds()
    ))
    .bind(set.value())
    .fetch_all(&mut **tx)
    .await?;
    let mut latest: HashMap<i64, Vec<bool>> = HashMap::new();
    for (shopper, opened) in rows {
        let opens = latest.entry(shopper).or_default();
        if opens.len() < limit {
            opens.push(opened.is_some());
        }
    }
    Ok(latest
        .into_iter()
        .filter(|(_, opens)| {
            limit > 0 && opens.len() == limit && opens.iter().all(|opened| !opened)
        })
        .map(|(shopper, _)| shopper)
        .collect())
}

/// How many marketing emails each of `shoppers` had queued in the 7 days before `now` (failed ones left out).
async fn marketing_this_week(
    tx: &mut Tx,
    shoppers: &[i64],
    now: Millis,
) -> Result<HashMap<i64, i64>, StoreError> {
    let kinds = marketing_kinds();
    let set = crate::store::IdSet::new(tx, shoppers);
    Ok(sqlx::query_as::<_, (i64, i64)>(&format!(
        "SELECT m.shopper_id, COUNT(*) FROM {} CROSS JOIN messages m WHERE m.shopper_id = k.id \
         AND m.created_at > $2 AND m.kind IN ({kinds}) AND m.status <> 'failed' GROUP BY m.shopper_id",
        set.table("k", 1)
    ))
    .bind(set.value())
    .bind(now - Millis::days(7))
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .collect())
}

/// Takes back the message of `kind` queued under `dedupe_key` if it has not gone out yet (what it is about was
/// withdrawn); one being sent at this moment (leased by a worker) still goes, and keeps its record.
pub async fn withdraw(tx: &mut Tx, kind: &str, dedupe_key: &str) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM messages WHERE kind = $1 AND dedupe_key = $2 AND status = 'queued' AND claimed_by IS NULL",
    )
        .bind(kind)
        .bind(dedupe_key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// [`withdraw`] for every message of `kind` to one of `shoppers` whose key starts with `key_prefix` (the
/// price-drop emails of one product in some shoppers' carts, whichever change queued them). The messages are
/// found through their shoppers' index, so a price batch does not scan the outbox once per product; the prefix is
/// compared as it is, whatever the database's collation.
pub async fn withdraw_all(
    tx: &mut Tx,
    kind: &str,
    shoppers: &[ShopperKey],
    key_prefix: &str,
) -> Result<(), StoreError> {
    if shoppers.is_empty() {
        return Ok(());
    }
    let keys: Vec<i64> = shoppers.iter().map(|shopper| shopper.0).collect();
    let set = crate::store::IdSet::new(tx, &keys);
    // Driven from the shoppers (CROSS JOIN), so SQLite seeks each one's messages in their index rather than
    // guessing from a fresh outbox's missing statistics that the unique key is narrower.
    sqlx::query(&format!(
        "DELETE FROM messages WHERE id IN (SELECT m.id FROM {} CROSS JOIN messages m WHERE m.shopper_id = k.id \
         AND m.kind = $1 AND substr(m.dedupe_key, 1, length(CAST($3 AS TEXT))) = CAST($3 AS TEXT) \
         AND m.status = 'queued' AND m.claimed_by IS NULL)",
        set.table("k", 2)
    ))
    .bind(kind)
    .bind(set.value())
    .bind(key_prefix)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Claims up to `limit` due messages for `worker`, for `lease`: until then no other worker claims them, and if this
/// one dies they are due again when the lease runs out. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets workers claim
/// side by side.
pub async fn claim_due(
    db: &Db,
    limit: i64,
    worker: &str,
    lease: Millis,
    now: Millis,
) -> Result<Vec<OutgoingMessage>, StoreError> {
    let lock = match db.backend() {
        crate::store::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        crate::store::Backend::Sqlite => "",
    };
    let mut tx = db.write().await?;
    let claimed: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE messages SET attempts = attempts + 1, next_attempt_at = $1, claimed_by = $2 WHERE id IN \
         (SELECT id FROM messages WHERE status = 'queued' AND next_attempt_at <= $3 \
          ORDER BY next_attempt_at, id LIMIT $4 {lock}) RETURNING id"
    ))
    .bind(now + lease)
    .bind(worker)
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    if claimed.is_empty() {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT m.id, m.shopper_id, s.external_id, s.time_zone, m.channel, m.email, m.locale, m.body, m.attempts \
         FROM messages m JOIN shoppers s ON s.id = m.shopper_id WHERE m.id IN ({}) ORDER BY m.id",
        id_list(&claimed)
    ))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut messages = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let body = serde_json::from_str(&row.try_get::<String, _>("body")?).map_err(|error| {
            tracing::error!(message = id, %error, "cannot read a message's body");
            StoreError::from(AppError::internal())
        })?;
        messages.push(OutgoingMessage {
            id,
            shopper: row.try_get("shopper_id")?,
            shopper_id: row.try_get("external_id")?,
            channel: if row.try_get::<String, _>("channel")? == "webhook" {
                Channel::Webhook
            } else {
                Channel::Email
            },
            email: row.try_get("email")?,
            time_zone: row.try_get("time_zone")?,
            locale: row.try_get("locale")?,
            body,
            attempts: row.try_get("attempts")?,
        });
    }
    Ok(messages)
}

/// Extends `worker`'s lease on a message it is about to send; `false` when it is no longer its to send.
pub async fn renew(
    db: &Db,
    message_id: i64,
    worker: &str,
    lease: Millis,
    now: Millis,
) -> Result<bool, StoreError> {
    crate::store::outbox::renew(db, "messages", message_id, worker, lease, now).await
}

/// Records a sent message, and whether it carried the image that counts opens; a late duplicate report changes
/// nothing.
pub async fn delivered(
    db: &Db,
    message_id: i64,
    tracked: bool,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE messages SET status = 'sent', sent_at = $1, last_error = NULL, tracked = $2 \
         WHERE id = $3 AND status = 'queued'",
    )
    .bind(now)
    .bind(i64::from(tracked))
    .bind(message_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or marked failed when the worker gives up (`None`).
pub async fn delivery_failed(
    db: &Db,
    message_id: i64,
    error: &str,
    retry_at: Option<Millis>,
) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    let (status, next) = match retry_at {
        Some(at) => ("queued", Some(at)),
        None => ("failed", None),
    };
    sqlx::query(
        "UPDATE messages SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), last_error = $3, \
         claimed_by = NULL WHERE id = $4 AND status = 'queued'",
    )
    .bind(status)
    .bind(next)
    .bind(error.chars().take(500).collect::<String>())
    .bind(message_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that message `message_id`'s email was opened (its tracking image fetched), the first time only.
pub async fn opened(db: &Db, message_id: i64, now: Millis) -> Result<(), StoreError> {
    first_time(db, message_id, "opened_at", "opened_at = $1", now).await
}

/// Records that message `message_id`'s tracked link was followed, the first time only; a click is an open too
/// (mail programs that block images still follow links).
pub async fn clicked(db: &Db, message_id: i64, now: Millis) -> Result<(), StoreError> {
    let set = "clicked_at = $1, opened_at = COALESCE(opened_at, $1)";
    first_time(db, message_id, "clicked_at", set, now).await
}

/// Sets `column` of a message (with `set`) when it is still empty. Mail programs fetch the image each time the
/// email is shown and shoppers click twice: only the first time takes the writer.
async fn first_time(
    db: &Db,
    message_id: i64,
    column: &str,
    set: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let counted: Option<Option<Millis>> =
        sqlx::query_scalar(&format!("SELECT {column} FROM messages WHERE id = $1"))
            .bind(message_id)
            .fetch_optional(db.reader())
            .await?;
    if !matches!(counted, Some(None)) {
        return Ok(());
    }
    let mut tx = db.write().await?;
    sqlx::query(&format!(
        "UPDATE messages SET {set} WHERE id = $2 AND {column} IS NULL"
    ))
    .bind(now)
    .bind(message_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A message as [`message_activity`] reads it: kind, shopper, sent at, status, opened at, clicked at, channel.
type MessageRow = (
    String,
    i64,
    Option<Millis>,
    String,
    Option<Millis>,
    Option<Millis>,
    String,
);

/// Every message queued from `from` until `to` (not included), as the merchant's figures count them.
pub async fn message_activity(
    db: &Db,
    from: Millis,
    to: Millis,
) -> Result<Vec<MessageFact>, StoreError> {
    let rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT kind, shopper_id, sent_at, status, opened_at, clicked_at, channel FROM messages \
         WHERE created_at >= $1 AND created_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(kind, shopper, sent_at, status, opened_at, clicked_at, channel)| {
                Some(MessageFact {
                    kind: MessageKind::from_key(&kind)?,
                    shopper,
                    sent_at: sent_at.filter(|_| status == "sent"),
                    failed: status == "failed",
                    opened: opened_at.is_some(),
                    clicked: clicked_at.is_some(),
                    webhook: channel == "webhook",
                })
            },
        )
        .collect())
}

/// Where the messages' outbox stands, for the metrics an operator watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageOutbox {
    /// Queued and due: waiting for a worker.
    pub due: i64,
    /// Leased by a worker that is sending them.
    pub in_flight: i64,
    /// Queued for later: a retry after a failed attempt, or marketing held until the shopper's quiet hours end.
    pub waiting: i64,
    /// Given up after the store's attempts.
    pub failed: i64,
    /// How long the longest-due message has been due, or nothing when none is.
    pub oldest_due: Option<Millis>,
}

/// The messages' outbox at `now`.
pub async fn outbox_state(db: &Db, now: Millis) -> Result<MessageOutbox, StoreError> {
    let row = sqlx::query(
        "SELECT \
         COALESCE(SUM(CASE WHEN status = 'queued' AND next_attempt_at <= $1 THEN 1 ELSE 0 END), 0) AS due, \
         COALESCE(SUM(CASE WHEN status = 'queued' AND next_attempt_at > $1 AND claimed_by IS NOT NULL THEN 1 ELSE 0 END), 0) \
           AS in_flight, \
         COALESCE(SUM(CASE WHEN status = 'queued' AND next_attempt_at > $1 AND claimed_by IS NULL THEN 1 ELSE 0 END), 0) \
           AS waiting, \
         COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed, \
         MIN(CASE WHEN status = 'queued' AND next_attempt_at <= $1 THEN next_attempt_at END) AS first_due \
         FROM messages WHERE status IN ('queued', 'failed')",
    )
    .bind(now)
    .fetch_one(db.reader())
    .await?;
    let first_due: Option<Millis> = row.try_get("first_due")?;
    Ok(MessageOutbox {
        due: row.try_get("due")?,
        in_flight: row.try_get("in_flight")?,
        waiting: row.try_get("waiting")?,
        failed: row.try_get("failed")?,
        oldest_due: first_due.map(|at| now - at),
    })
}

/// Puts `email` on the store's suppression list, with the receiving server's `reason`; an address already on it keeps
/// its first reason and time.
pub async fn suppress(db: &Db, email: &str, reason: &str, now: Millis) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO email_suppressions (email, reason, suppressed_at) VALUES ($1, $2, $3) \
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(email.to_lowercase())
    .bind(reason.chars().take(500).collect::<String>())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When `email` was suppressed, if it is.
pub async fn suppressed_since(db: &Db, email: &str) -> Result<Option<Millis>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT suppressed_at FROM email_suppressions WHERE email = $1")
            .bind(email.to_lowercase())
            .fetch_optional(db.reader())
            .await?,
    )
}

/// `limit` addresses of the suppression list from `offset` on, the latest first (the caller bounds both).
pub async fn suppressions(db: &Db, limit: i64, offset: i64) -> Result<Suppressions, StoreError> {
    let rows: Vec<(String, String, Millis)> = sqlx::query_as(
        "SELECT email, reason, suppressed_at FROM email_suppressions \
         ORDER BY suppressed_at DESC, email LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM email_suppressions")
        .fetch_one(db.reader())
        .await?;
    Ok(Suppressions {
        suppressions: rows
            .into_iter()
            .map(|(email, reason, at)| Suppression {
                email,
                reason,
                suppressed_at: crate::kernel::time::to_rfc3339(at),
            })
            .collect(),
        total,
    })
}

/// Takes `email` off the suppression list (the shopper mended their address, or the store asked the receiving
/// server); an address not on it is a 404.
pub async fn lift_suppression(db: &Db, email: &str) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    let lifted = sqlx::query("DELETE FROM email_suppressions WHERE email = $1")
        .bind(email.to_lowercase())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if lifted == 0 {
        return Err(AppError::not_found(
            Some("email".into()),
            format!("\"{email}\" is not on the suppression list"),
        )
        .into());
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests;
