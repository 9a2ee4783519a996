//! The "Widgets at work" tables as CSV (RFC 4180), for spreadsheets.

use super::{WidgetReport, WishedProduct};
use crate::insights::csv::{field, line};

/// The tables of the page, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Alerts,
    MostWished,
    NotBought,
    PriceDrops,
    Reviews,
    Tiers,
    TierReviews,
    Feed,
    Emails,
}

impl Table {
    pub const ALL: [Table; 9] = [
        Table::Alerts,
        Table::MostWished,
        Table::NotBought,
        Table::PriceDrops,
        Table::Reviews,
        Table::Tiers,
        Table::TierReviews,
        Table::Feed,
        Table::Emails,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Table::Alerts => "alerts",
            Table::MostWished => "most_wished",
            Table::NotBought => "not_bought",
            Table::PriceDrops => "price_drops",
            Table::Reviews => "reviews",
            Table::Tiers => "tiers",
            Table::TierReviews => "tier_reviews",
            Table::Feed => "feed",
            Table::Emails => "emails",
        }
    }

    pub fn from_code(code: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|table| table.code() == code)
    }
}

fn header(names: &[&str]) -> String {
    line(names.iter().map(|name| (*name).to_owned()))
}

fn wished(products: &[WishedProduct]) -> String {
    let mut csv = header(&["sku", "title", "saves", "bought"]);
    for row in products {
        csv += &line([
            field(&row.sku),
            field(&row.title),
            row.saves.to_string(),
            row.bought.to_string(),
        ]);
    }
    csv
}

/// One table of the report's period, with a header line; amounts in minor units of the report's currency.
pub fn table(report: &WidgetReport, table: Table) -> String {
    let figures = &report.figures;
    match table {
        Table::Alerts => {
            let mut csv = header(&[
                "kind",
                "alerts_started",
                "alerts_confirmed",
                "notices",
                "emailed",
                "seen",
                "clicked",
                "purchases",
                "value_minor",
                "currency",
            ]);
            for row in &figures.alerts {
                csv += &line([
                    row.kind.clone(),
                    row.alerts_started.to_string(),
                    row.alerts_confirmed.to_string(),
                    row.notices.to_string(),
                    row.emailed.to_string(),
                    row.seen.to_string(),
                    row.clicked.to_string(),
                    row.purchases.to_string(),
                    row.value_minor.to_string(),
                    report.currency.clone(),
                ]);
            }
            csv
        }
        Table::MostWished => wished(&figures.wish_lists.most_wished),
        Table::NotBought => wished(&figures.wish_lists.not_bought),
        Table::PriceDrops => {
            let mut csv = header(&["sku", "title", "saves", "bought", "value_minor", "currency"]);
            for row in &figures.wish_lists.price_drops {
                csv += &line([
                    field(&row.sku),
                    field(&row.title),
                    row.saves.to_string(),
                    row.bought.to_string(),
                    row.value_minor.to_string(),
                    report.currency.clone(),
                ]);
            }
            csv
        }
        Table::Reviews => {
            let mut csv = header(&[
                "month", "1_star", "2_stars", "3_stars", "4_stars", "5_stars", "verified",
            ]);
            for month in &figures.reviews.months {
                csv += &line(
                    std::iter::once(month.month.clone())
                        .chain(month.ratings.iter().map(i64::to_string))
                        .chain([month.verified.to_string()]),
                );
            }
            csv
        }
        Table::Tiers => {
            let tiers = &report.tiers;
            let mut csv = line(
                std::iter::once("month".to_owned())
                    .chain(tiers.tiers.iter().skip(1).map(|tier| field(&tier.code))),
            );
            for month in &tiers.months {
                csv += &line(
                    std::iter::once(month.month.clone())
                        .chain(month.members.iter().map(i64::to_string)),
                );
            }
            csv
        }
        Table::TierReviews => {
            let mut csv = header(&["review_day", "up", "down"]);
            for review in &report.tiers.reviews {
                csv += &line([
                    review.day.clone(),
                    review.up.to_string(),
                    review.down.to_string(),
                ]);
            }
            csv
        }
        Table::Emails => {
            let mut csv = header(&[
                "kind",
                "purpose",
                "queued",
                "delivered",
                "failed",
                "to_webhook",
                "opened",
                "clicked",
                "orders_within_7_days",
                "value_minor",
            ]);
            for row in &figures.emails {
                csv += &line([
                    row.kind.clone(),
                    row.purpose.clone(),
                    row.queued.to_string(),
                    row.delivered.to_string(),
                    row.failed.to_string(),
                    row.to_webhook.to_string(),
                    row.opened.to_string(),
                    row.clicked.to_string(),
                    row.purchases.to_string(),
                    row.value_minor.to_string(),
                ]);
            }
            csv
        }
        Table::Feed => {
            let mut csv = header(&["shelf", "impressions", "clicks", "click_through_percent"]);
            for row in &figures.feed {
                csv += &line([
                    row.shelf.key().to_owned(),
                    row.impressions.to_string(),
                    row.clicks.to_string(),
                    row.click_through
                        .map_or_else(String::new, |share| share.to_string()),
                ]);
            }
            csv
        }
    }
}
