//! The tier maths, as plain functions: growth over the window, the tier it reaches, upgrades and one-step
//! downgrades, what keeps a tier, and the validation of a rule set.

use super::{Benefit, KeepTier, MemberStanding, Tier, TierRules};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::money::{Money, validate_currency};
use crate::kernel::time::{DAY_MS, Millis, period_bounds, window_start};
use crate::kernel::validate::{TextRule, text};
use std::collections::BTreeMap;

/// The icons a tier may show.
pub const ICONS: [&str; 4] = ["medal", "star", "crown", "diamond"];
pub const MAX_TIERS: usize = 10;
pub const MAX_BENEFITS: usize = 12;
const MAX_NAME_CHARS: usize = 60;
const MAX_BENEFIT_CHARS: usize = 160;

/// An order as growth sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    pub placed_at: Millis,
    pub currency: String,
    pub subtotal_minor: i64,
    pub shipping_minor: i64,
    pub tax_minor: i64,
    pub refunded_minor: i64,
    pub cancelled: bool,
}

/// Review points that still count (not revoked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointsFacts {
    pub awarded_at: Millis,
    /// `YYYY-MM`, the month the points are capped in.
    pub month: String,
    pub points: i64,
}

/// A member's growth at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Growth {
    /// Spend past its return window.
    pub spend_minor: i64,
    /// Spend inside its return window.
    pub pending_minor: i64,
    /// Review points after the monthly cap.
    pub activity_points: i64,
    pub activity_minor: i64,
}

impl Growth {
    /// What tiers are measured by: settled spend plus activity.
    pub fn value(&self) -> i64 {
        self.spend_minor + self.activity_minor
    }
}

fn names(en: &str, zh: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("en".to_owned(), en.to_owned()),
        ("zh-CN".to_owned(), zh.to_owned()),
    ])
}

fn benefit(code: &str, value: Option<i64>, en: &str, zh: &str) -> Benefit {
    Benefit {
        code: code.into(),
        names: names(en, zh),
        value,
    }
}

impl Default for TierRules {
    /// Bronze, Silver, Gold and Diamond at ¥0, ¥1,000, ¥5,000 and ¥20,000 of growth over 12 months, reviewed
    /// quarterly in Beijing time; a review point is worth ¥1, at most 50 a month.
    fn default() -> Self {
        let tier =
            |code: &str, en: &str, zh: &str, colour: &str, icon: &str, threshold: i64, benefits| {
                Tier {
                    code: code.into(),
                    names: names(en, zh),
                    colour: colour.into(),
                    icon: icon.into(),
                    threshold_minor: threshold,
                    benefits,
                }
            };
        TierRules {
            currency: "CNY".into(),
            window_days: 365,
            count_shipping: false,
            count_tax: false,
            return_window_days: 7,
            points_value_minor: 100,
            points_monthly_cap: 50,
            review_every_months: 3,
            utc_offset_minutes: 480,
            warn_days: 30,
            tiers: vec![
                tier(
                    "bronze",
                    "Bronze",
                    "铜牌",
                    "#8c5a2b",
                    "medal",
                    0,
                    vec![
                        benefit(
                            "free_shipping_over",
                            Some(9_900),
                            "Free shipping on orders over ¥99",
                            "订单满¥99包邮",
                        ),
                        benefit(
                            "review_points_percent",
                            Some(100),
                            "Review points at the standard rate",
                            "评价积分标准倍率",
                        ),
                    ],
                ),
                tier(
                    "silver",
                    "Silver",
                    "银牌",
                    "#5f6b76",
                    "star",
                    100_000,
                    vec![
                        benefit(
                            "free_shipping_over",
                            Some(4_900),
                            "Free shipping on orders over ¥49",
                            "订单满¥49包邮",
                        ),
                        benefit(
                            "review_points_percent",
                            Some(125),
                            "1.25× review points",
                            "评价积分1.25倍",
                        ),
                        benefit(
                            "birthday_gift",
                            Some(2_000),
                            "A ¥20 birthday coupon",
                            "¥20生日礼券",
                        ),
                    ],
                ),
                tier(
                    "gold",
                    "Gold",
                    "金牌",
                    "#9a6a00",
                    "crown",
                    500_000,
                    vec![
                        benefit(
                            "free_shipping_over",
                            Some(0),
                            "Free shipping on every order",
                            "全场包邮",
                        ),
                        benefit(
                            "review_points_percent",
                            Some(150),
                            "1.5× review points",
                            "评价积分1.5倍",
                        ),
                        benefit(
                            "birthday_gift",
                            Some(5_000),
                            "A ¥50 birthday coupon",
                            "¥50生日礼券",
                        ),
                        benefit(
                            "priority_service",
                            None,
                            "Priority customer service",
                            "优先客服",
                        ),
                    ],
                ),
                tier(
                    "diamond",
                    "Diamond",
                    "钻石",
                    "#1f5f99",
                    "diamond",
                    2_000_000,
                    vec![
                        benefit(
                            "free_shipping_over",
                            Some(0),
                            "Free shipping on every order",
                            "全场包邮",
                        ),
                        benefit(
                            "review_points_percent",
                            Some(200),
                            "Double review points",
                            "评价积分双倍",
                        ),
                        benefit(
                            "birthday_gift",
                            Some(10_000),
                            "A ¥100 birthday coupon",
                            "¥100生日礼券",
                        ),
                        benefit(
                            "priority_service",
                            None,
                            "Priority customer service with a personal advisor",
                            "专属顾问优先客服",
                        ),
                    ],
                ),
            ],
        }
    }
}

fn validate_names(
    field: &str,
    names: &BTreeMap<String, String>,
    limit: usize,
) -> Result<(), AppError> {
    for (locale, _) in crate::i18n::languages() {
        match names.get(locale).map(|name| name.trim()) {
            None | Some("") => {
                return Err(AppError::invalid(
                    format!("{field}.{locale}"),
                    Translation::of("error.rule.required"),
                ));
            }
            Some(name) => text(&format!("{field}.{locale}"), name, TextRule::line(limit))?,
        }
    }
    if let Some(other) = names
        .keys()
        .find(|locale| crate::i18n::negotiate(locale) != Some(locale.as_str()))
    {
        return Err(AppError::invalid(
            format!("{field}.{other}"),
            Translation::of("error.rule.unknown_language"),
        ));
    }
    Ok(())
}

fn validate_code(field: &str, code: &str) -> Result<(), AppError> {
    if code.is_empty()
        || code.len() > 32
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(AppError::invalid(
            field,
            Translation::of("error.rule.tier_code"),
        ));
    }
    Ok(())
}

fn within(field: &str, value: i64, range: std::ops::RangeInclusive<i64>) -> Result<(), AppError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            Translation::with(
                "error.rule.between",
                &[
                    ("min", range.start().to_string()),
                    ("max", range.end().to_string()),
                ],
            ),
        ))
    }
}

impl TierRules {
    /// Checks a rule set before it is saved: every tier named in every language, thresholds starting at 0 (no
    /// member without a tier) and strictly increasing, no negative amounts, sane windows.
    pub fn validate(&self) -> Result<(), AppError> {
        validate_currency(&self.currency)
            .map_err(|message| AppError::invalid("currency", message))?;
        within("window_days", self.window_days, 1..=1_096)?;
        within("return_window_days", self.return_window_days, 0..=90)?;
        if self.return_window_days >= self.window_days {
            return Err(AppError::invalid(
                "return_window_days",
                Translation::of("error.rule.shorter_than_window"),
            ));
        }
        within("points_value_minor", self.points_value_minor, 0..=1_000_000)?;
        within("points_monthly_cap", self.points_monthly_cap, 0..=1_000_000)?;
        if ![1, 2, 3, 4, 6, 12].contains(&self.review_every_months) {
            return Err(AppError::invalid(
                "review_every_months",
                Translation::of("error.rule.review_months"),
            ));
        }
        within("utc_offset_minutes", self.utc_offset_minutes, -720..=840)?;
        within("warn_days", self.warn_days, 0..=90)?;
        if self.tiers.is_empty() || self.tiers.len() > MAX_TIERS {
            return Err(AppError::invalid(
                "tiers",
                Translation::with("error.rule.tier_count", &[("max", MAX_TIERS.to_string())]),
            ));
        }
        for (index, tier) in self.tiers.iter().enumerate() {
            let field = |name: &str| format!("tiers[{index}].{name}");
            validate_code(&field("code"), &tier.code)?;
            if self.tiers[..index]
                .iter()
                .any(|earlier| earlier.code == tier.code)
            {
                return Err(AppError::invalid(
                    field("code"),
                    Translation::with("error.rule.code_taken", &[("code", tier.code.clone())]),
                ));
            }
            validate_names(&field("names"), &tier.names, MAX_NAME_CHARS)?;
            let colour = tier.colour.as_bytes();
            if colour.len() != 7
                || colour[0] != b'#'
                || !colour[1..].iter().all(u8::is_ascii_hexdigit)
            {
                return Err(AppError::invalid(
                    field("colour"),
                    Translation::of("error.rule.colour"),
                ));
            }
            if !ICONS.contains(&tier.icon.as_str()) {
                return Err(AppError::invalid(
                    field("icon"),
                    Translation::with("error.rule.one_of", &[("choices", ICONS.join(", "))]),
                ));
            }
            if tier.threshold_minor < 0 {
                return Err(AppError::invalid(
                    field("threshold_minor"),
                    Translation::of("error.rule.not_negative"),
                ));
            }
            if index == 0 && tier.threshold_minor != 0 {
                return Err(AppError::invalid(
                    field("threshold_minor"),
                    Translation::of("error.rule.first_tier_zero"),
                ));
            }
            if index > 0 && tier.threshold_minor <= self.tiers[index - 1].threshold_minor {
                return Err(AppError::invalid(
                    field("threshold_minor"),
                    // The amount as the form's inputs hold it, which reads the same in every language, with its
                    // currency: the merchant API takes thresholds in minor units, so a bare decimal would mislead.
                    Translation::with(
                        "error.rule.above_threshold",
                        &[(
                            "amount",
                            format!(
                                "{} {}",
                                Money::new(self.tiers[index - 1].threshold_minor, &self.currency)
                                    .plain(),
                                self.currency
                            ),
                        )],
                    ),
                ));
            }
            if tier.benefits.len() > MAX_BENEFITS {
                return Err(AppError::invalid(
                    field("benefits"),
                    Translation::with(
                        "error.rule.max_benefits",
                        &[("max", MAX_BENEFITS.to_string())],
                    ),
                ));
            }
            for (number, benefit) in tier.benefits.iter().enumerate() {
                let field = |name: &str| format!("tiers[{index}].benefits[{number}].{name}");
                validate_code(&field("code"), &benefit.code)?;
                validate_names(&field("names"), &benefit.names, MAX_BENEFIT_CHARS)?;
                if benefit.value.is_some_and(|value| value < 0) {
                    return Err(AppError::invalid(
                        field("value"),
                        Translation::of("error.rule.not_negative"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The tier at `rank`, clamped to the rule set.
    pub fn tier(&self, rank: usize) -> &Tier {
        &self.tiers[rank.min(self.tiers.len() - 1)]
    }

    pub fn rank_of(&self, code: &str) -> Option<usize> {
        self.tiers.iter().position(|tier| tier.code == code)
    }

    /// The highest tier a growth value reaches.
    pub fn qualified(&self, growth_minor: i64) -> usize {
        self.tiers
            .iter()
            .rposition(|tier| tier.threshold_minor <= growth_minor)
            .unwrap_or(0)
    }

    /// What an order adds to growth: its goods (with shipping and tax when the rules say so), less what was
    /// refunded, never below zero; nothing when it was cancelled or paid in another currency.
    pub fn counted_spend(&self, order: &OrderFacts) -> i64 {
        if order.cancelled || order.currency != self.currency {
            return 0;
        }
        let mut counted = order.subtotal_minor;
        if self.count_shipping {
            counted += order.shipping_minor;
        }
        if self.count_tax {
            counted += order.tax_minor;
        }
        (counted - order.refunded_minor).max(0)
    }

    /// Growth at `at`: orders and points of the window that ends at `at` (its start excluded, `at` included).
    pub fn growth(&self, orders: &[OrderFacts], points: &[PointsFacts], at: Millis) -> Growth {
        let start = window_start(at, self.window_days);
        let settles_before = at - self.return_window_days * DAY_MS;
        let mut growth = Growth::default();
        for order in orders
            .iter()
            .filter(|o| o.placed_at > start && o.placed_at <= at)
        {
            let counted = self.counted_spend(order);
            if order.placed_at <= settles_before {
                growth.spend_minor += counted;
            } else {
                growth.pending_minor += counted;
            }
        }
        let mut per_month: BTreeMap<&str, i64> = BTreeMap::new();
        for award in points
            .iter()
            .filter(|p| p.awarded_at > start && p.awarded_at <= at)
        {
            *per_month.entry(award.month.as_str()).or_default() += award.points;
        }
        self.add_activity(&mut growth, per_month.into_values());
        growth
    }

    /// Adds review points, given as each month's total, capped per month and valued.
    pub fn add_activity(&self, growth: &mut Growth, monthly: impl IntoIterator<Item = i64>) {
        growth.activity_points = monthly
            .into_iter()
            .map(|points| points.min(self.points_monthly_cap))
            .sum();
        growth.activity_minor = growth.activity_points * self.points_value_minor;
    }

    /// [`Self::counted_spend`] of the `orders` row, as SQL, for adding up in the database.
    pub fn counted_spend_sql(&self) -> String {
        let counted = format!(
            "subtotal_minor{}{} - refunded_minor",
            if self.count_shipping {
                " + shipping_minor"
            } else {
                ""
            },
            if self.count_tax { " + tax_minor" } else { "" },
        );
        format!(
            "CASE WHEN status = 'cancelled' OR currency <> '{}' OR {counted} < 0 THEN 0 ELSE {counted} END",
            self.currency
        )
    }

    /// The last review at or before `at`, and the next one after it.
    pub fn reviews_around(&self, at: Millis) -> (Millis, Millis) {
        let (start, next) =
            period_bounds(at, self.review_every_months as u32, self.utc_offset_minutes);
        (start, next)
    }
}

/// The tier held after growth changed between reviews: up at once, never down.
pub fn after_growth(held: usize, qualified: usize) -> usize {
    held.max(qualified)
}

/// The tier held after a review: up to what the growth reaches, or down by one tier at most.
pub fn after_review(held: usize, qualified: usize) -> usize {
    if qualified >= held {
        qualified
    } else {
        qualified.max(held - 1)
    }
}

/// Progress from one threshold to the next, in whole percent rounded down: 100 only once it is reached.
pub fn progress_percent(growth: i64, from: i64, to: i64) -> u8 {
    if to <= from || growth >= to {
        return 100;
    }
    let done = (growth - from).max(0) as i128 * 100 / (to - from) as i128;
    done.min(99) as u8
}

/// Where a member stands at `now`, holding `held` (tier index and since when) before this moment, with
/// `growth` today and `at_review` the growth that will still count at the next review
/// (`rules.reviews_around(now).1`), from what is known today.
pub fn standing(
    rules: &TierRules,
    rules_version: i64,
    held: Option<(usize, Millis)>,
    growth: Growth,
    at_review: Growth,
    now: Millis,
) -> MemberStanding {
    let value = growth.value();
    let qualified_rank = rules.qualified(value);
    let (rank, since) = match held {
        Some((rank, since)) => {
            let rank = rank.min(rules.tiers.len() - 1);
            if qualified_rank > rank {
                (qualified_rank, Some(now))
            } else {
                (rank, Some(since))
            }
        }
        None if value > 0 || qualified_rank > 0 => (qualified_rank, Some(now)),
        None => (qualified_rank, None),
    };
    let money = |minor| Money::new(minor, &rules.currency);
    let next = rules.tiers.get(rank + 1);
    let keep = (rank > 0).then(|| {
        let (_, review_at) = rules.reviews_around(now);
        let projected = at_review.value();
        let needed = (rules.tier(rank).threshold_minor - projected).max(0);
        KeepTier {
            review_at,
            order_by: review_at - rules.return_window_days * DAY_MS,
            projected: money(projected),
            needed: money(needed),
            warn: needed > 0 && review_at - now <= rules.warn_days * DAY_MS,
        }
    });
    MemberStanding {
        rules_version,
        rules: rules.clone(),
        rank,
        qualified_rank,
        since,
        window_start: window_start(now, rules.window_days),
        spend: money(growth.spend_minor),
        pending: money(growth.pending_minor),
        activity_points: growth.activity_points,
        activity: money(growth.activity_minor),
        growth: money(value),
        to_next: next.map(|tier| money((tier.threshold_minor - value).max(0))),
        progress_percent: next.map_or(100, |tier| {
            progress_percent(
                value,
                rules.tier(rank).threshold_minor,
                tier.threshold_minor,
            )
        }),
        keep,
    }
}

#[cfg(test)]
mod tests;
