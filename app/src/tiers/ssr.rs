//! The tiers' SQL: the versioned rules, each member's held tier, recomputation when growth changes, the review
//! that applies downgrades, and the merchant's overview and rule preview.

use super::draft::RulesDraft;
use super::rules::{Growth, OrderFacts, PointsFacts, after_growth, after_review, standing};
use super::{
    CloseMember, MemberStanding, ReviewState, ReviewSummary, Tier, TierCount, TierMovesOfDay,
    TierPreview, TierRules, TiersOverview,
};
use crate::identity::ssr::shopper_key;
use crate::kernel::error::{AppError, Translation};
use crate::kernel::money::Money;
use crate::kernel::time::{DAY_MS, DaySpan, Millis, window_start};
use crate::store::{Backend, Db, StoreError, id_list, is_unique_violation, take_turns};
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::collections::HashMap;

/// Members a review handles in one transaction, so that the writer is never held for long.
const REVIEW_BATCH: usize = 500;
/// The PostgreSQL advisory lock a tier review holds.
const REVIEW_LOCK: i64 = 0x7469_6572_7300;
/// Members the merchant's "close to the next tier" list shows.
const CLOSE_LIST: i64 = 20;

/// What growth is computed from, per shopper row id.
type Facts = HashMap<i64, (Vec<OrderFacts>, Vec<PointsFacts>)>;

/// A member's stored tier, and the spend it was computed from.
struct Held {
    code: String,
    rank: i64,
    since: Millis,
    reviewed_at: Option<Millis>,
    spend_minor: i64,
    pending_minor: i64,
    rules_version: i64,
    computed_at: Millis,
}

/// What changed a member's growth, which decides how much of it is counted again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrowthChange {
    /// This order (its row id) was just recorded.
    NewOrder(i64),
    /// Only time passed: spend settled, or left the window.
    Elapsed,
    /// Something already counted changed value: a refund, a cancellation, a review award given or taken back.
    Revalued,
}

/// Spend is carried forward from the last computation when that is at most this old; older, it is counted anew.
const CARRY_LIMIT: Millis = Millis::days(30);

/// The rules in force and their version; the built-in defaults (version 0) until a merchant saves some.
pub async fn current_rules(conn: &mut AnyConnection) -> Result<(i64, TierRules), StoreError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT version, rules FROM tier_rules ORDER BY version DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        None => Ok((0, TierRules::default())),
        Some((version, json)) => serde_json::from_str(&json)
            .map(|rules| (version, rules))
            .map_err(|error| StoreError::Database(sqlx::Error::Decode(Box::new(error)))),
    }
}

/// The rules in force, read on their own.
pub async fn rules_in_force(db: &Db) -> Result<(i64, TierRules), StoreError> {
    current_rules(&mut *db.reader().acquire().await?).await
}

/// The member tier above the lowest that each of `shoppers` (row ids) holds, as their badges show it; members of
/// the lowest tier and non-members have none.
pub async fn badges_of(db: &Db, shoppers: &[i64]) -> Result<HashMap<i64, Tier>, StoreError> {
    if shoppers.is_empty() {
        return Ok(HashMap::new());
    }
    let mut conn = db.reader().acquire().await?;
    let (_, rules) = current_rules(&mut conn).await?;
    let held: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT shopper_id, tier FROM member_tiers WHERE shopper_id IN ({}) AND tier_rank > 0",
        id_list(shoppers)
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(held
        .into_iter()
        .filter_map(|(shopper, code)| {
            let rank = rules.rank_of(&code).filter(|rank| *rank > 0)?;
            Some((shopper, rules.tiers[rank].clone()))
        })
        .collect())
}

/// Each tier of the rules in force, lowest first, with its members (shopper row ids) as they stand now; a code no
/// longer in the rules is left out. The members come as one text per tier, not a row each: sqlx's `Any` driver
/// costs about 4 µs a row, and a store has a member for every buyer.
pub async fn members_by_tier(db: &Db) -> Result<Vec<(Tier, Vec<i64>)>, StoreError> {
    let joined = match db.backend() {
        Backend::Sqlite => "group_concat(shopper_id, ',')",
        Backend::Postgres => "string_agg(CAST(shopper_id AS TEXT), ',')",
    };
    let mut conn = db.reader().acquire().await?;
    let (_, rules) = current_rules(&mut conn).await?;
    let held: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT tier, {joined} FROM member_tiers GROUP BY tier"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rules
        .tiers
        .iter()
        .map(|tier| {
            let members = match held.iter().find(|(code, _)| *code == tier.code) {
                None => Vec::new(),
                Some((_, list)) => list
                    .split(',')
                    .map(|id| {
                        id.parse().map_err(|_| {
                            StoreError::from(sqlx::Error::Decode(
                                format!("a member read as {id:?}").into(),
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            };
            Ok((tier.clone(), members))
        })
        .collect()
}

/// Saves a rule set as the next version, after validating it. Members move to it as their growth changes and
/// at the next review.
pub async fn save_rules(
    db: &Db,
    rules: &TierRules,
    saved_by: &str,
    now: Millis,
) -> Result<i64, StoreError> {
    rules.validate()?;
    let json = serde_json::to_string(rules).map_err(|_| AppError::internal())?;
    let mut tx = db.write().await?;
    let version: i64 =
        sqlx::query_scalar("SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) FROM tier_rules")
            .fetch_one(&mut *tx)
            .await?;
    let saved = sqlx::query(
        "INSERT INTO tier_rules (version, rules, saved_by, saved_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(version)
    .bind(json)
    .bind(saved_by)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match saved {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => {
            return Err(AppError::conflict(Translation::of("error.tiers_saved_elsewhere")).into());
        }
        Err(error) => return Err(error.into()),
    }
    tx.commit().await?;
    Ok(version)
}

/// The orders and review points behind the growth of `shoppers` (everyone when `None`) since `since`.
async fn facts(
    conn: &mut AnyConnection,
    shoppers: Option<&[i64]>,
    since: Millis,
) -> Result<Facts, sqlx::Error> {
    let only = shoppers.map_or_else(String::new, |ids| {
        format!("AND shopper_id IN ({})", id_list(ids))
    });
    let mut facts = Facts::new();
    let orders = sqlx::query(&format!(
        "SELECT shopper_id, placed_at, currency, subtotal_minor, shipping_minor, tax_minor, refunded_minor, status \
         FROM orders WHERE placed_at > $1 {only}"
    ))
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    for row in orders {
        facts
            .entry(row.try_get("shopper_id")?)
            .or_default()
            .0
            .push(OrderFacts {
                placed_at: row.try_get("placed_at")?,
                currency: row.try_get("currency")?,
                subtotal_minor: row.try_get("subtotal_minor")?,
                shipping_minor: row.try_get("shipping_minor")?,
                tax_minor: row.try_get("tax_minor")?,
                refunded_minor: row.try_get("refunded_minor")?,
                cancelled: row.try_get::<String, _>("status")? == "cancelled",
            });
    }
    let awards = sqlx::query(&format!(
        "SELECT shopper_id, awarded_at, month, points FROM review_points \
         WHERE revoked_at IS NULL AND awarded_at > $1 {only}"
    ))
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    for row in awards {
        facts
            .entry(row.try_get("shopper_id")?)
            .or_default()
            .1
            .push(PointsFacts {
                awarded_at: row.try_get("awarded_at")?,
                month: row.try_get("month")?,
                points: row.try_get("points")?,
            });
    }
    Ok(facts)
}

async fn held(conn: &mut AnyConnection, shopper: i64) -> Result<Option<Held>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT tier, tier_rank, since, reviewed_at, spend_minor, pending_minor, rules_version, computed_at \
         FROM member_tiers WHERE shopper_id = $1",
    )
    .bind(shopper)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(Held {
            code: row.try_get("tier")?,
            rank: row.try_get("tier_rank")?,
            since: row.try_get("since")?,
            reviewed_at: row.try_get("reviewed_at")?,
            spend_minor: row.try_get("spend_minor")?,
            pending_minor: row.try_get("pending_minor")?,
            rules_version: row.try_get("rules_version")?,
            computed_at: row.try_get("computed_at")?,
        })
    })
    .transpose()
}

/// Where a stored tier sits in `rules`: by its code, or by its old place when a later version dropped the code.
fn rank_in(rules: &TierRules, held: &Held) -> usize {
    rules
        .rank_of(&held.code)
        .unwrap_or_else(|| (held.rank.max(0) as usize).min(rules.tiers.len() - 1))
}

/// Writes a member's tier, and the change when there is one.
#[allow(clippy::too_many_arguments)]
async fn store_tier(
    conn: &mut AnyConnection,
    shopper: i64,
    before: Option<&Held>,
    (version, rules): (i64, &TierRules),
    rank: usize,
    growth: &Growth,
    reviewed_at: Option<Millis>,
    reason: &str,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let code = &rules.tier(rank).code;
    let changed = before.is_none_or(|held| &held.code != code);
    let since = match before {
        Some(held) if !changed => held.since,
        _ => now,
    };
    let statement = if before.is_some() {
        "UPDATE member_tiers SET tier = $2, tier_rank = $3, growth_minor = $4, pending_minor = $5, rules_version = $6, \
         since = $7, reviewed_at = $8, computed_at = $9, spend_minor = $10 WHERE shopper_id = $1"
    } else {
        "INSERT INTO member_tiers (shopper_id, tier, tier_rank, growth_minor, pending_minor, rules_version, since, \
         reviewed_at, computed_at, spend_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    };
    sqlx::query(statement)
        .bind(shopper)
        .bind(code)
        .bind(rank as i64)
        .bind(growth.value())
        .bind(growth.pending_minor)
        .bind(version)
        .bind(since)
        .bind(reviewed_at.or(before.and_then(|held| held.reviewed_at)))
        .bind(now)
        .bind(growth.spend_minor)
        .execute(&mut *conn)
        .await?;
    // A first row for a member still in the lowest tier is not a change worth recording.
    if changed && (before.is_some() || rank > 0) {
        sqlx::query(
            "INSERT INTO tier_changes (shopper_id, from_tier, to_tier, reason, rules_version, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(shopper)
        .bind(before.map(|held| held.code.clone()))
        .bind(code)
        .bind(reason)
        .bind(version)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The counted spend of a member's orders placed in `from..=to` (`from` excluded), leaving out the order
/// `except` (a row id; 0 for none).
async fn spend_between(
    conn: &mut AnyConnection,
    rules: &TierRules,
    shopper: i64,
    (from, to): (Millis, Millis),
    except: i64,
) -> Result<i64, sqlx::Error> {
    if to <= from {
        return Ok(0);
    }
    sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE(SUM({}), 0) AS BIGINT) FROM orders \
         WHERE shopper_id = $1 AND placed_at > $2 AND placed_at <= $3 AND id <> $4",
        rules.counted_spend_sql()
    ))
    .bind(shopper)
    .bind(from)
    .bind(to)
    .bind(except)
    .fetch_one(&mut *conn)
    .await
}

/// Settled and pending spend at `now`, carried forward from the member's last computation: what settled or
/// left the window since, and the new order. A few orders are read instead of a year's, which matters for buyers
/// with thousands. `None` when it must be counted anew: something counted changed value, the rules changed, or
/// the last computation is too old (or in the future).
async fn carried_forward(
    conn: &mut AnyConnection,
    (version, rules): (i64, &TierRules),
    shopper: i64,
    held: &Held,
    change: GrowthChange,
    now: Millis,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let then = held.computed_at;
    if change == GrowthChange::Revalued
        || held.rules_version != version
        || now < then
        || now - then > CARRY_LIMIT
    {
        return Ok(None);
    }
    let except = match change {
        GrowthChange::NewOrder(order) => order,
        _ => 0,
    };
    let window = rules.window_days * DAY_MS;
    let returns = rules.return_window_days * DAY_MS;
    // Spend that finished its return window, spend that left the growth window, and orders placed since (a
    // store may report an order late), all among the orders known at the last computation.
    let settled = spend_between(
        conn,
        rules,
        shopper,
        (then - returns, now - returns),
        except,
    )
    .await?;
    let left = spend_between(conn, rules, shopper, (then - window, now - window), except).await?;
    let arrived = spend_between(conn, rules, shopper, (then, now), except).await?;
    let mut spend = held.spend_minor + settled - left;
    let mut pending = held.pending_minor + arrived - settled;
    if let GrowthChange::NewOrder(order) = change {
        let (placed_at, counted): (Millis, i64) = sqlx::query_as(&format!(
            "SELECT placed_at, CAST({} AS BIGINT) FROM orders WHERE id = $1",
            rules.counted_spend_sql()
        ))
        .bind(order)
        .fetch_one(&mut *conn)
        .await?;
        if placed_at > now - window && placed_at <= now - returns {
            spend += counted;
        } else if placed_at > now - returns && placed_at <= now {
            pending += counted;
        }
    }
    Ok(Some((spend, pending)))
}

/// A member's growth at `at`, added up by the database over the whole window: spend past its return window,
/// spend inside it, and review points. `at` may lie ahead (the next review), counting what is known today.
async fn growth_at(
    conn: &mut AnyConnection,
    rules: &TierRules,
    shopper: i64,
    at: Millis,
) -> Result<Growth, sqlx::Error> {
    let settles_by = at - rules.return_window_days * DAY_MS;
    let start = window_start(at, rules.window_days);
    let mut growth = Growth {
        spend_minor: spend_between(conn, rules, shopper, (start, settles_by), 0).await?,
        pending_minor: spend_between(conn, rules, shopper, (settles_by.max(start), at), 0).await?,
        ..Growth::default()
    };
    add_activity(conn, rules, shopper, &mut growth, at).await?;
    Ok(growth)
}

/// Review points of the window that ends at `at`, capped per month, added to `growth`.
async fn add_activity(
    conn: &mut AnyConnection,
    rules: &TierRules,
    shopper: i64,
    growth: &mut Growth,
    at: Millis,
) -> Result<(), sqlx::Error> {
    let monthly: Vec<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(points) AS BIGINT) FROM review_points \
         WHERE shopper_id = $1 AND revoked_at IS NULL AND awarded_at > $2 AND awarded_at <= $3 GROUP BY month",
    )
    .bind(shopper)
    .bind(window_start(at, rules.window_days))
    .bind(at)
    .fetch_all(&mut *conn)
    .await?;
    rules.add_activity(growth, monthly);
    Ok(())
}

/// Brings one member's tier up to date after their growth changed, inside the transaction that changed it: up
/// at once, never down. Spend is carried forward from the last computation when `change` allows.
pub async fn recompute(
    tx: &mut Transaction<'static, Any>,
    shopper: i64,
    change: GrowthChange,
    now: Millis,
) -> Result<(), StoreError> {
    let conn: &mut AnyConnection = tx;
    // Two orders of one member at once take turns, so that each carries the other's spend forward and a new
    // member's first two orders store one tier between them (the member's row may not exist yet).
    take_turns(conn, "shoppers", &[shopper]).await?;
    let (version, rules) = current_rules(conn).await?;
    let before = held(conn, shopper).await?;
    let carried = match &before {
        Some(held) => carried_forward(conn, (version, &rules), shopper, held, change, now).await?,
        None => None,
    };
    let growth = match carried {
        Some((spend_minor, pending_minor)) => {
            let mut growth = Growth {
                spend_minor,
                pending_minor,
                ..Growth::default()
            };
            add_activity(conn, &rules, shopper, &mut growth, now).await?;
            growth
        }
        None => growth_at(conn, &rules, shopper, now).await?,
    };
    let held_rank = before.as_ref().map_or(0, |held| rank_in(&rules, held));
    let rank = after_growth(held_rank, rules.qualified(growth.value()));
    // A new member joins after the last review date: the next review is the first that can lower their tier.
    let reviewed_at = before.is_none().then(|| rules.reviews_around(now).0);
    store_tier(
        conn,
        shopper,
        before.as_ref(),
        (version, &rules),
        rank,
        &growth,
        reviewed_at,
        "growth",
        now,
    )
    .await?;
    Ok(())
}

/// Where a shopper stands, for their widget and the store's checkout: a few sums over the shopper's index
/// ranges, since the header's badge asks on every page. An unknown shopper is an error.
pub async fn standing_of(
    db: &Db,
    shopper_id: &str,
    now: Millis,
) -> Result<MemberStanding, StoreError> {
    let mut conn = db.reader().acquire().await?;
    let shopper = shopper_key(&mut *conn, shopper_id).await?.ok_or_else(|| {
        AppError::not_found(
            Some("shopper_id".into()),
            format!("unknown shopper \"{shopper_id}\""),
        )
    })?;
    let (version, rules) = current_rules(&mut conn).await?;
    let growth = growth_at(&mut conn, &rules, shopper.0, now).await?;
    let at_review = growth_at(&mut conn, &rules, shopper.0, rules.reviews_around(now).1).await?;
    let held = held(&mut conn, shopper.0)
        .await?
        .map(|held| (rank_in(&rules, &held), held.since));
    Ok(standing(&rules, version, held, growth, at_review, now))
}

/// Applies the last review date to every member not yet reviewed on it: tiers follow the growth at the review
/// (up, or down by one at most), and never fall below what today's growth reaches. Shoppers with growth but no
/// stored tier yet (orders from before tiers existed) are placed too. Runs in batches; safe to run again.
pub async fn review(db: &Db, now: Millis) -> Result<ReviewSummary, StoreError> {
    let mut summary = ReviewSummary::default();
    loop {
        let mut tx = db.write().await?;
        if !hold_review_lock(db, &mut tx).await? {
            return Ok(summary);
        }
        let conn: &mut AnyConnection = &mut tx;
        let (version, rules) = current_rules(conn).await?;
        let (review_at, _) = rules.reviews_around(now);
        // Growth is needed at the review date and today; the review's window starts first.
        let since = window_start(review_at, rules.window_days);
        let due: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT shopper_id FROM member_tiers WHERE reviewed_at IS NULL OR reviewed_at < $1 \
             UNION SELECT DISTINCT o.shopper_id FROM orders o WHERE o.placed_at > $2 \
             AND NOT EXISTS (SELECT 1 FROM member_tiers m WHERE m.shopper_id = o.shopper_id) \
             ORDER BY 1 LIMIT {REVIEW_BATCH}"
        ))
        .bind(review_at)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        if due.is_empty() {
            tx.rollback().await?;
            return Ok(summary);
        }
        // An order's recomputation of one of these members and the review take turns, as two orders do.
        take_turns(conn, "shoppers", &due).await?;
        let mut facts = facts(conn, Some(&due), since).await?;
        for shopper in due {
            let (orders, points) = facts.remove(&shopper).unwrap_or_default();
            let before = held(conn, shopper).await?;
            let held_rank = before.as_ref().map_or(0, |held| rank_in(&rules, held));
            let at_review = rules.qualified(rules.growth(&orders, &points, review_at).value());
            let growth = rules.growth(&orders, &points, now);
            let rank = after_review(held_rank, at_review).max(rules.qualified(growth.value()));
            summary.reviewed += 1;
            if before.is_some() && rank > held_rank {
                summary.moved_up += 1;
            }
            if rank < held_rank {
                summary.moved_down += 1;
            }
            store_tier(
                conn,
                shopper,
                before.as_ref(),
                (version, &rules),
                rank,
                &growth,
                Some(review_at),
                "review",
                now,
            )
            .await?;
        }
        tx.commit().await?;
        tracing::info!(
            reviewed = summary.reviewed,
            moved_up = summary.moved_up,
            moved_down = summary.moved_down,
            "tier review: a batch of members done"
        );
    }
}

/// Where the tier reviews stand at `now`, for the metrics an operator watches: the last review date and the
/// members not yet reviewed on it (the periodic review works them off in batches).
pub async fn review_state(db: &Db, now: Millis) -> Result<ReviewState, StoreError> {
    let mut conn = db.reader().acquire().await?;
    let (_, rules) = current_rules(&mut conn).await?;
    let (last_review_at, _) = rules.reviews_around(now);
    let awaiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM member_tiers WHERE reviewed_at IS NULL OR reviewed_at < $1",
    )
    .bind(last_review_at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ReviewState {
        last_review_at,
        awaiting,
    })
}

/// Moves up the members whose pending spend finished its return window since their tier was last computed:
/// time passing changed their growth, and no order or refund arrives to say so. Returns how many were
/// recomputed.
pub async fn settle(db: &Db, now: Millis) -> Result<i64, StoreError> {
    let mut settled = 0;
    loop {
        let mut tx = db.write().await?;
        if !hold_review_lock(db, &mut tx).await? {
            return Ok(settled);
        }
        let (_, rules) = current_rules(&mut tx).await?;
        let return_window = Millis::days(rules.return_window_days);
        if return_window == Millis::ZERO {
            tx.rollback().await?;
            return Ok(settled);
        }
        // An order settles at placed_at + return_window: due when that fell after the last computation.
        let due: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT m.shopper_id FROM member_tiers m JOIN orders o ON o.shopper_id = m.shopper_id \
             WHERE o.placed_at > m.computed_at - {window} AND o.placed_at <= $1 \
             ORDER BY 1 LIMIT {REVIEW_BATCH}",
            window = return_window.0
        ))
        .bind(now - return_window)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            // Ends the transaction now, releasing the lock: a dropped one would roll back only later.
            tx.rollback().await?;
            return Ok(settled);
        }
        // The batch's members are locked before any of them moves, as the review's are: an order's recomputation
        // of one of them then waits here rather than holding its member while the batch holds the day's count of
        // moves (migration 0030), which would deadlock on PostgreSQL.
        take_turns(&mut tx, "shoppers", &due).await?;
        for shopper in due {
            recompute(&mut tx, shopper, GrowthChange::Elapsed, now).await?;
            settled += 1;
        }
        tx.commit().await?;
    }
}

/// On PostgreSQL several instances may run the periodic tier work at once: one works, the others find it busy
/// and leave it. (SQLite's one writer already takes them in turn.)
async fn hold_review_lock(
    db: &Db,
    tx: &mut Transaction<'static, Any>,
) -> Result<bool, sqlx::Error> {
    if db.backend() != Backend::Postgres {
        return Ok(true);
    }
    sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(REVIEW_LOCK)
        .fetch_one(&mut **tx)
        .await
}

/// The moves between tiers since `from`, per UTC day, from and to tier, and whether a periodic review made them:
/// from the daily counts the database keeps (migration 0030), and from the moves themselves for the part of
/// `from`'s day after it when `from` is not a midnight.
pub async fn tier_moves_since(db: &Db, from: Millis) -> Result<Vec<TierMovesOfDay>, StoreError> {
    // Every day from `from` on: the span's end is as far as a day number goes, so only its start can be ragged.
    // Its end is bound all the same: an empty span (a start past that end) then reads no day.
    let span = DaySpan::of(from, Millis::days(i64::MAX / DAY_MS.0));
    let mut rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT day, from_tier, to_tier, reason, CAST(SUM(members) AS BIGINT) FROM tier_moves_per_day \
         WHERE day >= $1 AND day < $2 GROUP BY day, from_tier, to_tier, reason HAVING SUM(members) > 0",
    )
    .bind(span.first)
    .bind(span.end)
    .fetch_all(db.reader())
    .await?;
    for (start, stop) in span.ends {
        rows.extend(
            sqlx::query_as::<_, (i64, String, String, String, i64)>(
                "SELECT changed_at / 86400000, COALESCE(from_tier, ''), to_tier, reason, COUNT(*) FROM tier_changes \
                 WHERE changed_at >= $1 AND changed_at < $2 \
                 GROUP BY changed_at / 86400000, COALESCE(from_tier, ''), to_tier, reason",
            )
            .bind(start)
            .bind(stop)
            .fetch_all(db.reader())
            .await?,
        );
    }
    Ok(rows
        .into_iter()
        .map(|(day, from, to, reason, members)| TierMovesOfDay {
            day,
            // A first tier is kept as an empty name in the counts.
            from: Some(from).filter(|from| !from.is_empty()),
            to,
            at_review: reason == "review",
            members,
        })
        .collect())
}

/// The current rules, and every shopper per tier held under them: shoppers without a stored tier hold the lowest,
/// and a tier a later rule set dropped counts where its members now sit.
pub async fn members_per_tier(db: &Db) -> Result<(TierRules, Vec<TierCount>), StoreError> {
    let mut conn = db.reader().acquire().await?;
    let (_, rules) = current_rules(&mut conn).await?;
    let distribution = distribution(&mut conn, &rules).await?;
    Ok((rules, distribution))
}

async fn distribution(
    conn: &mut AnyConnection,
    rules: &TierRules,
) -> Result<Vec<TierCount>, StoreError> {
    let shoppers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shoppers")
        .fetch_one(&mut *conn)
        .await?;
    let held: Vec<(String, i64)> =
        sqlx::query_as("SELECT tier, COUNT(*) FROM member_tiers GROUP BY tier")
            .fetch_all(&mut *conn)
            .await?;
    let mut distribution: Vec<TierCount> = rules
        .tiers
        .iter()
        .map(|tier| TierCount {
            code: tier.code.clone(),
            members: 0,
        })
        .collect();
    let mut stored = 0;
    for (code, members) in held {
        stored += members;
        let rank = rules.rank_of(&code).unwrap_or(0);
        distribution[rank].members += members;
    }
    distribution[0].members += shoppers - stored;
    Ok(distribution)
}

/// Every shopper per tier held ([`members_per_tier`]), and the members closest to their next tier.
pub async fn overview(db: &Db) -> Result<TiersOverview, StoreError> {
    let mut conn = db.reader().acquire().await?;
    let (version, rules) = current_rules(&mut conn).await?;
    let distribution = distribution(&mut conn, &rules).await?;
    // The next tier's threshold per held tier, written into the statement from the validated rules.
    let next_of = |column: &str| {
        let arms: String = rules
            .tiers
            .windows(2)
            .map(|pair| format!(" WHEN '{}' THEN {}", pair[0].code, pair[1].threshold_minor))
            .collect();
        format!("CASE {column}{arms} END")
    };
    let close = if rules.tiers.len() < 2 {
        Vec::new()
    } else {
        let next = next_of("m.tier");
        sqlx::query(&format!(
            "SELECT s.external_id, s.display_name, m.tier, m.growth_minor, {next} AS next_minor \
             FROM member_tiers m JOIN shoppers s ON s.id = m.shopper_id \
             WHERE {next} IS NOT NULL AND m.growth_minor < {next} AND m.growth_minor * 5 >= {next} * 4 \
             ORDER BY {next} - m.growth_minor, s.external_id LIMIT {CLOSE_LIST}"
        ))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            let tier: String = row.try_get("tier")?;
            let growth: i64 = row.try_get("growth_minor")?;
            let next_minor: i64 = row.try_get("next_minor")?;
            let rank = rules.rank_of(&tier).unwrap_or(0);
            Ok(CloseMember {
                shopper_id: row.try_get("external_id")?,
                display_name: row.try_get("display_name")?,
                next: rules.tier(rank + 1).code.clone(),
                tier,
                growth: Money::new(growth, &rules.currency),
                to_next: Money::new(next_minor - growth, &rules.currency),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?
    };
    Ok(TiersOverview {
        rules_version: version,
        rules,
        distribution,
        close,
    })
}

/// What `proposed` would do to today's members if saved now: each member's held tier mapped onto the proposed
/// tiers (by code, else the highest proposed tier whose threshold the held one reaches), then moved as the
/// proposed rules would move it by the next review. Nothing is written.
pub async fn preview(
    db: &Db,
    proposed: &TierRules,
    now: Millis,
) -> Result<TierPreview, StoreError> {
    proposed.validate()?;
    let mut conn = db.reader().acquire().await?;
    let (_, rules) = current_rules(&mut conn).await?;
    let shoppers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shoppers")
        .fetch_one(&mut *conn)
        .await?;
    let (_, review_at) = proposed.reviews_around(now);
    let mut facts = facts(&mut conn, None, window_start(now, proposed.window_days)).await?;
    let stored: Vec<(i64, String)> = sqlx::query_as("SELECT shopper_id, tier FROM member_tiers")
        .fetch_all(&mut *conn)
        .await?;
    let map_held = |code: &str| {
        proposed.rank_of(code).unwrap_or_else(|| {
            let threshold = rules
                .rank_of(code)
                .map_or(0, |rank| rules.tier(rank).threshold_minor);
            proposed.qualified(threshold)
        })
    };
    let mut held: HashMap<i64, usize> = stored
        .iter()
        .map(|(shopper, code)| (*shopper, map_held(code)))
        .collect();
    for shopper in facts.keys() {
        held.entry(*shopper).or_insert(0);
    }
    let count = |ranks: &mut dyn Iterator<Item = usize>| {
        let mut counts: Vec<TierCount> = proposed
            .tiers
            .iter()
            .map(|tier| TierCount {
                code: tier.code.clone(),
                members: 0,
            })
            .collect();
        for rank in ranks {
            counts[rank].members += 1;
        }
        counts[0].members += shoppers - held.len() as i64;
        counts
    };
    let mut moved = Vec::with_capacity(held.len());
    for (shopper, rank) in &held {
        let (orders, points) = facts.remove(shopper).unwrap_or_default();
        let today = proposed.qualified(proposed.growth(&orders, &points, now).value());
        let at_review = proposed.qualified(proposed.growth(&orders, &points, review_at).value());
        moved.push((*rank, after_review(*rank, at_review).max(today)));
    }
    Ok(TierPreview {
        members: shoppers,
        before: count(&mut moved.iter().map(|(before, _)| *before)),
        after: count(&mut moved.iter().map(|(_, after)| *after)),
        moving_up: moved
            .iter()
            .filter(|(before, after)| after > before)
            .count() as i64,
        moving_down: moved
            .iter()
            .filter(|(before, after)| after < before)
            .count() as i64,
    })
}

#[cfg(test)]
mod tests;

/// How long a draft of the tiers page is kept after it was made.
const DRAFT_KEPT: Millis = Millis::days(7);

/// Keeps a draft of the tiers page for `merchant` and returns its id; drafts older than a week go.
pub async fn keep_draft(
    db: &Db,
    merchant: &str,
    draft: &RulesDraft,
    preview: bool,
    now: Millis,
) -> Result<String, StoreError> {
    let id = format!("{:032x}", rand::random::<u128>());
    let fields = serde_json::to_string(draft).map_err(|_| AppError::internal())?;
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM tier_rule_drafts WHERE created_at < $1")
        .bind(now - DRAFT_KEPT)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO tier_rule_drafts (id, merchant, fields, preview, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(merchant)
    .bind(fields)
    .bind(i64::from(preview))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// `merchant`'s draft `id`, and whether its post asked for a preview.
pub async fn draft_of(db: &Db, merchant: &str, id: &str) -> Result<(RulesDraft, bool), StoreError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT fields, preview FROM tier_rule_drafts WHERE id = $1 AND merchant = $2",
    )
    .bind(id)
    .bind(merchant)
    .fetch_optional(&mut *db.reader().acquire().await?)
    .await?;
    let (fields, preview) = row.ok_or_else(|| {
        AppError::not_found(
            Some("draft".to_owned()),
            Translation::of("error.draft_gone"),
        )
    })?;
    let draft = serde_json::from_str(&fields)
        .map_err(|error| StoreError::Database(sqlx::Error::Decode(Box::new(error))))?;
    Ok((draft, preview == 1))
}
