//! The tiers' server functions: the member's standing for the widgets, and the merchant's tiers page.

use super::{MemberStanding, TierPreview, TierRules, TiersOverview};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::ssr, crate::identity::merchant::request_merchant, crate::identity::ssr::request_shopper,
    crate::kernel::error::respond_with, crate::kernel::time::now, crate::store::store_error,
};

/// Where the signed-in shopper stands in the member programme, with the rules that place them.
#[server(client = RapportClient)]
pub async fn my_tier() -> Result<MemberStanding, AppError> {
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::standing_of(&db, &shopper, now())
        .await
        .map_err(store_error)
}

/// The merchant's tiers page: the programme as it stands, the rules being edited, and what they would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MerchantTiers {
    pub merchant: String,
    pub overview: TiersOverview,
    /// The rules in the editor: the proposed ones when previewing, else the ones in force, as JSON.
    pub editor: String,
    /// What the proposed rules would do, or why they cannot be used.
    pub preview: Option<Result<TierPreview, AppError>>,
}

/// Reads a rule set the merchant typed as JSON.
pub fn parse_rules(json: &str) -> Result<TierRules, AppError> {
    serde_json::from_str(json)
        .map_err(|error| AppError::invalid("rules", format!("the rules cannot be read: {error}")))
}

/// The tiers page, previewing `proposed` (rules as JSON) when given. Merchants only.
#[server]
pub async fn load_tiers_desk(proposed: Option<String>) -> Result<MerchantTiers, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let overview = ssr::overview(&db).await.map_err(store_error)?;
    let (editor, preview) = match proposed.filter(|json| !json.trim().is_empty()) {
        None => (
            serde_json::to_string_pretty(&overview.rules).map_err(|_| AppError::internal())?,
            None,
        ),
        Some(json) => {
            let preview = match parse_rules(&json) {
                Ok(rules) => ssr::preview(&db, &rules, now())
                    .await
                    .map_err(AppError::from),
                Err(error) => Err(error),
            };
            (json, Some(preview))
        }
    };
    Ok(MerchantTiers {
        merchant,
        overview,
        editor,
        preview,
    })
}

/// Saves `rules_json` as the next version of the rules, then shows the tiers page with it. Merchants only.
#[server]
pub async fn save_tier_rules(rules_json: String) -> Result<i64, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let rules = parse_rules(&rules_json).map_err(respond_with)?;
    let version = ssr::save_rules(&db, &rules, &format!("merchant:{merchant}"), now())
        .await
        .map_err(store_error)?;
    leptos_axum::redirect(&format!("/merchant/tiers?saved={version}"));
    Ok(version)
}
