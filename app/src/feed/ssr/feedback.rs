//! The feed's cards as shown and clicked: the events, each viewer's standing with each suggested product, and the
//! merchant's figures per shelf.

use super::super::feedback::{CardStanding, Fatigue, Shelf, ShelfFigures, click_through};
use super::super::rules::MAX_PER_SECTION;
use crate::identity::Viewer;
use crate::identity::ssr::Owner;
use crate::kernel::error::AppError;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::time::Millis;
use crate::kernel::validate::key as validate_key;
use crate::store::{Backend, Db, StoreError, Tx, id_list};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

/// What a viewer's browser saw happen to the feed's cards on one shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardsSeen<'a> {
    /// These cards came into view (each once per page).
    Shown(&'a [String]),
    /// This card was clicked.
    Clicked(&'a str),
}

impl<'a> CardsSeen<'a> {
    fn kind(self) -> &'static str {
        match self {
            CardsSeen::Shown(_) => "impressed",
            CardsSeen::Clicked(_) => "clicked",
        }
    }

    /// The name of the `index`th SKU's field, as sent.
    fn field(self, index: usize) -> String {
        match self {
            CardsSeen::Shown(_) => format!("skus[{index}]"),
            CardsSeen::Clicked(_) => "sku".to_owned(),
        }
    }

    /// The SKUs, checked: one to a shelf's worth, each a key, none twice. Errors name the field as sent.
    fn skus(self) -> Result<Vec<&'a str>, AppError> {
        let skus: Vec<&str> = match self {
            CardsSeen::Shown(skus) => skus.iter().map(String::as_str).collect(),
            CardsSeen::Clicked(sku) => vec![sku],
        };
        if skus.is_empty() {
            return Err(AppError::invalid("skus", "must name at least one card"));
        }
        if skus.len() > MAX_PER_SECTION {
            return Err(AppError::invalid(
                "skus",
                format!(
                    "must name at most {MAX_PER_SECTION} cards (one shelf's), got {}",
                    skus.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (index, sku) in skus.iter().enumerate() {
            validate_key(&self.field(index), sku)?;
            if !seen.insert(*sku) {
                return Err(AppError::invalid(
                    self.field(index),
                    format!("\"{sku}\" is named twice; a shelf shows a product once"),
                ));
            }
        }
        Ok(skus)
    }
}

/// Records what `viewer` saw happen on `shelf`, and on a suggesting shelf moves their standing with each product
/// by `fatigue`, in one transaction. A bad or unknown SKU refuses the whole batch.
pub async fn record_cards(
    db: &Db,
    viewer: &Viewer,
    shelf: Shelf,
    seen: CardsSeen<'_>,
    fatigue: &Fatigue,
    now: Millis,
) -> Result<(), StoreError> {
    let skus = seen.skus()?;
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let keys = crate::catalog::ssr::product_keys(&mut tx, &skus).await?;
    let mut products = Vec::with_capacity(skus.len());
    for (index, sku) in skus.iter().enumerate() {
        products.push(*keys.get(*sku).ok_or_else(|| {
            AppError::not_found(
                Some(seen.field(index)),
                format!("unknown product \"{sku}\""),
            )
        })?);
    }
    insert_events(&mut tx, &owner, shelf, seen.kind(), &products, now).await?;
    // A click counts wherever the card was: the shopper showed interest in the product.
    if shelf.suggests() || matches!(seen, CardsSeen::Clicked(_)) {
        let viewer_key = owner.key();
        let before = standings(&mut tx, &viewer_key, &products).await?;
        let after: Vec<(ProductKey, CardStanding)> = products
            .iter()
            .filter_map(|product| {
                let standing = before.get(product).copied();
                match seen {
                    CardsSeen::Shown(_) => Some(fatigue.shown(standing, now)),
                    CardsSeen::Clicked(_) => fatigue.clicked(standing, now),
                }
                .map(|standing| (*product, standing))
            })
            .collect();
        write_standings(&mut tx, &viewer_key, &after).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert_events(
    tx: &mut Tx,
    owner: &Owner,
    shelf: Shelf,
    kind: &str,
    products: &[ProductKey],
    now: Millis,
) -> Result<(), sqlx::Error> {
    let (shopper, guest) = owner.binds();
    let rows = (0..products.len())
        .map(|index| format!("($1, $2, ${}, $3, $4, $5)", index + 6))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO feed_card_events (shopper_id, guest_id, product_id, shelf, kind, occurred_at) VALUES {rows}"
    );
    let mut query = sqlx::query(&sql)
        .bind(shopper)
        .bind(guest)
        .bind(shelf.key())
        .bind(kind)
        .bind(now);
    for product in products {
        query = query.bind(*product);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// The stored standings of `viewer` with `products`, locked until the transaction ends on PostgreSQL, so that a
/// click and a showing of one product arriving together both count (SQLite writes one transaction at a time).
async fn standings(
    tx: &mut Tx,
    viewer: &str,
    products: &[ProductKey],
) -> Result<HashMap<ProductKey, CardStanding>, sqlx::Error> {
    let mut ids: Vec<i64> = products.iter().map(|product| product.0).collect();
    ids.sort_unstable();
    let lock = match Backend::of(tx) {
        Backend::Postgres => " ORDER BY product_id FOR UPDATE",
        Backend::Sqlite => "",
    };
    let rows: Vec<(ProductKey, i64, Millis)> = sqlx::query_as(&format!(
        "SELECT product_id, shown, last_shown_at FROM feed_card_fatigue WHERE viewer = $1 AND product_id IN ({}){lock}",
        id_list(&ids)
    ))
    .bind(viewer)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(product, shown, last_shown_at)| {
            (
                product,
                CardStanding {
                    shown,
                    last_shown_at,
                },
            )
        })
        .collect())
}

async fn write_standings(
    tx: &mut Tx,
    viewer: &str,
    standings: &[(ProductKey, CardStanding)],
) -> Result<(), sqlx::Error> {
    if standings.is_empty() {
        return Ok(());
    }
    // In key order, so that two writers of one viewer's standings on PostgreSQL wait for each other rather than
    // deadlock.
    let mut standings = standings.to_vec();
    standings.sort_unstable_by_key(|(product, _)| *product);
    let rows = (0..standings.len())
        .map(|index| {
            format!(
                "($1, ${}, ${}, ${})",
                3 * index + 2,
                3 * index + 3,
                3 * index + 4
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO feed_card_fatigue (viewer, product_id, shown, last_shown_at) VALUES {rows} \
         ON CONFLICT (viewer, product_id) DO UPDATE SET shown = excluded.shown, last_shown_at = excluded.last_shown_at"
    );
    let mut query = sqlx::query(&sql).bind(viewer);
    for (product, standing) in &standings {
        query = query
            .bind(*product)
            .bind(standing.shown)
            .bind(standing.last_shown_at);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// The products `owner` has passed over often enough, lately enough, to be spared them at `now`: one read by key.
pub(super) async fn passed_over(
    connection: &mut AnyConnection,
    owner: &Owner,
    fatigue: &Fatigue,
    now: Millis,
) -> Result<HashSet<i64>, sqlx::Error> {
    Ok(sqlx::query_scalar(
        "SELECT product_id FROM feed_card_fatigue WHERE viewer = $1 AND shown >= $2 AND last_shown_at >= $3",
    )
    .bind(owner.key())
    .bind(fatigue.after)
    .bind(fatigue.resting_since(now))
    .fetch_all(connection)
    .await?
    .into_iter()
    .collect())
}

/// Moves a guest's card events and standings to the shopper who just signed in (inside the sign-in's
/// transaction), so that what the guest passed over stays spared. Where both have a standing with a product, the
/// later one holds (a click on one device after showings on the other forgives them; a standing long rested gives
/// way to a fresh one).
pub async fn adopt_guest_cards(
    tx: &mut Tx,
    guest_id: &str,
    shopper: ShopperKey,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE feed_card_events SET shopper_id = $1, guest_id = NULL WHERE guest_id = $2")
        .bind(shopper)
        .bind(guest_id)
        .execute(&mut **tx)
        .await?;
    let guest = Owner::Guest(guest_id.to_owned()).key();
    let adopted: Vec<(ProductKey, i64, Millis)> = sqlx::query_as(
        "SELECT product_id, shown, last_shown_at FROM feed_card_fatigue WHERE viewer = $1 ORDER BY product_id",
    )
    .bind(&guest)
    .fetch_all(&mut **tx)
    .await?;
    if adopted.is_empty() {
        return Ok(());
    }
    let viewer = Owner::Shopper(shopper).key();
    let products: Vec<ProductKey> = adopted.iter().map(|(product, _, _)| *product).collect();
    let own = standings(tx, &viewer, &products).await?;
    let merged: Vec<(ProductKey, CardStanding)> = adopted
        .into_iter()
        .map(|(product, shown, last_shown_at)| {
            let theirs = CardStanding {
                shown,
                last_shown_at,
            };
            let kept = match own.get(&product) {
                Some(mine) if (mine.last_shown_at, mine.shown) >= (last_shown_at, shown) => *mine,
                _ => theirs,
            };
            (product, kept)
        })
        .collect();
    for chunk in merged.chunks(MAX_PER_SECTION) {
        write_standings(tx, &viewer, chunk).await?;
    }
    sqlx::query("DELETE FROM feed_card_fatigue WHERE viewer = $1")
        .bind(&guest)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every shelf's impressions and clicks from `from` until `to` (not included), in [`Shelf::ALL`]'s order.
pub async fn shelf_figures(
    db: &Db,
    from: Millis,
    to: Millis,
) -> Result<Vec<ShelfFigures>, StoreError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT shelf, kind, COUNT(*) FROM feed_card_events WHERE occurred_at >= $1 AND occurred_at < $2 \
         GROUP BY shelf, kind",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.reader())
    .await?;
    let mut counts: HashMap<(String, String), i64> = rows
        .into_iter()
        .map(|(shelf, kind, count)| ((shelf, kind), count))
        .collect();
    let mut take = |shelf: Shelf, kind: &str| {
        counts
            .remove(&(shelf.key().to_owned(), kind.to_owned()))
            .unwrap_or(0)
    };
    Ok(Shelf::ALL
        .into_iter()
        .map(|shelf| {
            let impressions = take(shelf, "impressed");
            let clicks = take(shelf, "clicked");
            ShelfFigures {
                shelf,
                impressions,
                clicks,
                click_through: click_through(impressions, clicks),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;
