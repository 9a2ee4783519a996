//! The events' SQL.

use super::{EventInput, EventKind};
use crate::identity::ssr::{known_shopper, shopper_key};
use crate::kernel::error::AppError;
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::time::{Millis, parse_rfc3339};
use crate::kernel::validate::key as validate_key;
use crate::store::{Db, StoreError, Tx, db};
use std::collections::HashMap;

/// Events may be stamped at most this far in the future (clock skew between the store and Rapport).
const MAX_CLOCK_SKEW_MS: Millis = Millis::minutes(5);
/// The most events one merchant-API batch may carry.
pub const MAX_EVENT_BATCH: usize = 5000;
/// Rows per INSERT: 5 parameters a row stays far below both backends' parameter limits.
const ROWS_PER_INSERT: usize = 500;

/// One event, resolved to the store's ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub shopper_id: Option<ShopperKey>,
    pub guest_id: Option<String>,
    pub product_id: ProductKey,
    pub kind: EventKind,
    pub at: Millis,
}

/// Records events inside the caller's transaction. The one place events are written.
pub async fn record(tx: &mut Tx, events: &[NewEvent]) -> Result<(), sqlx::Error> {
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO shopper_events (shopper_id, guest_id, product_id, kind, occurred_at) VALUES ",
        );
        for index in 0..chunk.len() {
            let base = index * 5;
            if index > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${})",
                base + 1,
                base + 2,
                base + 3,
                base + 4,
                base + 5
            ));
        }
        let mut query = sqlx::query(&sql);
        for event in chunk {
            query = query
                .bind(event.shopper_id)
                .bind(event.guest_id.clone())
                .bind(event.product_id)
                .bind(event.kind.as_str())
                .bind(event.at);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

fn validate_event(input: &EventInput, now: Millis) -> Result<Millis, AppError> {
    match (&input.shopper_id, &input.guest_id) {
        (Some(shopper), None) => validate_key("shopper_id", shopper)?,
        (None, Some(guest)) => validate_key("guest_id", guest)?,
        (Some(_), Some(_)) => {
            return Err(AppError::invalid(
                "guest_id",
                "give either shopper_id or guest_id, not both",
            ));
        }
        (None, None) => {
            return Err(AppError::invalid(
                "shopper_id",
                "give either shopper_id or guest_id",
            ));
        }
    }
    validate_key("sku", &input.sku)?;
    let at = match &input.occurred_at {
        Some(text) => {
            parse_rfc3339(text).map_err(|message| AppError::invalid("occurred_at", message))?
        }
        None => now,
    };
    if at > now + MAX_CLOCK_SKEW_MS {
        return Err(AppError::invalid("occurred_at", "is in the future"));
    }
    Ok(at)
}

/// Records a batch of events from the merchant API, all or none. Returns how many were recorded.
pub async fn record_batch(db: &Db, inputs: &[EventInput], now: Millis) -> Result<u64, StoreError> {
    if inputs.is_empty() {
        return Err(AppError::invalid("events", "must contain at least one item").into());
    }
    if inputs.len() > MAX_EVENT_BATCH {
        return Err(AppError::invalid(
            "events",
            format!(
                "must contain at most {MAX_EVENT_BATCH} items, got {}",
                inputs.len()
            ),
        )
        .into());
    }
    let times = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| {
            validate_event(input, now).map_err(|error| error.within(&format!("events[{index}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut tx = db.write().await?;
    let mut shoppers: HashMap<&str, ShopperKey> = HashMap::new();
    let mut products: HashMap<&str, ProductKey> = HashMap::new();
    let mut events = Vec::with_capacity(inputs.len());
    for (index, (input, at)) in inputs.iter().zip(times).enumerate() {
        let shopper_id = match input.shopper_id.as_deref() {
            Some(external) => Some(match shoppers.get(external) {
                Some(id) => *id,
                None => {
                    let id = shopper_key(&mut *tx, external).await?.ok_or_else(|| {
                        AppError::not_found(
                            Some(format!("events[{index}].shopper_id")),
                            format!("unknown shopper \"{external}\""),
                        )
                    })?;
                    shoppers.insert(external, id);
                    id
                }
            }),
            None => None,
        };
        let product_id = match products.get(input.sku.as_str()) {
            Some(id) => *id,
            None => {
                let id: ProductKey = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
                    .bind(&input.sku)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| {
                        AppError::not_found(
                            Some(format!("events[{index}].sku")),
                            format!("unknown product \"{}\"", input.sku),
                        )
                    })?;
                products.insert(&input.sku, id);
                id
            }
        };
        events.push(NewEvent {
            shopper_id,
            guest_id: input.guest_id.clone(),
            product_id,
            kind: input.kind,
            at,
        });
    }
    record(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(events.len() as u64)
}

/// Records one event on `sku` for the verified viewer of the current server-function request, its errors ready
/// to answer with (not signed, unknown product).
pub async fn record_for_request(sku: &str, kind: EventKind) -> Result<(), AppError> {
    let db = db()?;
    let viewer = crate::identity::ssr::request_viewer().await?;
    record_for_viewer(&db, &viewer, sku, kind, crate::kernel::time::now())
        .await
        .map_err(|error| crate::kernel::error::respond_with(error.into()))
}

/// Moves a guest's events to the shopper who just signed in, so that their feed, "Recently viewed" and "Not
/// interested" choices follow them. Returns how many moved.
///
/// They move as new rows, in their order: readers that follow the events by id (the feed's refresh counts what
/// each shopper did since it last read) then see them as the shopper's new events, not as old ones it never
/// counted.
pub async fn adopt_guest_events(
    tx: &mut Tx,
    guest_id: &str,
    shopper_external_id: &str,
) -> Result<u64, StoreError> {
    let shopper = known_shopper(tx, shopper_external_id).await?;
    let moved = sqlx::query(
        "INSERT INTO shopper_events (shopper_id, guest_id, product_id, kind, occurred_at) \
         SELECT $1, NULL, product_id, kind, occurred_at FROM shopper_events WHERE guest_id = $2 ORDER BY id",
    )
    .bind(shopper)
    .bind(guest_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM shopper_events WHERE guest_id = $1")
        .bind(guest_id)
        .execute(&mut **tx)
        .await?;
    Ok(moved)
}

/// Records one event for the verified viewer of a shopper-path request.
pub async fn record_for_viewer(
    db: &Db,
    viewer: &crate::identity::Viewer,
    sku: &str,
    kind: EventKind,
    now: Millis,
) -> Result<(), StoreError> {
    use crate::identity::Viewer;
    let mut tx = db.write().await?;
    let product_id = crate::catalog::ssr::active_product_id(&mut tx, sku).await?;
    let (shopper_id, guest_id) = match viewer {
        Viewer::Shopper(external) => {
            let id = known_shopper(&mut tx, external).await?;
            (Some(id), None)
        }
        Viewer::Guest(guest) => (None, Some(guest.clone())),
    };
    record(
        &mut tx,
        &[NewEvent {
            shopper_id,
            guest_id,
            product_id,
            kind,
            at: now,
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests;
