//! The tiers' server functions: the member's standing for the widgets, and the merchant's tiers page.

use super::draft::{ProgrammeDraft, RulesDraft, TierDraft};
use super::{MemberStanding, TierPreview, TiersOverview};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::draft::DraftEdit, super::ssr, crate::identity::merchant::request_merchant,
    crate::identity::ssr::request_shopper, crate::kernel::error::respond_with,
    crate::kernel::time::now, crate::store::store_error,
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
    /// The rules in the form: a draft being edited, else the ones in force.
    pub editor: RulesDraft,
    /// The draft shown, when one is.
    pub draft: Option<String>,
    /// What the draft would do, or its first mistake, when its post asked for a preview.
    pub preview: Option<Result<TierPreview, AppError>>,
}

/// The tiers page, with the merchant's `draft` in the form when given. Merchants only.
#[server]
pub async fn load_tiers_desk(draft: Option<String>) -> Result<MerchantTiers, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let overview = ssr::overview(&db).await.map_err(store_error)?;
    let draft = draft.filter(|id| !id.trim().is_empty());
    let kept = match &draft {
        None => None,
        Some(id) => match ssr::draft_of(&db, &merchant, id).await {
            Ok(kept) => Some(kept),
            // A draft gone (a week old, or never this merchant's): the rules in force, saying why.
            Err(error) => {
                let error = AppError::from(error);
                if error.code != crate::kernel::error::ErrorCode::NotFound {
                    return Err(respond_with(error));
                }
                return Ok(MerchantTiers {
                    merchant,
                    editor: RulesDraft::from(&overview.rules),
                    overview,
                    draft: None,
                    preview: Some(Err(error)),
                });
            }
        },
    };
    let (editor, preview) = match kept {
        None => (RulesDraft::from(&overview.rules), None),
        Some((editor, previewed)) => {
            let preview = match previewed.then(|| editor.to_rules()) {
                None => None,
                Some(Ok(rules)) => Some(
                    // A preview's failure is part of the page, not the page's failure.
                    ssr::preview(&db, &rules, now())
                        .await
                        .map_err(AppError::from),
                ),
                Some(Err(error)) => Some(Err(error)),
            };
            (editor, preview)
        }
    };
    Ok(MerchantTiers {
        merchant,
        overview,
        editor,
        draft,
        preview,
    })
}

/// Takes the tiers page's form: adds or removes a tier or benefit when `edit` names one (a button's value),
/// else asks for a preview; keeps the result as a draft and shows the page with it. Merchants only.
#[server]
pub async fn edit_tier_rules(
    programme: ProgrammeDraft,
    #[server(default)] tiers: Vec<TierDraft>,
    edit: Option<String>,
) -> Result<String, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let mut draft = RulesDraft { programme, tiers };
    draft.check_size().map_err(respond_with)?;
    let edit = edit
        .filter(|edit| !edit.is_empty())
        .map(|edit| DraftEdit::parse(&edit))
        .transpose()
        .map_err(respond_with)?;
    if let Some(edit) = edit {
        draft.apply(edit).map_err(respond_with)?;
    }
    let id = ssr::keep_draft(&db, &merchant, &draft, edit.is_none(), now())
        .await
        .map_err(store_error)?;
    // Back to where the merchant was: the tier just edited, or the preview.
    let place = match edit {
        None => "tiers-outcome".to_owned(),
        Some(DraftEdit::AddTier) => format!("tier-{}", draft.tiers.len() - 1),
        Some(DraftEdit::RemoveTier(_)) => "tiers-add".to_owned(),
        Some(DraftEdit::AddBenefit(tier) | DraftEdit::RemoveBenefit(tier, _)) => {
            format!("tier-{tier}")
        }
    };
    leptos_axum::redirect(&format!("/merchant/tiers?draft={id}#{place}"));
    Ok(id)
}

/// Saves the merchant's `draft` as the next version of the rules, then shows the tiers page with it.
/// Merchants only.
#[server]
pub async fn save_tier_rules(draft: String) -> Result<i64, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let (draft, _) = ssr::draft_of(&db, &merchant, &draft)
        .await
        .map_err(store_error)?;
    let rules = draft.to_rules().map_err(respond_with)?;
    let version = ssr::save_rules(&db, &rules, &format!("merchant:{merchant}"), now())
        .await
        .map_err(store_error)?;
    leptos_axum::redirect(&format!("/merchant/tiers?saved={version}"));
    Ok(version)
}
