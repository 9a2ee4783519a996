//! The alerts' server functions, called by the `PriceAlert`, `AlertInbox` and `MyAlerts` widgets. Each acts for
//! the verified viewer and reaches only that viewer's alerts and notices.

use super::{Alert, AlertKind, Inbox, PriceRule, ProductAlerts};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::ssr,
    crate::identity::Viewer,
    crate::identity::ssr::identity,
    crate::identity::ssr::request_viewer,
    crate::identity::throttle::current_client,
    crate::kernel::error::{Translation, respond_with},
    crate::kernel::time::now,
    crate::store::store_error,
};

/// The shopper's alerts and notice preferences, for the account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettings {
    pub alerts: Vec<Alert>,
    /// Whether the shopper hears when something in their wish lists gets dearer.
    pub price_rise_notices: bool,
}

/// A product's price and stock and the viewer's live alerts on it.
#[server(client = RapportClient)]
pub async fn alerts_on_product(sku: String, locale: String) -> Result<ProductAlerts, AppError> {
    let db = crate::store::db()?;
    let policy: super::rules::AlertPolicy = crate::kernel::context::server_context()?;
    let viewer = request_viewer().await?;
    ssr::product_alerts(&db, &viewer, &sku, &locale, &policy)
        .await
        .map_err(store_error)
}

/// Subscribes the viewer to an alert on a product, or changes the one they have (`email` for guests).
#[server(client = RapportClient, input = server_fn::codec::Json)]
pub async fn subscribe_alert(
    sku: String,
    kind: AlertKind,
    rule: PriceRule,
    email: Option<String>,
    locale: String,
) -> Result<Alert, AppError> {
    // Every piece of the request's context is taken before the first await: a page render polls a server
    // function's later steps outside the request's reactive owner.
    let db = crate::store::db()?;
    let policy: super::rules::AlertPolicy = crate::kernel::context::server_context()?;
    let throttles = identity()?.throttles;
    let client = current_client();
    let viewer = request_viewer().await?;
    // A guest's sign-up sends a confirmation email to any address written: slowed per client and per address.
    let sign_up = match (&viewer, &email) {
        (Viewer::Guest(_), Some(address)) => {
            Some([client, format!("email:{}", address.trim().to_lowercase())])
        }
        _ => None,
    };
    let moment = std::time::Instant::now();
    if let Some(keys) = &sign_up {
        throttles
            .email_sign_ups
            .check(keys, moment, Translation::of("error.alert_sign_ups"))
            .map_err(respond_with)?;
    }
    let request = ssr::AlertRequest { kind, rule, email };
    let alert = ssr::subscribe(&db, &viewer, &sku, &request, &locale, &policy, now())
        .await
        .map_err(store_error)?;
    if let Some(keys) = &sign_up {
        throttles.email_sign_ups.record(keys, moment);
    }
    Ok(alert)
}

/// Cancels one of the shopper's alerts.
#[server(client = RapportClient)]
pub async fn cancel_alert(alert_id: i64) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::cancel(&db, &viewer, alert_id, now())
        .await
        .map_err(store_error)
}

/// The shopper's live alerts and notice preferences.
#[server(client = RapportClient)]
pub async fn my_alert_settings(locale: String) -> Result<AlertSettings, AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    Ok(AlertSettings {
        alerts: ssr::my_alerts(&db, &viewer, &locale)
            .await
            .map_err(store_error)?,
        price_rise_notices: ssr::price_rise_notices(&db, &viewer)
            .await
            .map_err(store_error)?,
    })
}

/// Turns notices of price rises on wish-list items on or off.
#[server(client = RapportClient)]
pub async fn choose_price_rise_notices(enabled: bool) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::set_price_rise_notices(&db, &viewer, enabled)
        .await
        .map_err(store_error)
}

/// Confirms a guest's alert from the link in its confirmation email.
#[server]
pub async fn confirm_alert(token: String, locale: String) -> Result<Alert, AppError> {
    let db = crate::store::db()?;
    ssr::confirm(&db, &token, &locale, now())
        .await
        .map_err(store_error)
}

/// The alert an email's unsubscribe link names, for its page.
#[server]
pub async fn alert_of_unsubscribe_link(token: String, locale: String) -> Result<Alert, AppError> {
    let db = crate::store::db()?;
    let alert_id = crate::identity::token::verify_unsubscribe(&identity()?.secret, &token)
        .map_err(respond_with)?;
    ssr::alert(&db, alert_id, &locale)
        .await
        .map_err(store_error)
}

/// The shopper's in-widget notices and unread count.
#[server(client = RapportClient)]
pub async fn inbox_notices(locale: String) -> Result<Inbox, AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::inbox(&db, &viewer, &locale).await.map_err(store_error)
}

/// Marks the shopper's notices read (the inbox was opened).
#[server(client = RapportClient)]
pub async fn mark_inbox_read() -> Result<(), AppError> {
    let db = crate::store::db()?;
    let viewer = request_viewer().await?;
    ssr::mark_read(&db, &viewer, now())
        .await
        .map_err(store_error)
}
