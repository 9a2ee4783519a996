//! The merchant pages' server functions.

use super::WidgetReport;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::ssr, crate::identity::merchant::request_merchant,
    crate::insights::rules::report_periods, crate::insights::ssr::Insights,
    crate::kernel::context::server_context, crate::kernel::time::now, crate::store::store_error,
};

/// The "Widgets at work" page: who is signed in, and the report they asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MerchantWidgets {
    pub merchant: String,
    pub report: WidgetReport,
}

/// What the widgets did from `from` to `to` (dates, both included; the year to today when blank), compared with
/// `compare` (`previous` or `year_before`). Merchants only.
#[server]
pub async fn load_widget_report(
    from: Option<String>,
    to: Option<String>,
    compare: Option<String>,
) -> Result<MerchantWidgets, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let insights = server_context::<Insights>()?;
    let today = now();
    let (period, comparison, previous) =
        report_periods(from.as_deref(), to.as_deref(), compare.as_deref(), today)
            .map_err(crate::kernel::error::respond_with)?;
    let report = ssr::widget_report(
        &db,
        &insights.policy.currency,
        period,
        comparison,
        previous,
        today,
    )
    .await
    .map_err(store_error)?;
    Ok(MerchantWidgets { merchant, report })
}
