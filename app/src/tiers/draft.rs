//! The tiers page's form of fields: the rules as the merchant is typing them (every value still text), the
//! buttons that add and remove tiers and benefits, and the reading of a finished draft into rules.
//!
//! The form posts its fields with bracketed names (`programme[window_days]`, `tiers[1][names][en]`,
//! `tiers[1][benefits][0][value]`), which server functions read into these types; a validation error's field
//! path (`tiers[1].threshold_minor`) names the input it is about through [`input_name`].

use super::rules::{MAX_BENEFITS, MAX_TIERS};
use super::{Benefit, Tier, TierRules};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::locale::languages;
use crate::kernel::money::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most characters any one field of a draft may hold; the rules' own limits are checked when it is read.
const MAX_FIELD_CHARS: usize = 400;

/// The rules of the whole programme, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeDraft {
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub window_days: String,
    /// A checkbox: present (`true`) when ticked, absent otherwise.
    #[serde(default)]
    pub count_shipping: bool,
    #[serde(default)]
    pub count_tax: bool,
    #[serde(default)]
    pub return_window_days: String,
    /// What one review point adds, in the currency's major units.
    #[serde(default)]
    pub points_value: String,
    #[serde(default)]
    pub points_monthly_cap: String,
    #[serde(default)]
    pub review_every_months: String,
    #[serde(default)]
    pub utc_offset_minutes: String,
    #[serde(default)]
    pub warn_days: String,
}

/// One tier, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierDraft {
    #[serde(default)]
    pub code: String,
    /// Per language the shop speaks.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub icon: String,
    /// The growth that reaches the tier, in the currency's major units.
    #[serde(default)]
    pub threshold: String,
    #[serde(default)]
    pub benefits: Vec<BenefitDraft>,
}

/// One benefit of a tier, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenefitDraft {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Blank when the benefit has no amount.
    #[serde(default)]
    pub value: String,
}

/// A rule set being edited on the tiers page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesDraft {
    pub programme: ProgrammeDraft,
    pub tiers: Vec<TierDraft>,
}

/// What a button of the form asks for besides a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftEdit {
    AddTier,
    /// The tier at this index.
    RemoveTier(usize),
    /// A benefit for the tier at this index.
    AddBenefit(usize),
    /// The benefit (second index) of the tier (first index).
    RemoveBenefit(usize, usize),
}

impl DraftEdit {
    /// The button value that asks for this edit, as [`DraftEdit::parse`] reads it back.
    pub fn value(self) -> String {
        match self {
            Self::AddTier => "add-tier".to_owned(),
            Self::RemoveTier(tier) => format!("remove-tier-{tier}"),
            Self::AddBenefit(tier) => format!("add-benefit-{tier}"),
            Self::RemoveBenefit(tier, benefit) => format!("remove-benefit-{tier}-{benefit}"),
        }
    }

    pub fn parse(value: &str) -> Result<Self, AppError> {
        let unknown =
            || AppError::invalid("edit", format!("\"{value}\" is not an edit of the form"));
        let index = |text: &str| text.parse::<usize>().map_err(|_| unknown());
        if value == "add-tier" {
            Ok(Self::AddTier)
        } else if let Some(tier) = value.strip_prefix("remove-tier-") {
            Ok(Self::RemoveTier(index(tier)?))
        } else if let Some(tier) = value.strip_prefix("add-benefit-") {
            Ok(Self::AddBenefit(index(tier)?))
        } else if let Some(rest) = value.strip_prefix("remove-benefit-") {
            let (tier, benefit) = rest.split_once('-').ok_or_else(unknown)?;
            Ok(Self::RemoveBenefit(index(tier)?, index(benefit)?))
        } else {
            Err(unknown())
        }
    }
}

/// The form's input for a field path of a validation error: `tiers[1].benefits[0].names.en` is
/// `tiers[1][benefits][0][names][en]`, the programme's `window_days` is `programme[window_days]`, and an amount
/// kept in minor units (`threshold_minor`) is typed in major units (`threshold`).
pub fn input_name(field: &str) -> String {
    let mut parts = field
        .split(['.', '[', ']'])
        .filter(|part| !part.is_empty())
        .map(|part| part.strip_suffix("_minor").unwrap_or(part));
    let first = parts.next().unwrap_or_default();
    let (head, rest): (&str, Vec<&str>) = if first == "tiers" {
        ("tiers", parts.collect())
    } else {
        ("programme", std::iter::once(first).chain(parts).collect())
    };
    rest.iter()
        .fold(head.to_owned(), |name, part| format!("{name}[{part}]"))
}

fn names_of(names: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    languages()
        .map(|(locale, _)| {
            let name = names.get(locale).cloned().unwrap_or_default();
            (locale.to_owned(), name)
        })
        .collect()
}

impl From<&TierRules> for RulesDraft {
    fn from(rules: &TierRules) -> Self {
        let money = |minor: i64| Money::new(minor, &rules.currency).plain();
        Self {
            programme: ProgrammeDraft {
                currency: rules.currency.clone(),
                window_days: rules.window_days.to_string(),
                count_shipping: rules.count_shipping,
                count_tax: rules.count_tax,
                return_window_days: rules.return_window_days.to_string(),
                points_value: money(rules.points_value_minor),
                points_monthly_cap: rules.points_monthly_cap.to_string(),
                review_every_months: rules.review_every_months.to_string(),
                utc_offset_minutes: rules.utc_offset_minutes.to_string(),
                warn_days: rules.warn_days.to_string(),
            },
            tiers: rules
                .tiers
                .iter()
                .map(|tier| TierDraft {
                    code: tier.code.clone(),
                    names: names_of(&tier.names),
                    colour: tier.colour.clone(),
                    icon: tier.icon.clone(),
                    threshold: money(tier.threshold_minor),
                    benefits: tier
                        .benefits
                        .iter()
                        .map(|benefit| BenefitDraft {
                            code: benefit.code.clone(),
                            names: names_of(&benefit.names),
                            value: benefit
                                .value
                                .map(|value| value.to_string())
                                .unwrap_or_default(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn whole_number(field: &str, typed: &str) -> Result<i64, AppError> {
    typed.trim().parse().map_err(|_| {
        AppError::invalid(
            field,
            Translation::with(
                "error.rule.whole_number",
                &[("typed", typed.trim().to_owned())],
            ),
        )
    })
}

fn amount(field: &str, typed: &str, currency: &str) -> Result<i64, AppError> {
    Money::parse(typed, currency)
        .map(|money| money.amount_minor)
        .map_err(|message| AppError::invalid(field, message))
}

/// Names as typed, without the blank ones (which validation then reports as missing).
fn typed_names(names: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    names
        .iter()
        .filter(|(_, name)| !name.trim().is_empty())
        .map(|(locale, name)| (locale.clone(), name.trim().to_owned()))
        .collect()
}

impl RulesDraft {
    /// Refuses a draft larger than any rule set can be, before it is kept: too many tiers or benefits, names in
    /// languages the shop does not speak, or a field longer than any rule allows.
    pub fn check_size(&self) -> Result<(), AppError> {
        let spoken = |field: String, names: &BTreeMap<String, String>| match names
            .keys()
            .find(|locale| crate::i18n::negotiate(locale) != Some(locale.as_str()))
        {
            Some(other) => Err(AppError::invalid(
                format!("{field}.{other}"),
                Translation::of("error.rule.unknown_language"),
            )),
            None => Ok(()),
        };
        for (index, tier) in self.tiers.iter().enumerate() {
            spoken(format!("tiers[{index}].names"), &tier.names)?;
            for (number, benefit) in tier.benefits.iter().enumerate() {
                spoken(
                    format!("tiers[{index}].benefits[{number}].names"),
                    &benefit.names,
                )?;
            }
        }
        if self.tiers.len() > MAX_TIERS {
            return Err(AppError::invalid(
                "tiers",
                Translation::with("error.rule.max_tiers", &[("max", MAX_TIERS.to_string())]),
            ));
        }
        for (index, tier) in self.tiers.iter().enumerate() {
            if tier.benefits.len() > MAX_BENEFITS {
                return Err(AppError::invalid(
                    format!("tiers[{index}].benefits"),
                    Translation::with(
                        "error.rule.max_benefits",
                        &[("max", MAX_BENEFITS.to_string())],
                    ),
                ));
            }
        }
        let p = &self.programme;
        let programme = [
            ("currency", &p.currency),
            ("window_days", &p.window_days),
            ("return_window_days", &p.return_window_days),
            ("points_value_minor", &p.points_value),
            ("points_monthly_cap", &p.points_monthly_cap),
            ("review_every_months", &p.review_every_months),
            ("utc_offset_minutes", &p.utc_offset_minutes),
            ("warn_days", &p.warn_days),
        ]
        .map(|(field, value)| (field.to_owned(), value));
        let tiers = self.tiers.iter().enumerate().flat_map(|(index, tier)| {
            let at = move |name: &str| format!("tiers[{index}].{name}");
            [
                (at("code"), &tier.code),
                (at("colour"), &tier.colour),
                (at("icon"), &tier.icon),
                (at("threshold_minor"), &tier.threshold),
            ]
            .into_iter()
            .chain(
                tier.names
                    .iter()
                    .map(move |(locale, name)| (at(&format!("names.{locale}")), name)),
            )
            .chain(
                tier.benefits
                    .iter()
                    .enumerate()
                    .flat_map(move |(number, benefit)| {
                        let at =
                            move |name: &str| format!("tiers[{index}].benefits[{number}].{name}");
                        [(at("code"), &benefit.code), (at("value"), &benefit.value)]
                            .into_iter()
                            .chain(
                                benefit.names.iter().map(move |(locale, name)| {
                                    (at(&format!("names.{locale}")), name)
                                }),
                            )
                    }),
            )
        });
        match programme
            .into_iter()
            .chain(tiers)
            .find(|(_, value)| value.chars().count() > MAX_FIELD_CHARS)
        {
            Some((field, _)) => Err(AppError::invalid(
                field,
                Translation::with(
                    "error.rule.too_long",
                    &[("max", MAX_FIELD_CHARS.to_string())],
                ),
            )),
            None => Ok(()),
        }
    }

    /// Adds or removes a tier or benefit. A new tier starts above the highest, with the shop's languages to name.
    pub fn apply(&mut self, edit: DraftEdit) -> Result<(), AppError> {
        let no_tier =
            |tier: usize| AppError::invalid("edit", format!("there is no tier {}", tier + 1));
        match edit {
            DraftEdit::AddTier => {
                if self.tiers.len() >= MAX_TIERS {
                    return Err(AppError::invalid(
                        "tiers",
                        Translation::with(
                            "error.rule.max_tiers",
                            &[("max", MAX_TIERS.to_string())],
                        ),
                    ));
                }
                self.tiers.push(TierDraft {
                    names: names_of(&BTreeMap::new()),
                    colour: "#5f6b76".to_owned(),
                    icon: "star".to_owned(),
                    ..TierDraft::default()
                });
            }
            DraftEdit::RemoveTier(tier) => {
                if tier >= self.tiers.len() {
                    return Err(no_tier(tier));
                }
                if self.tiers.len() == 1 {
                    return Err(AppError::invalid(
                        "tiers",
                        Translation::of("error.rule.min_tiers"),
                    ));
                }
                self.tiers.remove(tier);
            }
            DraftEdit::AddBenefit(tier) => {
                let benefits = &mut self
                    .tiers
                    .get_mut(tier)
                    .ok_or_else(|| no_tier(tier))?
                    .benefits;
                if benefits.len() >= MAX_BENEFITS {
                    return Err(AppError::invalid(
                        format!("tiers[{tier}].benefits"),
                        Translation::with(
                            "error.rule.max_benefits",
                            &[("max", MAX_BENEFITS.to_string())],
                        ),
                    ));
                }
                benefits.push(BenefitDraft {
                    names: names_of(&BTreeMap::new()),
                    ..BenefitDraft::default()
                });
            }
            DraftEdit::RemoveBenefit(tier, benefit) => {
                let benefits = &mut self
                    .tiers
                    .get_mut(tier)
                    .ok_or_else(|| no_tier(tier))?
                    .benefits;
                if benefit >= benefits.len() {
                    return Err(AppError::invalid(
                        "edit",
                        format!("tier {} has no benefit {}", tier + 1, benefit + 1),
                    ));
                }
                benefits.remove(benefit);
            }
        }
        Ok(())
    }

    /// The rules the draft describes, validated; the first mistake otherwise, naming its field.
    pub fn to_rules(&self) -> Result<TierRules, AppError> {
        let p = &self.programme;
        let currency = p.currency.trim().to_uppercase();
        crate::kernel::money::validate_currency(&currency)
            .map_err(|message| AppError::invalid("currency", message))?;
        let mut tiers = Vec::with_capacity(self.tiers.len());
        for (index, tier) in self.tiers.iter().enumerate() {
            let field = |name: &str| format!("tiers[{index}].{name}");
            let mut benefits = Vec::with_capacity(tier.benefits.len());
            for (number, benefit) in tier.benefits.iter().enumerate() {
                let value = match benefit.value.trim() {
                    "" => None,
                    typed => Some(whole_number(
                        &format!("tiers[{index}].benefits[{number}].value"),
                        typed,
                    )?),
                };
                benefits.push(Benefit {
                    code: benefit.code.trim().to_owned(),
                    names: typed_names(&benefit.names),
                    value,
                });
            }
            tiers.push(Tier {
                code: tier.code.trim().to_owned(),
                names: typed_names(&tier.names),
                colour: tier.colour.trim().to_lowercase(),
                icon: tier.icon.trim().to_owned(),
                threshold_minor: amount(&field("threshold_minor"), &tier.threshold, &currency)?,
                benefits,
            });
        }
        let rules = TierRules {
            window_days: whole_number("window_days", &p.window_days)?,
            count_shipping: p.count_shipping,
            count_tax: p.count_tax,
            return_window_days: whole_number("return_window_days", &p.return_window_days)?,
            points_value_minor: amount("points_value_minor", &p.points_value, &currency)?,
            points_monthly_cap: whole_number("points_monthly_cap", &p.points_monthly_cap)?,
            review_every_months: whole_number("review_every_months", &p.review_every_months)?,
            utc_offset_minutes: whole_number("utc_offset_minutes", &p.utc_offset_minutes)?,
            warn_days: whole_number("warn_days", &p.warn_days)?,
            currency,
            tiers,
        };
        rules.validate()?;
        Ok(rules)
    }
}

#[cfg(test)]
mod tests;
