//! The wish lists' SQL. Every function a shopper's request reaches takes the verified viewer and touches only that
//! viewer's lists: a list id of someone else's list is answered exactly like an unknown id, so that ids reveal
//! nothing. The rest serve the merchant's figures and the flows that record what followed a save.

use super::rules::{SAVE_WINDOW, WishlistPolicy, validate_list_name};
use super::{
    BuyersSave, MAX_STATES, MostWished, ProductSaves, SaveActivity, SaveFollowed, SaveTouch,
    SavedState, SharedWishlist, Wishlist, WishlistItem, WishlistSort, WishlistSummary,
};
use crate::catalog::ssr::active_product_id;
use crate::events::EventKind;
use crate::events::ssr::{NewEvent, record};
use crate::identity::Viewer;
use crate::identity::ssr::{Owner, known_shopper};
use crate::kernel::error::{AppError, ErrorCode, Translation};
use crate::kernel::ids::ProductKey;
use crate::kernel::money::Money;
use crate::kernel::time::{DaySpan, Millis};
use crate::kernel::validate::key as validate_key;
use crate::store::{Backend, Db, IdSet, StoreError, Tx};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// Matches the owner's lists (`w`), with the owner bound as `$1` (shopper row id) and `$2` (guest id), as
/// [`Owner::binds`] gives them. One column per kind of owner, not an `OR` of both: SQLite scans every list for the
/// `OR` (2.8 ms on the large demo data) and uses the index for this. The other parameter is still named, so both
/// keep their numbers.
fn owned(owner: &Owner) -> &'static str {
    match owner {
        Owner::Shopper(_) => "(w.shopper_id = $1 AND $2 IS NULL)",
        Owner::Guest(_) => "(w.guest_id = $2 AND $1 IS NULL)",
    }
}

fn no_such_list() -> AppError {
    AppError::not_found(
        Some("list_id".into()),
        Translation::of("error.no_such_list"),
    )
}

/// The owner's default list, created on first use.
async fn default_list(tx: &mut Tx, owner: &Owner, now: Millis) -> Result<i64, sqlx::Error> {
    let (shopper, guest) = owner.binds();
    let select = format!(
        "SELECT w.id FROM wishlists w WHERE {owned} AND w.is_default = 1",
        owned = owned(owner)
    );
    let existing: Option<i64> = sqlx::query_scalar(&select)
        .bind(shopper)
        .bind(guest.clone())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    // On PostgreSQL a concurrent first save may create it between the read and this insert: then the insert does
    // nothing, and the next read (a new snapshot) finds theirs.
    let created: Option<i64> = sqlx::query_scalar(
        "INSERT INTO wishlists (shopper_id, guest_id, name, is_default, created_at) VALUES ($1, $2, '', 1, $3) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(shopper)
    .bind(guest.clone())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    match created {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar(&select)
                .bind(shopper)
                .bind(guest)
                .fetch_one(&mut **tx)
                .await
        }
    }
}

/// `list_id` if the owner has it; someone else's list is answered like an unknown one.
async fn owned_list(tx: &mut Tx, owner: &Owner, list_id: i64) -> Result<i64, StoreError> {
    let (shopper, guest) = owner.binds();
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT w.id FROM wishlists w WHERE {owned} AND w.id = $3",
        owned = owned(owner)
    ))
    .bind(shopper)
    .bind(guest)
    .bind(list_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| no_such_list().into())
}

/// The list a save or remove acts on: `list_id` if the owner has it, or the owner's default list for `None`.
async fn target_list(
    tx: &mut Tx,
    owner: &Owner,
    list_id: Option<i64>,
    now: Millis,
) -> Result<i64, StoreError> {
    match list_id {
        Some(list_id) => owned_list(tx, owner, list_id).await,
        None => Ok(default_list(tx, owner, now).await?),
    }
}

/// Whether a list holds a product.
async fn holds(tx: &mut Tx, list_id: i64, product_id: ProductKey) -> Result<bool, sqlx::Error> {
    let held: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM wishlist_items WHERE wishlist_id = $1 AND product_id = $2",
    )
    .bind(list_id)
    .bind(product_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(held > 0)
}

/// Refuses one more item in a list that is full.
async fn ensure_room(tx: &mut Tx, list_id: i64, policy: &WishlistPolicy) -> Result<(), StoreError> {
    let items: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM wishlist_items WHERE wishlist_id = $1")
            .bind(list_id)
            .fetch_one(&mut **tx)
            .await?;
    if items >= policy.max_items {
        return Err(AppError::new(
            ErrorCode::LimitReached,
            Translation::with("error.list_full", &[("max", policy.max_items.to_string())]),
        )
        .into());
    }
    Ok(())
}

fn signed_in_only(viewer: &Viewer) -> Result<(), AppError> {
    match viewer {
        Viewer::Shopper(_) => Ok(()),
        Viewer::Guest(_) => Err(AppError::unauthorized(Translation::of(
            "error.lists_sign_in",
        ))),
    }
}

/// The viewer's lists, the default one first (it is created if missing only when something is saved).
pub async fn lists(db: &Db, viewer: &Viewer) -> Result<Vec<WishlistSummary>, StoreError> {
    match Owner::for_read(db.reader(), viewer).await? {
        Some(owner) => Ok(owner_lists(db, &owner).await?),
        None => Ok(Vec::new()),
    }
}

async fn owner_lists(db: &Db, owner: &Owner) -> Result<Vec<WishlistSummary>, sqlx::Error> {
    let (shopper, guest) = owner.binds();
    let rows = sqlx::query(&format!(
        "SELECT w.id, w.name, w.is_default, w.share_token, \
         (SELECT COUNT(*) FROM wishlist_items i WHERE i.wishlist_id = w.id) AS items \
         FROM wishlists w WHERE {owned} ORDER BY w.is_default DESC, w.created_at, w.id",
        owned = owned(owner)
    ))
    .bind(shopper)
    .bind(guest)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(summary_from_row).collect()
}

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<WishlistSummary, sqlx::Error> {
    Ok(WishlistSummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        is_default: row.try_get::<i64, _>("is_default")? != 0,
        items: row.try_get("items")?,
        share_token: row.try_get("share_token")?,
    })
}

/// Creates a named list for a signed-in shopper.
pub async fn create_list(
    db: &Db,
    viewer: &Viewer,
    name: &str,
    policy: &WishlistPolicy,
    now: Millis,
) -> Result<WishlistSummary, StoreError> {
    signed_in_only(viewer)?;
    let name = validate_list_name(name)?;
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    default_list(&mut tx, &owner, now).await?;
    let (shopper, guest) = owner.binds();
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM wishlists w WHERE {owned}",
        owned = owned(&owner)
    ))
    .bind(shopper)
    .bind(guest.clone())
    .fetch_one(&mut *tx)
    .await?;
    if count >= policy.max_lists {
        return Err(AppError::new(
            ErrorCode::LimitReached,
            Translation::with(
                "error.too_many_lists",
                &[("max", policy.max_lists.to_string())],
            ),
        )
        .into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wishlists (shopper_id, guest_id, name, is_default, created_at) VALUES ($1, $2, $3, 0, $4) \
         RETURNING id",
    )
    .bind(shopper)
    .bind(guest)
    .bind(&name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(WishlistSummary {
        id,
        name,
        is_default: false,
        items: 0,
        share_token: None,
    })
}

/// Renames one of the viewer's lists.
pub async fn rename_list(
    db: &Db,
    viewer: &Viewer,
    list_id: i64,
    name: &str,
) -> Result<(), StoreError> {
    signed_in_only(viewer)?;
    let name = validate_list_name(name)?;
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let list_id = owned_list(&mut tx, &owner, list_id).await?;
    sqlx::query("UPDATE wishlists SET name = $1 WHERE id = $2")
        .bind(&name)
        .bind(list_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes one of the viewer's named lists with its items. The default list stays.
pub async fn delete_list(db: &Db, viewer: &Viewer, list_id: i64) -> Result<(), StoreError> {
    signed_in_only(viewer)?;
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let list_id = owned_list(&mut tx, &owner, list_id).await?;
    let is_default: i64 = sqlx::query_scalar("SELECT is_default FROM wishlists WHERE id = $1")
        .bind(list_id)
        .fetch_one(&mut *tx)
        .await?;
    if is_default != 0 {
        return Err(
            AppError::new(ErrorCode::Forbidden, Translation::of("error.default_list")).into(),
        );
    }
    sqlx::query("DELETE FROM wishlist_items WHERE wishlist_id = $1")
        .bind(list_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM wishlists WHERE id = $1")
        .bind(list_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn record_wish(
    tx: &mut Tx,
    owner: &Owner,
    product_id: ProductKey,
    kind: EventKind,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let (shopper_id, guest_id) = owner.binds();
    record(
        tx,
        &[NewEvent {
            shopper_id,
            guest_id,
            product_id,
            kind,
            at: now,
        }],
    )
    .await
}

/// Saves a product into one of the viewer's lists (the default list for `None`). Saving it again changes
/// nothing. Records a `wishlisted` event when the product is new to the list.
pub async fn save(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    list_id: Option<i64>,
    policy: &WishlistPolicy,
    now: Millis,
) -> Result<(), StoreError> {
    validate_key("sku", sku)?;
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let product_id = active_product_id(&mut tx, sku).await?;
    let list_id = target_list(&mut tx, &owner, list_id, now).await?;
    if holds(&mut tx, list_id, product_id).await? {
        return Ok(());
    }
    ensure_room(&mut tx, list_id, policy).await?;
    sqlx::query(
        "INSERT INTO wishlist_items (wishlist_id, product_id, saved_at, saved_price_minor, saved_currency, saved_in_stock) \
         SELECT $1, p.id, $2, p.price_minor, p.currency, CASE WHEN p.stock > 0 THEN 1 ELSE 0 END \
         FROM products p WHERE p.id = $3",
    )
    .bind(list_id)
    .bind(now)
    .bind(product_id)
    .execute(&mut *tx)
    .await?;
    record_wish(&mut tx, &owner, product_id, EventKind::Wishlisted, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a product from one of the viewer's lists (the default list for `None`); removing what is not there
/// changes nothing. Records an `unwishlisted` event when something was removed. Works for withdrawn products too.
pub async fn remove(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    list_id: Option<i64>,
    now: Millis,
) -> Result<(), StoreError> {
    validate_key("sku", sku)?;
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let list_id = target_list(&mut tx, &owner, list_id, now).await?;
    let product_id = product_id(&mut tx, sku).await?;
    let removed =
        sqlx::query("DELETE FROM wishlist_items WHERE wishlist_id = $1 AND product_id = $2")
            .bind(list_id)
            .bind(product_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if removed > 0 {
        record_wish(&mut tx, &owner, product_id, EventKind::Unwishlisted, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Any product's row id, active or not: items of withdrawn products can still be moved and removed.
async fn product_id(tx: &mut Tx, sku: &str) -> Result<ProductKey, StoreError> {
    sqlx::query_scalar::<_, ProductKey>("SELECT id FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            AppError::not_found(Some("sku".into()), Translation::of("error.no_such_product")).into()
        })
}

/// Moves an item from one of the viewer's lists to another, keeping when and at what price it was saved.
pub async fn move_item(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    from: i64,
    to: i64,
    policy: &WishlistPolicy,
) -> Result<(), StoreError> {
    validate_key("sku", sku)?;
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let from = owned_list(&mut tx, &owner, from).await?;
    let to = owned_list(&mut tx, &owner, to).await?;
    let product_id = product_id(&mut tx, sku).await?;
    if from == to {
        return Ok(());
    }
    if !holds(&mut tx, to, product_id).await? {
        ensure_room(&mut tx, to, policy).await?;
        let moved = sqlx::query(
            "UPDATE wishlist_items SET wishlist_id = $1 WHERE wishlist_id = $2 AND product_id = $3",
        )
        .bind(to)
        .bind(from)
        .bind(product_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 0 {
            return Err(AppError::not_found(
                Some("sku".into()),
                Translation::of("error.not_in_list"),
            )
            .into());
        }
    } else {
        // Already in the target list: the move only takes it out of the source.
        sqlx::query("DELETE FROM wishlist_items WHERE wishlist_id = $1 AND product_id = $2")
            .bind(from)
            .bind(product_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An item's fields, in the order of [`ItemFields`].
const ITEM_FIELDS: &str = "p.sku, COALESCE(t.title, p.title), p.image_url, p.price_minor, p.currency, p.stock, \
     CASE WHEN p.active THEN 1 ELSE 0 END, i.saved_at, i.saved_price_minor, i.saved_currency, i.saved_in_stock";

/// One item as the list query's JSON carries it: sku, title, image, price, currency, stock, active (0/1), saved
/// at, saved price, saved currency, in stock when saved (0/1).
type ItemFields = (
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
);

/// A list's items with their current prices. The database returns them as one JSON array in one row: sqlx's
/// SQLite driver hands every row across threads on its own, which took longer than the query itself for a
/// 200-item list (BENCHMARKS.md).
async fn items_of(
    db: &Db,
    list_id: i64,
    locale: &str,
    sort: WishlistSort,
) -> Result<Vec<WishlistItem>, StoreError> {
    let order = match sort {
        WishlistSort::Saved => "i.saved_at DESC, p.id DESC",
        WishlistSort::Price => "p.price_minor ASC, i.saved_at DESC",
        WishlistSort::PriceDrop => "(i.saved_price_minor - p.price_minor) DESC, i.saved_at DESC",
    };
    let aggregate = match db.backend() {
        Backend::Sqlite => format!("json_group_array(json_array({ITEM_FIELDS}) ORDER BY {order})"),
        Backend::Postgres => {
            format!("CAST(json_agg(json_build_array({ITEM_FIELDS}) ORDER BY {order}) AS TEXT)")
        }
    };
    let json: Option<String> = sqlx::query_scalar(&format!(
        "SELECT {aggregate} FROM wishlist_items i JOIN products p ON p.id = i.product_id \
         LEFT JOIN product_translations t ON t.product_id = p.id AND t.locale = $1 \
         WHERE i.wishlist_id = $2"
    ))
    .bind(locale)
    .bind(list_id)
    .fetch_one(db.reader())
    .await?;
    let items: Vec<ItemFields> = serde_json::from_str(json.as_deref().unwrap_or("[]"))
        .map_err(|error| StoreError::Database(sqlx::Error::Decode(Box::new(error))))?;
    Ok(items
        .into_iter()
        .map(
            |(
                sku,
                title,
                image_url,
                price,
                currency,
                stock,
                active,
                saved_at,
                saved_price,
                saved_currency,
                saved_in_stock,
            )| {
                WishlistItem {
                    sku,
                    title,
                    image_url,
                    price: Money::new(price, currency),
                    stock,
                    available: active != 0,
                    saved_at: Millis(saved_at),
                    saved_price: Money::new(saved_price, saved_currency),
                    saved_in_stock: saved_in_stock != 0,
                }
            },
        )
        .collect())
}

/// One of the viewer's lists with its items (the default list for `None`, empty if never used). Two queries:
/// the list, found by its owner's key, and its items with their current prices.
pub async fn wishlist(
    db: &Db,
    viewer: &Viewer,
    list_id: Option<i64>,
    locale: &str,
    sort: WishlistSort,
) -> Result<Wishlist, StoreError> {
    let never_used = || Wishlist {
        summary: WishlistSummary {
            id: 0,
            name: String::new(),
            is_default: true,
            items: 0,
            share_token: None,
        },
        items: Vec::new(),
    };
    // The shopper's row id is looked up inside the query, which saves a round trip.
    let (owned, key) = match viewer {
        Viewer::Shopper(external) => (
            "w.shopper_id = (SELECT s.id FROM shoppers s WHERE s.external_id = $1)",
            external,
        ),
        Viewer::Guest(guest) => ("w.guest_id = $1", guest),
    };
    let which = match list_id {
        Some(_) => "w.id = $2",
        None => "w.is_default = 1",
    };
    let sql = format!(
        "SELECT w.id, w.name, w.is_default, w.share_token, CAST(0 AS BIGINT) AS items FROM wishlists w WHERE {owned} AND {which}"
    );
    let mut query = sqlx::query(&sql).bind(key);
    if let Some(id) = list_id {
        query = query.bind(id);
    }
    let row = query.fetch_optional(db.reader()).await?;
    let Some(row) = row else {
        return match list_id {
            Some(_) => Err(no_such_list().into()),
            None => Ok(never_used()),
        };
    };
    let mut summary = summary_from_row(&row)?;
    let items = items_of(db, summary.id, locale, sort).await?;
    summary.items = items.len() as i64;
    Ok(Wishlist { summary, items })
}

/// Makes a list public under a new unguessable link (`true`) or private again (`false`), which kills the old
/// link for good. Returns the link's secret when public.
pub async fn set_shared(
    db: &Db,
    viewer: &Viewer,
    list_id: i64,
    shared: bool,
) -> Result<Option<String>, StoreError> {
    let mut tx = db.write().await?;
    let owner = Owner::for_change(&mut tx, viewer).await?;
    let list_id = owned_list(&mut tx, &owner, list_id).await?;
    let token = shared.then(|| format!("{:032x}", rand::random::<u128>()));
    sqlx::query("UPDATE wishlists SET share_token = $1 WHERE id = $2")
        .bind(&token)
        .bind(list_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// A shared list by its link's secret; a revoked or unknown link is not found.
pub async fn shared_list(db: &Db, token: &str, locale: &str) -> Result<SharedWishlist, StoreError> {
    let gone = || {
        AppError::not_found(
            Some("token".into()),
            Translation::of("error.list_not_shared"),
        )
    };
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(gone().into());
    }
    let row = sqlx::query(
        "SELECT w.id, w.name, COALESCE(s.display_name, '') AS owner FROM wishlists w \
         LEFT JOIN shoppers s ON s.id = w.shopper_id WHERE w.share_token = $1",
    )
    .bind(token)
    .fetch_optional(db.reader())
    .await?
    .ok_or_else(gone)?;
    let items = items_of(db, row.try_get("id")?, locale, WishlistSort::Saved).await?;
    Ok(SharedWishlist {
        name: row.try_get("name")?,
        owner: row.try_get("owner")?,
        items,
    })
}

/// Where a product stands in the viewer's lists.
pub async fn saved_state(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    policy: &WishlistPolicy,
) -> Result<SavedState, StoreError> {
    let mut states = saved_states(db, viewer, &[sku.to_owned()], policy).await?;
    Ok(states.remove(0))
}

/// Counts the distinct owners (shopper or guest) of the lists joined as `w`.
const OWNERS: &str = "COUNT(DISTINCT COALESCE(CAST(w.shopper_id AS TEXT), 'g:' || w.guest_id))";

/// Where each of `skus` stands in the viewer's lists, in the order given: three queries however many products a
/// grid of cards shows.
pub async fn saved_states(
    db: &Db,
    viewer: &Viewer,
    skus: &[String],
    policy: &WishlistPolicy,
) -> Result<Vec<SavedState>, StoreError> {
    if skus.len() > MAX_STATES {
        return Err(AppError::invalid(
            "skus",
            format!("Ask about at most {MAX_STATES} products at once."),
        )
        .into());
    }
    let owner = Owner::for_read(db.reader(), viewer).await?;
    let lists = match &owner {
        Some(owner) => owner_lists(db, owner).await?,
        None => Vec::new(),
    };
    // Numbered placeholders for the SKUs, from `$first` on.
    let wanted = |first: usize| {
        (first..first + skus.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut held = HashSet::new();
    if let Some(owner) = owner.filter(|_| !lists.is_empty() && !skus.is_empty()) {
        let (shopper, guest) = owner.binds();
        let sql = format!(
            "SELECT i.wishlist_id, p.sku FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id \
             JOIN products p ON p.id = i.product_id WHERE {owned} AND p.sku IN ({})",
            wanted(3),
            owned = owned(&owner)
        );
        let mut query = sqlx::query(&sql).bind(shopper).bind(guest);
        for sku in skus {
            query = query.bind(sku);
        }
        for row in query.fetch_all(db.reader()).await? {
            held.insert((
                row.try_get::<i64, _>("wishlist_id")?,
                row.try_get::<String, _>("sku")?,
            ));
        }
    }
    let mut saved_by = HashMap::new();
    if policy.show_saved_count && !skus.is_empty() {
        let sql = format!(
            "SELECT p.sku, {OWNERS} AS savers FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id \
             JOIN products p ON p.id = i.product_id WHERE p.sku IN ({}) GROUP BY p.sku",
            wanted(1)
        );
        let mut query = sqlx::query(&sql);
        for sku in skus {
            query = query.bind(sku);
        }
        for row in query.fetch_all(db.reader()).await? {
            saved_by.insert(
                row.try_get::<String, _>("sku")?,
                row.try_get::<i64, _>("savers")?,
            );
        }
    }
    Ok(skus
        .iter()
        .map(|sku| SavedState {
            lists: lists
                .iter()
                .map(|list| (list.clone(), held.contains(&(list.id, sku.clone()))))
                .collect(),
            saved_by: policy
                .show_saved_count
                .then(|| saved_by.get(sku).copied().unwrap_or(0)),
        })
        .collect())
}

/// The products in the most lists' owners, for merchants.
pub async fn most_wished(db: &Db, limit: i64) -> Result<Vec<MostWished>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT p.sku, p.title, {OWNERS} AS savers \
         FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id JOIN products p ON p.id = i.product_id \
         GROUP BY p.id, p.sku, p.title ORDER BY savers DESC, p.sku LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(MostWished {
                sku: row.try_get("sku")?,
                title: row.try_get("title")?,
                savers: row.try_get("savers")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// How many products still on a list were saved from `from` until `to` (not included): whole days from their
/// daily counts, what is left of the period from the saves themselves.
pub async fn saves_made(db: &Db, from: Millis, to: Millis) -> Result<i64, StoreError> {
    let span = DaySpan::of(from, to);
    let mut saves: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(saves), 0) AS BIGINT) FROM saves_per_day WHERE day >= $1 AND day < $2",
    )
    .bind(span.first)
    .bind(span.end)
    .fetch_one(db.reader())
    .await?;
    for (start, stop) in span.ends {
        saves += sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM wishlist_items WHERE saved_at >= $1 AND saved_at < $2",
        )
        .bind(start)
        .bind(stop)
        .fetch_one(db.reader())
        .await?;
    }
    Ok(saves)
}

/// Folds the saves' daily counts ([`Db::fold_counts`]).
pub async fn fold_daily_counts(db: &Db) -> Result<(), StoreError> {
    db.fold_counts("saves_per_day", "day, shard", "saves").await
}

/// The products still on a list that were saved from `from` until `to` (not included), with what followed them in
/// `currency`: counted, and per product. The falls and orders that followed were recorded as they happened
/// (`flows::save_purchases`), so this reads the period's saves and their rows only. A product taken off its list
/// is no longer a save, and what followed it goes with it.
pub async fn save_activity(
    db: &Db,
    from: Millis,
    to: Millis,
    currency: &str,
) -> Result<SaveActivity, StoreError> {
    // Each list has one owner, a shopper or a guest: the owners of the lists saved to, counted as numbers and as
    // names apart (grouping every save's owner as text took 90 ms for 150,000 saves on PostgreSQL; BENCHMARKS.md).
    let savers = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(DISTINCT w.shopper_id) + COUNT(DISTINCT CASE WHEN w.shopper_id IS NULL THEN w.guest_id END) \
         FROM wishlists w WHERE w.id IN (SELECT wishlist_id FROM wishlist_items WHERE saved_at >= $1 AND saved_at < $2)",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.reader());
    let per_product = sqlx::query_as::<_, (i64, i64)>(
        "SELECT product_id, COUNT(*) FROM wishlist_items WHERE saved_at >= $1 AND saved_at < $2 GROUP BY product_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.reader());
    let fell = sqlx::query_as::<_, (i64, i64)>(
        "SELECT i.product_id, COUNT(*) FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id \
         WHERE i.saved_at >= $1 AND i.saved_at < $2 AND i.fell_at IS NOT NULL AND i.saved_currency = $3 \
         AND w.shopper_id IS NOT NULL GROUP BY i.product_id",
    )
    .bind(from)
    .bind(to)
    .bind(currency)
    .fetch_all(db.reader());
    // A save is bought when any order followed it: its lists and products counted once, the orders' values summed.
    let bought = sqlx::query_as::<_, (i64, String, i64, i64)>(
        "SELECT product_id, follows, COUNT(DISTINCT wishlist_id), CAST(SUM(value_minor) AS BIGINT) \
         FROM save_purchases WHERE saved_at >= $1 AND saved_at < $2 AND currency = $3 GROUP BY product_id, follows",
    )
    .bind(from)
    .bind(to)
    .bind(currency)
    .fetch_all(db.reader());
    let (savers, per_product, fell, bought) =
        futures::try_join!(savers, per_product, fell, bought)?;
    let saves = per_product.iter().map(|(_, saves)| saves).sum();
    let mut by_product: std::collections::BTreeMap<i64, ProductSaves> = per_product
        .into_iter()
        .map(|(product, saves)| {
            (
                product,
                ProductSaves {
                    product,
                    saves,
                    ..ProductSaves::default()
                },
            )
        })
        .collect();
    for (product, fell) in fell {
        if let Some(counted) = by_product.get_mut(&product) {
            counted.fell = fell;
        }
    }
    for (product, follows, saves, value_minor) in bought {
        let Some(counted) = by_product.get_mut(&product) else {
            continue;
        };
        if follows == SaveTouch::Fall.name() {
            counted.bought_after_fall = saves;
            counted.after_fall_value_minor = value_minor;
        } else {
            counted.bought = saves;
            counted.bought_value_minor = value_minor;
        }
    }
    Ok(SaveActivity {
        saves,
        savers,
        by_product: by_product.into_values().collect(),
    })
}

/// Notes that `product`'s price fell to `price_minor` in `currency` at `at`: each save of it at a higher price in
/// that currency in the [`SAVE_WINDOW`] before saw a fall, unless it saw an earlier one. Run in time order or
/// not, each save keeps its first fall.
pub async fn price_fell(
    tx: &mut Tx,
    product: i64,
    price_minor: i64,
    currency: &str,
    at: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE wishlist_items SET fell_at = $1 WHERE product_id = $2 AND saved_currency = $3 \
         AND saved_price_minor > $4 AND saved_at < $1 AND saved_at >= $5 AND (fell_at IS NULL OR fell_at > $1)",
    )
    .bind(at)
    .bind(product)
    .bind(currency)
    .bind(price_minor)
    .bind(at - SAVE_WINDOW)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The saves on `shoppers`' (row ids) lists made from `from` until `to` (not included): what their orders of those
/// days may follow. Read by the lists' shopper index. On PostgreSQL the saves stay on their lists until the
/// transaction ends (a key-share lock), so that the rows recorded as following them still find them: a shopper
/// taking one off a list meanwhile waits, then takes those rows along.
pub async fn saves_of_buyers(
    tx: &mut Tx,
    shoppers: &[i64],
    from: Millis,
    to: Millis,
) -> Result<Vec<BuyersSave>, StoreError> {
    let set = IdSet::distinct(tx, shoppers.iter().copied());
    let lock = match Backend::of(tx) {
        Backend::Postgres => " FOR KEY SHARE OF i",
        Backend::Sqlite => "",
    };
    let rows: Vec<(i64, i64, i64, Millis, Option<Millis>, String)> = sqlx::query_as(&format!(
        "SELECT i.wishlist_id, w.shopper_id, i.product_id, i.saved_at, i.fell_at, i.saved_currency \
         FROM {} CROSS JOIN wishlists w JOIN wishlist_items i ON i.wishlist_id = w.id \
         WHERE w.shopper_id = s.id AND i.saved_at >= $2 AND i.saved_at < $3{lock}",
        set.table("s", 1)
    ))
    .bind(set.value())
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(list, shopper, product, saved_at, fell_at, currency)| BuyersSave {
                list,
                shopper,
                product,
                saved_at,
                fell_at,
                currency,
            },
        )
        .collect())
}

/// Records what followed each save. An order's product is recorded once per kind of touch: a second record
/// changes nothing.
pub async fn record_save_purchases(
    tx: &mut Tx,
    followed: &[SaveFollowed],
) -> Result<(), StoreError> {
    for row in followed {
        sqlx::query(
            "INSERT INTO save_purchases (order_id, product_id, follows, wishlist_id, saved_at, value_minor, currency) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id, product_id, follows) DO NOTHING",
        )
        .bind(row.order)
        .bind(row.save.product)
        .bind(row.touch.name())
        .bind(row.save.list)
        .bind(row.save.saved_at)
        .bind(row.value_minor)
        .bind(&row.currency)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Forgets what an order (its row id) was recorded as following: it was cancelled or refunded in full.
pub async fn withdraw_save_purchases(tx: &mut Tx, order: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM save_purchases WHERE order_id = $1")
        .bind(order)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves a guest's saved items into the shopper's default list when the guest signs in, without duplicates, and
/// deletes the guest's lists, so the guest id no longer reaches them. Returns how many items were new to the
/// shopper.
pub async fn adopt_guest_lists(
    tx: &mut Tx,
    guest: &str,
    shopper: &str,
    now: Millis,
) -> Result<u64, StoreError> {
    let shopper = Owner::Shopper(known_shopper(tx, shopper).await?);
    let target = default_list(tx, &shopper, now).await?;
    let adopted = sqlx::query(
        "INSERT INTO wishlist_items (wishlist_id, product_id, saved_at, saved_price_minor, saved_currency, saved_in_stock, \
         fell_at) SELECT $1, i.product_id, MIN(i.saved_at), MIN(i.saved_price_minor), MIN(i.saved_currency), MIN(i.saved_in_stock), \
         MIN(i.fell_at) FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id \
         WHERE w.guest_id = $2 AND i.product_id NOT IN (SELECT product_id FROM wishlist_items WHERE wishlist_id = $1) \
         GROUP BY i.product_id",
    )
    .bind(target)
    .bind(guest)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query(
        "DELETE FROM wishlist_items WHERE wishlist_id IN (SELECT id FROM wishlists WHERE guest_id = $1)",
    )
    .bind(guest)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM wishlists WHERE guest_id = $1")
        .bind(guest)
        .execute(&mut **tx)
        .await?;
    Ok(adopted)
}

#[cfg(test)]
mod tests;
