//! What followed the notices: the orders of a notified product by its shopper, recorded as each order comes in
//! (`flows::notice_purchases` chooses the notice with [`crate::alerts::rules::followed_notice`]), and summed per
//! kind for a period of the merchant's figures.

use super::*;

/// `column` (a notice kind's name) as the kind's place in [`NoticeKind::ALL`]; a name no kind has is the last.
pub(super) fn kind_numbers(column: &str) -> String {
    let kinds: String = NoticeKind::ALL
        .iter()
        .enumerate()
        .map(|(index, kind)| format!(" WHEN '{}' THEN {index}", kind.name()))
        .collect();
    format!(
        "CASE {column}{kinds} ELSE {} END",
        NoticeKind::ALL.len() - 1
    )
}

/// One `T` per kind, in [`NoticeKind::ALL`]'s order, each made from the rows whose first column is the kind's
/// place there ([`kind_numbers`]): none when nothing counted that kind, several when a figure is read in parts.
pub(super) fn per_kind<R, T>(
    rows: &[R],
    place: impl Fn(&R) -> i64,
    made: impl Fn(NoticeKind, &[&R]) -> T,
) -> Vec<T> {
    NoticeKind::ALL
        .into_iter()
        .enumerate()
        .map(|(index, kind)| {
            let of_kind: Vec<&R> = rows
                .iter()
                .filter(|row| place(row) == index as i64)
                .collect();
            made(kind, &of_kind)
        })
        .collect()
}

/// The notices given to `shoppers` (row ids) from `from` until `to` (not included) that an order may follow: to
/// the inbox or by email, sent or still to send (an emailed notice shows in the inbox at once), not withdrawn nor
/// given up on, not the merchant's webhook copies nor guests' confirmation emails. Read by the notices' shopper
/// index. An email still to send that fails later takes its orders with it: the figures count sent notices only.
pub async fn notices_to(
    tx: &mut Tx,
    shoppers: &[i64],
    from: Millis,
    to: Millis,
) -> Result<Vec<NoticeGiven>, StoreError> {
    let set = IdSet::distinct(tx, shoppers.iter().copied());
    let rows: Vec<(i64, String, i64, i64, Millis)> = sqlx::query_as(&format!(
        "SELECT n.id, c.kind, n.shopper_id, c.product_id, n.created_at FROM {} CROSS JOIN notices n \
         JOIN alert_changes c ON c.id = n.change_id \
         WHERE n.shopper_id = s.id AND n.channel <> 'webhook' AND n.created_at >= $2 AND n.created_at < $3 \
         AND n.status IN ('queued', 'sent') AND c.kind <> 'confirm'",
        set.table("s", 1)
    ))
    .bind(set.value())
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, shopper, product, at)| {
            Some(NoticeGiven {
                id,
                kind: NoticeKind::from_name(&kind)?,
                shopper,
                product,
                at,
            })
        })
        .collect())
}

/// Records what followed each notice. An order's product is recorded once: a second record of it changes nothing.
pub async fn record_followed(tx: &mut Tx, followed: &[NoticeFollowed]) -> Result<(), StoreError> {
    for row in followed {
        sqlx::query(
            "INSERT INTO notice_purchases (order_id, product_id, notice_id, kind, noticed_at, purchases, \
             value_minor, currency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (order_id, product_id) DO NOTHING",
        )
        .bind(row.order)
        .bind(row.notice.product)
        .bind(row.notice.id)
        .bind(row.notice.kind.name())
        .bind(row.notice.at)
        .bind(row.purchases)
        .bind(row.value_minor)
        .bind(&row.currency)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Forgets what an order (its row id) was recorded as following: it was cancelled or refunded in full.
pub async fn withdraw_followed(tx: &mut Tx, order: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM notice_purchases WHERE order_id = $1")
        .bind(order)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What followed the notices given from `from` until `to` (not included), per kind: the products ordered in
/// `currency` after them, whenever the order came. A notice that was never sent (an email that failed) is followed
/// by nothing: its purchases are taken off the period's, found through the few notices not sent (SQLite joins in
/// the order written after `CROSS JOIN`; PostgreSQL plans it as any join).
pub async fn notice_credits(
    db: &Db,
    from: Millis,
    to: Millis,
    currency: &str,
) -> Result<Vec<NoticeCredit>, StoreError> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT CAST({} AS BIGINT), CAST(SUM(purchases) AS BIGINT), CAST(SUM(value_minor) AS BIGINT) FROM (\
         SELECT kind, purchases, value_minor FROM notice_purchases \
         WHERE noticed_at >= $1 AND noticed_at < $2 AND currency = $3 \
         UNION ALL \
         SELECT f.kind, -f.purchases, -f.value_minor FROM notices n CROSS JOIN notice_purchases f \
         WHERE f.notice_id = n.id AND n.status <> 'sent' AND f.noticed_at >= $1 AND f.noticed_at < $2 AND f.currency = $3) credited \
         GROUP BY kind",
        kind_numbers("kind")
    ))
    .bind(from)
    .bind(to)
    .bind(currency)
    .fetch_all(db.reader())
    .await?;
    Ok(per_kind(
        &rows,
        |row| row.0,
        |kind, rows| NoticeCredit {
            kind,
            purchases: rows.iter().map(|row| row.1).sum(),
            value_minor: rows.iter().map(|row| row.2).sum(),
        },
    ))
}
