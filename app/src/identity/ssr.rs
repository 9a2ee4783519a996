//! The one identity check, and the shoppers' SQL.

use super::token::verify;
use super::{Account, DemoShopper, OrderSummary, ShopperInput, TOKEN_HEADER, Viewer};
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use crate::kernel::validate::{self, MAX_BATCH, TextRule, UpsertSummary};
use crate::store::{Db, StoreError};
use sqlx::Row;

/// What identity needs from the server: the store's secret, its API keys, the counts that slow guessing, and
/// whether demo sign-in is on. The server holds it in its state and provides it to server functions.
#[derive(Clone)]
pub struct Identity {
    pub secret: super::token::StoreSecret,
    pub merchant_keys: super::merchant::MerchantKeys,
    pub throttles: super::throttle::Throttles,
    /// Demo mode: the "sign in as" page may issue tokens for any shopper. Off unless configured on.
    pub demo: bool,
}

/// Identity's piece of the server's state, from the request's context.
pub fn identity() -> Result<Identity, AppError> {
    crate::kernel::context::server_context()
}

/// Who a shopper-path server function acts for (a shopper or a guest), from the token the request carries: the
/// first line of every server function that reads or changes a viewer's own data.
pub async fn request_viewer() -> Result<Viewer, AppError> {
    current_viewer(&identity()?)
        .await
        .map_err(crate::kernel::error::respond_with)
}

/// Like [`request_viewer`], but only a signed-in shopper will do.
pub async fn request_shopper() -> Result<String, AppError> {
    current_shopper(&identity()?)
        .await
        .map_err(crate::kernel::error::respond_with)
}

/// Verifies the token the request carries and yields who it speaks for.
pub async fn current_viewer(identity: &Identity) -> Result<Viewer, AppError> {
    let headers: http::HeaderMap = leptos_axum::extract()
        .await
        .map_err(|_| AppError::internal())?;
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            AppError::unauthorized("Please sign in, or allow this site to remember you as a guest.")
        })?;
    verify(&identity.secret, token, crate::kernel::time::now() / 1000)
}

/// Like [`current_viewer`], but only a signed-in shopper will do.
pub async fn current_shopper(identity: &Identity) -> Result<String, AppError> {
    match current_viewer(identity).await? {
        Viewer::Shopper(id) => Ok(id),
        Viewer::Guest(_) => Err(AppError::unauthorized(
            "Please sign in to see your account.",
        )),
    }
}

pub fn validate_shopper(input: &ShopperInput) -> Result<(), AppError> {
    validate::key("shopper_id", &input.shopper_id)?;
    validate::text("display_name", &input.display_name, TextRule::line(100))?;
    validate::locale("locale", &input.locale)?;
    if let Some(email) = &input.email {
        validate::email("email", email)?;
    }
    Ok(())
}

/// Creates or updates shoppers, all or none.
pub async fn upsert_shoppers(
    db: &Db,
    shoppers: &[ShopperInput],
    now: Millis,
) -> Result<UpsertSummary, StoreError> {
    validate::batch(
        "shoppers",
        shoppers,
        MAX_BATCH,
        |s| &s.shopper_id,
        validate_shopper,
    )?;
    let mut tx = db.write().await?;
    let mut summary = UpsertSummary::default();
    for shopper in shoppers {
        let updated = sqlx::query(
            "UPDATE shoppers SET email = $1, display_name = $2, locale = $3, updated_at = $4 WHERE external_id = $5",
        )
        .bind(&shopper.email)
        .bind(&shopper.display_name)
        .bind(&shopper.locale)
        .bind(now)
        .bind(&shopper.shopper_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO shoppers (external_id, email, display_name, locale, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(&shopper.shopper_id)
            .bind(&shopper.email)
            .bind(&shopper.display_name)
            .bind(&shopper.locale)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            summary.created += 1;
        } else {
            summary.updated += 1;
        }
    }
    tx.commit().await?;
    Ok(summary)
}

/// The shoppers the demo sign-in page offers: the most active first.
pub async fn demo_shoppers(db: &Db, limit: i64) -> Result<Vec<DemoShopper>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.external_id, s.display_name, COUNT(o.id) AS orders FROM shoppers s \
         LEFT JOIN orders o ON o.shopper_id = s.id GROUP BY s.id, s.external_id, s.display_name \
         ORDER BY orders DESC, s.external_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(DemoShopper {
                shopper_id: row.try_get("external_id")?,
                display_name: row.try_get("display_name")?,
                orders: row.try_get("orders")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The shopper's preferred language, or `None` when the store has not told Rapport about this shopper.
pub async fn shopper_locale(db: &Db, shopper_id: &str) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT locale FROM shoppers WHERE external_id = $1")
            .bind(shopper_id)
            .fetch_optional(db.reader())
            .await?,
    )
}

/// A shopper's own account: profile and most recent orders. Only ever called with the verified shopper's id.
pub async fn account(
    db: &Db,
    shopper_id: &str,
    orders: i64,
) -> Result<Option<Account>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT id, external_id, display_name, email, locale FROM shoppers WHERE external_id = $1",
    )
    .bind(shopper_id)
    .fetch_optional(db.reader())
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    let order_rows = sqlx::query(
        "SELECT o.external_id, o.placed_at, o.status, o.currency, \
         o.subtotal_minor + o.shipping_minor + o.tax_minor AS total_minor, \
         (SELECT CAST(SUM(l.quantity) AS BIGINT) FROM order_lines l WHERE l.order_id = o.id) AS items \
         FROM orders o WHERE o.shopper_id = $1 ORDER BY o.placed_at DESC, o.id DESC LIMIT $2",
    )
    .bind(id)
    .bind(orders)
    .fetch_all(db.reader())
    .await?;
    let recent_orders = order_rows
        .iter()
        .map(|row| {
            Ok(OrderSummary {
                order_id: row.try_get("external_id")?,
                placed_at: row.try_get("placed_at")?,
                status: row.try_get("status")?,
                total: Money::new(
                    row.try_get("total_minor")?,
                    row.try_get::<String, _>("currency")?,
                ),
                items: row.try_get::<Option<i64>, _>("items")?.unwrap_or(0),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some(Account {
        shopper_id: row.try_get("external_id")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        locale: row.try_get("locale")?,
        recent_orders,
    }))
}

#[cfg(test)]
mod tests;
