//! Each shopper's email preferences: read for a page or widget, changed by the shopper, and consulted when messages
//! are queued. Turning a kind off also withdraws that shopper's messages of the kind still waiting in the outbox.

use crate::kernel::ids::ShopperKey;
use crate::kernel::time::Millis;
use crate::messages::{EmailPreference, EmailPreferences, MarketingConsent, MessageKind};
use crate::store::{Db, IdSet, StoreError, Tx};
use std::collections::HashMap;

/// `shopper`'s preferences, each kind as it stands under `consent`.
pub async fn preferences(
    db: &Db,
    shopper: ShopperKey,
    consent: MarketingConsent,
    about: Option<MessageKind>,
) -> Result<EmailPreferences, StoreError> {
    let choices: HashMap<String, bool> = sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, allowed FROM email_preferences WHERE shopper_id = $1",
    )
    .bind(shopper)
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .map(|(kind, allowed)| (kind, allowed == 1))
    .collect();
    Ok(EmailPreferences {
        about,
        preferences: MessageKind::ALL
            .into_iter()
            .map(|kind| EmailPreference {
                kind,
                purpose: kind.purpose(),
                allowed: kind.allowed(choices.get(kind.key()).copied(), consent),
            })
            .collect(),
    })
}

/// Records `shopper`'s choices (each kind on or off); a kind turned off takes back their messages of it that have
/// not gone out yet.
pub async fn choose(
    db: &Db,
    shopper: ShopperKey,
    choices: &[(MessageKind, bool)],
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    for (kind, allowed) in choices {
        sqlx::query(
            "INSERT INTO email_preferences (shopper_id, kind, allowed, changed_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (shopper_id, kind) DO UPDATE SET allowed = excluded.allowed, changed_at = excluded.changed_at",
        )
        .bind(shopper)
        .bind(kind.key())
        .bind(i64::from(*allowed))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if !allowed {
            sqlx::query(
                "DELETE FROM messages WHERE shopper_id = $1 AND kind = $2 AND status = 'queued'",
            )
            .bind(shopper)
            .bind(kind.key())
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Of `shoppers`, those whom messages of `kind` may not go to under `consent`.
pub(super) async fn refusing(
    tx: &mut Tx,
    shoppers: &[i64],
    kind: MessageKind,
    consent: MarketingConsent,
) -> Result<Vec<i64>, StoreError> {
    let set = IdSet::new(tx, shoppers);
    let choices: HashMap<i64, bool> = sqlx::query_as::<_, (i64, i64)>(&format!(
        "SELECT p.shopper_id, p.allowed FROM {} \
         JOIN email_preferences p ON p.shopper_id = k.id AND p.kind = $2",
        set.table("k", 1)
    ))
    .bind(set.value())
    .bind(kind.key())
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(shopper, allowed)| (shopper, allowed == 1))
    .collect();
    Ok(shoppers
        .iter()
        .copied()
        .filter(|shopper| !kind.allowed(choices.get(shopper).copied(), consent))
        .collect())
}
