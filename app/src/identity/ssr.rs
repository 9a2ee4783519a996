//! The one identity check, and the shoppers' SQL.

use super::token::verify;
use super::{Account, ShopperInput, TOKEN_HEADER, Viewer};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::ids::ShopperKey;
use crate::kernel::time::Millis;
use crate::kernel::validate::{self, MAX_BATCH, TextRule, UpsertSummary};
use crate::store::{Db, StoreError, Tx};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};
use std::collections::HashMap;

/// Whose data a request touches, resolved to the store's keys: a shopper the store has shared (their row id) or a
/// guest (their signed guest id). Every table a viewer owns rows of names them in a `shopper_id` and a `guest_id`
/// column, one of them null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Shopper(ShopperKey),
    Guest(String),
}

impl Owner {
    /// The owner of a change: a shopper the store has not shared yet is refused, since their rows could not be
    /// tied to them.
    pub async fn for_change(tx: &mut Tx, viewer: &Viewer) -> Result<Owner, StoreError> {
        Ok(match viewer {
            Viewer::Shopper(external) => Owner::Shopper(known_shopper(tx, external).await?),
            Viewer::Guest(guest) => Owner::Guest(guest.clone()),
        })
    }

    /// The owner for a read, which needs no transaction: an unknown shopper simply owns nothing (`None`).
    pub async fn for_read<'e>(
        executor: impl sqlx::Executor<'e, Database = Any>,
        viewer: &Viewer,
    ) -> Result<Option<Owner>, sqlx::Error> {
        Ok(match viewer {
            Viewer::Shopper(external) => shopper_key(executor, external).await?.map(Owner::Shopper),
            Viewer::Guest(guest) => Some(Owner::Guest(guest.clone())),
        })
    }

    /// The column that names this owner.
    pub fn column(&self) -> &'static str {
        match self {
            Owner::Shopper(_) => "shopper_id",
            Owner::Guest(_) => "guest_id",
        }
    }

    /// Binds the owner's key as the next parameter, for a condition on [`Owner::column`].
    pub fn bind<'q>(
        &'q self,
        query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        match self {
            Owner::Shopper(id) => query.bind(*id),
            Owner::Guest(guest) => query.bind(guest.as_str()),
        }
    }

    /// The owner as the values of both columns: shopper row id and guest id, one of them null.
    pub fn binds(&self) -> (Option<ShopperKey>, Option<String>) {
        match self {
            Owner::Shopper(id) => (Some(*id), None),
            Owner::Guest(id) => (None, Some(id.clone())),
        }
    }

    /// The owner as one text key, where a table keeps both kinds in one column: `s:42` or `g:<guest id>`.
    pub fn key(&self) -> String {
        match self {
            Owner::Shopper(id) => format!("s:{}", id.0),
            Owner::Guest(guest) => format!("g:{guest}"),
        }
    }
}

/// The store's row id of a shopper, by the store's own shopper id.
/// Reads in a transaction or from the pool; `None` for a shopper the store has not shared.
pub async fn shopper_key<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    external_id: &str,
) -> Result<Option<ShopperKey>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM shoppers WHERE external_id = $1")
        .bind(external_id)
        .fetch_optional(executor)
        .await
}

/// The row id of the verified shopper a shopper-path request acts for; refused when the store has not shared
/// the shopper's profile yet.
pub async fn known_shopper(tx: &mut Tx, external_id: &str) -> Result<ShopperKey, StoreError> {
    shopper_key(&mut **tx, external_id)
        .await?
        .ok_or_else(|| unknown_shopper().into())
}

/// [`known_shopper`] for a request that only reads: no write transaction.
pub async fn known_shopper_reading(db: &Db, external_id: &str) -> Result<ShopperKey, StoreError> {
    shopper_key(db.reader(), external_id)
        .await?
        .ok_or_else(|| unknown_shopper().into())
}

fn unknown_shopper() -> AppError {
    AppError::not_found(None, Translation::of("error.profile_unknown"))
}

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
        .ok_or_else(|| AppError::unauthorized(Translation::of("error.sign_in_or_guest")))?;
    verify(
        &identity.secret,
        token,
        crate::kernel::time::now().as_seconds(),
    )
}

/// Like [`current_viewer`], but only a signed-in shopper will do.
pub async fn current_shopper(identity: &Identity) -> Result<String, AppError> {
    match current_viewer(identity).await? {
        Viewer::Shopper(id) => Ok(id),
        Viewer::Guest(_) => Err(AppError::unauthorized(Translation::of(
            "error.account_sign_in",
        ))),
    }
}

pub fn validate_shopper(input: &ShopperInput) -> Result<(), AppError> {
    validate::key("shopper_id", &input.shopper_id)?;
    validate::text("display_name", &input.display_name, TextRule::line(100))?;
    validate::locale("locale", &input.locale)?;
    if let Some(email) = &input.email {
        validate::email("email", email)?;
    }
    if let Some(zone) = &input.time_zone {
        validate_time_zone("time_zone", zone)?;
    }
    Ok(())
}

/// An IANA time zone name the time-zone database knows (`Asia/Shanghai`, `Europe/Berlin`, `UTC`).
pub fn validate_time_zone(field: &str, zone: &str) -> Result<(), AppError> {
    if zone.len() > 64 || jiff::tz::TimeZone::get(zone).is_err() {
        return Err(AppError::invalid(
            field,
            format!("\"{zone}\" is not a time zone; use an IANA name such as \"Asia/Shanghai\""),
        ));
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
            "UPDATE shoppers SET email = $1, display_name = $2, locale = $3, updated_at = $4, time_zone = $5 \
             WHERE external_id = $6",
        )
        .bind(&shopper.email)
        .bind(&shopper.display_name)
        .bind(&shopper.locale)
        .bind(now)
        .bind(&shopper.time_zone)
        .bind(&shopper.shopper_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO shoppers (external_id, email, display_name, locale, created_at, updated_at, time_zone) \
                 VALUES ($1, $2, $3, $4, $5, $5, $6)",
            )
            .bind(&shopper.shopper_id)
            .bind(&shopper.email)
            .bind(&shopper.display_name)
            .bind(&shopper.locale)
            .bind(now)
            .bind(&shopper.time_zone)
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

/// The store's shopper ids and display names of shoppers by row id; ids of no shopper are left out.
pub async fn names_of(db: &Db, keys: &[i64]) -> Result<HashMap<i64, (String, String)>, StoreError> {
    Ok(contacts_of(&mut *db.reader().acquire().await?, keys)
        .await?
        .into_iter()
        .map(|(key, contact)| (key, (contact.shopper_id, contact.display_name)))
        .collect())
}

/// How to reach a shopper, as the store shared it: for the merchant's exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The store's shopper id.
    pub shopper_id: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The language the shopper reads.
    pub locale: String,
}

/// The contacts of the shoppers with these row ids (those found), any number of them.
pub async fn contacts_of(
    connection: &mut sqlx::AnyConnection,
    keys: &[i64],
) -> Result<HashMap<i64, Contact>, StoreError> {
    // A segment's export names tens of thousands: they are bound as one value, the statement prepared once.
    let set = crate::store::IdSet::distinct(connection, keys.iter().copied());
    let sql = format!(
        "SELECT s.id, s.external_id, s.display_name, s.email, s.locale FROM {} JOIN shoppers s ON s.id = k.id",
        set.table("k", 1)
    );
    let mut contacts = HashMap::new();
    for row in sqlx::query(&sql)
        .bind(set.value())
        .fetch_all(&mut *connection)
        .await?
    {
        contacts.insert(
            row.try_get("id")?,
            Contact {
                shopper_id: row.try_get("external_id")?,
                display_name: row.try_get("display_name")?,
                email: row.try_get("email")?,
                locale: row.try_get("locale")?,
            },
        );
    }
    Ok(contacts)
}

/// Where and how to write to a shopper: their address, the language they read and, when the store knows it, their
/// time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub email: String,
    pub locale: String,
    pub time_zone: Option<String>,
}

/// The addressees among `keys`: shoppers without an address, and ids of no shopper, are left out. One read for a
/// batch of messages, shared by the words they are written in and the queue that sends them.
pub async fn addressees(
    connection: &mut sqlx::AnyConnection,
    keys: impl IntoIterator<Item = ShopperKey>,
) -> Result<HashMap<ShopperKey, Addressee>, StoreError> {
    let set = crate::store::IdSet::distinct(connection, keys.into_iter().map(|key| key.0));
    // A batch's addressees are read as one value.
    let rows: Option<String> = sqlx::query_scalar(&format!(
        "SELECT {} FROM (SELECT s.id, s.email, s.locale, s.time_zone FROM {} JOIN shoppers s ON s.id = k.id \
         WHERE s.email IS NOT NULL) a",
        crate::store::Backend::of(connection).json_rows("a.id, a.email, a.locale, a.time_zone"),
        set.table("k", 1)
    ))
    .bind(set.value())
    .fetch_one(&mut *connection)
    .await?;
    Ok(
        crate::store::json_rows::<(ShopperKey, String, String, Option<String>)>(rows.as_deref())?
            .into_iter()
            .map(|(key, email, locale, time_zone)| {
                (
                    key,
                    Addressee {
                        email,
                        locale,
                        time_zone,
                    },
                )
            })
            .collect(),
    )
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

/// A shopper's own profile. Only ever called with the verified shopper's id.
pub async fn account(db: &Db, shopper_id: &str) -> Result<Option<Account>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT external_id, display_name, email, locale FROM shoppers WHERE external_id = $1",
    )
    .bind(shopper_id)
    .fetch_optional(db.reader())
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Account {
        shopper_id: row.try_get("external_id")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        locale: row.try_get("locale")?,
    }))
}

#[cfg(test)]
mod tests;
