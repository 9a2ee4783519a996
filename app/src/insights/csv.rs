//! The customers page's tables and a segment's customers as CSV (RFC 4180), for spreadsheets and a store's own
//! email tool.

use super::{CustomerInsights, SegmentMembers};

/// One CSV field. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return first) is
/// written with a leading apostrophe: names and emails come from shoppers.
pub fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One CSV line, its fields already written by [`field`] or numbers.
pub fn line(fields: impl IntoIterator<Item = String>) -> String {
    let mut line = fields.into_iter().collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The tables of the customers page, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Segments,
    Movement,
    Months,
    Cohorts,
    Tiers,
}

impl Table {
    pub fn from_code(code: &str) -> Option<Table> {
        match code {
            "segments" => Some(Table::Segments),
            "movement" => Some(Table::Movement),
            "months" => Some(Table::Months),
            "cohorts" => Some(Table::Cohorts),
            "tiers" => Some(Table::Tiers),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Table::Segments => "segments",
            Table::Movement => "movement",
            Table::Months => "months",
            Table::Cohorts => "cohorts",
            Table::Tiers => "tiers",
        }
    }
}

/// One table of the report, with a header line; amounts in minor units of `currency`.
pub fn table(report: &CustomerInsights, table: Table) -> String {
    let currency = || report.currency.clone();
    let mut csv = String::new();
    match table {
        Table::Segments => {
            csv += &line(
                [
                    "segment",
                    "customers",
                    "previous_customers",
                    "orders",
                    "value_minor",
                    "currency",
                ]
                .map(str::to_owned),
            );
            for row in &report.segments {
                csv += &line([
                    row.segment.code().to_owned(),
                    row.customers.to_string(),
                    row.previous_customers.to_string(),
                    row.orders.to_string(),
                    row.value_minor.to_string(),
                    currency(),
                ]);
            }
        }
        Table::Movement => {
            csv += &line(["from", "to", "customers"].map(str::to_owned));
            for row in &report.movement {
                let side =
                    |segment: Option<super::Segment>| segment.map_or("", |s| s.code()).to_owned();
                csv += &line([side(row.from), side(row.to), row.customers.to_string()]);
            }
        }
        Table::Months => {
            csv += &line(
                [
                    "month",
                    "new_customers",
                    "new_orders",
                    "new_value_minor",
                    "returning_customers",
                    "returning_orders",
                    "returning_value_minor",
                    "currency",
                ]
                .map(str::to_owned),
            );
            for row in &report.months {
                csv += &line([
                    row.month.clone(),
                    row.new_customers.to_string(),
                    row.new_orders.to_string(),
                    row.new_value_minor.to_string(),
                    row.returning_customers.to_string(),
                    row.returning_orders.to_string(),
                    row.returning_value_minor.to_string(),
                    currency(),
                ]);
            }
        }
        Table::Cohorts => {
            let widest = report.cohort_width();
            csv += &line(
                ["cohort".to_owned(), "customers".to_owned()]
                    .into_iter()
                    .chain((0..widest).map(|offset| format!("month_{offset}"))),
            );
            for cohort in &report.cohorts {
                csv += &line(
                    [cohort.month.clone(), cohort.customers.to_string()]
                        .into_iter()
                        .chain((0..widest).map(|offset| {
                            cohort
                                .active
                                .get(offset)
                                .map(i64::to_string)
                                .unwrap_or_default()
                        })),
                );
            }
        }
        Table::Tiers => {
            csv += &line(
                [
                    "tier",
                    "members",
                    "customers",
                    "orders",
                    "value_minor",
                    "currency",
                ]
                .map(str::to_owned),
            );
            for tier in &report.tiers {
                csv += &line([
                    field(&tier.code),
                    tier.members.to_string(),
                    tier.customers.to_string(),
                    tier.orders.to_string(),
                    tier.value_minor.to_string(),
                    currency(),
                ]);
            }
        }
    }
    csv
}

/// A segment's customers, one line each, with a header line.
pub fn members(page: &SegmentMembers) -> String {
    let mut csv = line(
        [
            "shopper_id",
            "email",
            "display_name",
            "last_order_at",
            "orders",
            "value_minor",
            "currency",
            "recency",
            "frequency",
            "monetary",
        ]
        .map(str::to_owned),
    );
    for member in &page.members {
        csv += &line([
            // A store key ([A-Za-z0-9._-]): written as it is, so that it matches the store's own.
            member.shopper_id.clone(),
            field(member.email.as_deref().unwrap_or_default()),
            field(&member.display_name),
            member.last_order_at.clone(),
            member.orders.to_string(),
            member.value_minor.to_string(),
            page.currency.clone(),
            member.rfm.recency.to_string(),
            member.rfm.frequency.to_string(),
            member.rfm.monetary.to_string(),
        ]);
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::{DateSpan, Rfm, Segment, SegmentMember};

    #[test]
    fn fields_are_quoted_when_they_must_be_and_formulas_are_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("Lee, Ann"), "\"Lee, Ann\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("@sum"), "'@sum");
    }

    #[test]
    fn a_segments_customers_are_one_line_each_after_the_header() {
        let page = SegmentMembers {
            segment: Segment::Loyal,
            period: DateSpan {
                first_day: "2026-01-01".into(),
                last_day: "2026-03-31".into(),
            },
            currency: "CNY".into(),
            total: 1,
            page: 1,
            per_page: 100,
            members: vec![SegmentMember {
                shopper_id: "s5".into(),
                email: None,
                display_name: "Wu, Fang".into(),
                last_order_at: "2026-03-30T12:00:00.000Z".into(),
                orders: 1,
                value_minor: 1000,
                rfm: Rfm {
                    recency: 5,
                    frequency: 1,
                    monetary: 5,
                },
            }],
        };
        let csv = members(&page);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "shopper_id,email,display_name,last_order_at,orders,value_minor,currency,recency,frequency,monetary"
        );
        assert_eq!(
            lines[1],
            "s5,,\"Wu, Fang\",2026-03-30T12:00:00.000Z,1,1000,CNY,5,1,5"
        );
        assert_eq!(lines[2], "");
    }
}
