//! The insights' server functions: the merchant's customers page.

use super::CustomerInsights;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::rules::report_periods, super::ssr, crate::identity::merchant::request_merchant,
    crate::kernel::context::server_context, crate::kernel::time::now, crate::store::store_error,
};

/// The customers page: who is signed in, and the report they asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MerchantCustomers {
    pub merchant: String,
    pub report: CustomerInsights,
}

/// The customers page's figures for `from` to `to` (dates, both included; the year to today when blank), compared
/// with `compare` (`previous` or `year_before`). Merchants only.
#[server]
pub async fn load_customer_insights(
    from: Option<String>,
    to: Option<String>,
    compare: Option<String>,
) -> Result<MerchantCustomers, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let insights = server_context::<ssr::Insights>()?;
    let (period, comparison, previous) =
        report_periods(from.as_deref(), to.as_deref(), compare.as_deref(), now())
            .map_err(crate::kernel::error::respond_with)?;
    let report = ssr::customer_insights(&db, &insights, period, comparison, previous)
        .await
        .map_err(store_error)?;
    Ok(MerchantCustomers { merchant, report })
}
