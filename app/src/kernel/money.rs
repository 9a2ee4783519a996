//! Money is an integer amount of minor units (cents, fen) plus an ISO 4217 currency code: never floating point.

use crate::kernel::error::Translation;
use crate::kernel::locale::{
    DEFAULT_LOCALE, currency_symbol, currency_symbols, group_thousands, translate, translate_with,
};
use serde::{Deserialize, Serialize};

/// Active ISO 4217 codes with their number of minor-unit digits.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("ANG", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("UYU", 2),
    ("UZS", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// The number of minor-unit digits of a known ISO 4217 currency, or `None` for an unknown code.
pub fn minor_digits(code: &str) -> Option<u8> {
    CURRENCIES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, digits)| *digits)
}

/// Every currency code Rapport takes: the active ISO 4217 codes.
pub fn currency_codes() -> impl Iterator<Item = &'static str> {
    CURRENCIES.iter().map(|(code, _)| *code)
}

/// Checks that `code` is an active ISO 4217 code, written in capitals.
pub fn validate_currency(code: &str) -> Result<(), Translation> {
    let key = match minor_digits(code) {
        Some(_) => return Ok(()),
        None if minor_digits(&code.to_ascii_uppercase()).is_some() => {
            "error.rule.currency_capitals"
        }
        None => "error.rule.currency_unknown",
    };
    Err(Translation::with(key, &[("code", code.to_owned())]))
}

/// An amount of money in minor units of its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

impl Money {
    pub fn new(amount_minor: i64, currency: impl Into<String>) -> Self {
        Self {
            amount_minor,
            currency: currency.into(),
        }
    }

    /// Reads an amount a shopper typed in `currency`'s major units ("99.5", "1,299.00", "¥20"), refusing more
    /// decimals than the currency has, signs and anything that is not a number.
    pub fn parse(text: &str, currency: &str) -> Result<Self, Translation> {
        Self::parse_in(text, currency, DEFAULT_LOCALE)
    }

    /// [`Money::parse`] with `locale`'s separators, as [`Money::display_in`] writes them: what a shopper reads
    /// in their language, they can type back. A currency symbol or code may come before or after the amount.
    pub fn parse_in(text: &str, currency: &str, locale: &str) -> Result<Self, Translation> {
        let digits = u32::from(minor_digits(currency).unwrap_or(2));
        let typed = text.trim();
        let symbols: Vec<&str> = currency_symbols(currency)
            .into_iter()
            .chain([currency])
            .collect();
        let typed = symbols
            .iter()
            .find_map(|symbol| {
                typed
                    .strip_prefix(symbol)
                    .or_else(|| typed.strip_suffix(symbol))
            })
            .unwrap_or(typed);
        let group = translate(locale, "number.group");
        let decimal = translate(locale, "number.decimal");
        let cleaned: String = typed
            .replace(group.as_str(), "")
            .replace(decimal.as_str(), ".")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let invalid =
            || Translation::with("error.rule.not_money", &[("typed", text.trim().to_owned())]);
        let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .chars()
                .chain(fraction.chars())
                .all(|c| c.is_ascii_digit())
        {
            return Err(invalid());
        }
        if fraction.len() > digits as usize {
            return Err(Translation::with(
                "error.rule.decimals",
                &[
                    ("currency", currency.to_owned()),
                    ("digits", digits.to_string()),
                ],
            ));
        }
        let scale = 10i64.pow(digits);
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let fraction: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse::<i64>().map_err(|_| invalid())?
                * 10i64.pow(digits - fraction.len() as u32)
        };
        let amount_minor = whole
            .checked_mul(scale)
            .and_then(|minor| minor.checked_add(fraction))
            .ok_or_else(invalid)?;
        Ok(Self::new(amount_minor, currency))
    }

    /// The amount as a shopper would type it: a plain decimal without symbol or grouping ("1299.00").
    pub fn plain(&self) -> String {
        let digits = u32::from(minor_digits(&self.currency).unwrap_or(2));
        let scale = 10u64.pow(digits);
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let magnitude = self.amount_minor.unsigned_abs();
        if digits == 0 {
            format!("{sign}{magnitude}")
        } else {
            format!(
                "{sign}{}.{:0width$}",
                magnitude / scale,
                magnitude % scale,
                width = digits as usize
            )
        }
    }

    /// Formats the amount as `locale` writes money (a locale of `app/locales`; see [`crate::i18n`] for what its
    /// file says): CNY 1,299.00 is `CN¥1,299.00` in English and `¥1,299.00` in Chinese, and a currency the file
    /// has no symbol for is written with its code, `KWD 1,234.567`.
    ///
    /// ```
    /// use app::kernel::money::Money;
    /// assert_eq!(Money::new(1_299, "USD").display_in("zh-CN"), "US$12.99");
    /// ```
    pub fn display_in(&self, locale: &str) -> String {
        let digits = u32::from(minor_digits(&self.currency).unwrap_or(2));
        let scale = 10u64.pow(digits);
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let magnitude = self.amount_minor.unsigned_abs();
        let whole = group_thousands(magnitude / scale, &translate(locale, "number.group"));
        let amount = if digits == 0 {
            whole
        } else {
            let decimal = translate(locale, "number.decimal");
            let fraction = magnitude % scale;
            format!(
                "{whole}{decimal}{fraction:0width$}",
                width = digits as usize
            )
        };
        let written = match currency_symbol(locale, &self.currency) {
            Some(symbol) => translate_with(
                locale,
                "money.with_symbol",
                &[("symbol", symbol.to_owned()), ("amount", amount)],
            ),
            None => translate_with(
                locale,
                "money.with_code",
                &[("code", self.currency.clone()), ("amount", amount)],
            ),
        };
        format!("{sign}{written}")
    }

    /// [`Money::display_in`] the default language, for text no shopper's language applies to, such as the
    /// merchant API's error messages.
    pub fn display(&self) -> String {
        self.display_in(DEFAULT_LOCALE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_amounts_as_shoppers_type_them() {
        let cny = |text| Money::parse(text, "CNY").map(|m| m.amount_minor);
        assert_eq!(cny("99.5"), Ok(9_950));
        assert_eq!(cny(" ¥1,299.00 "), Ok(129_900));
        assert_eq!(cny("20"), Ok(2_000));
        assert_eq!(Money::new(129_900, "CNY").plain(), "1299.00");
        let typed = Money::new(129_950, "CNY").plain();
        assert_eq!(Money::parse(&typed, "CNY").unwrap().amount_minor, 129_950);
        assert_eq!(Money::new(1_200, "JPY").plain(), "1200");
        assert_eq!(cny(".5"), Ok(50));
        assert_eq!(Money::parse("1200", "JPY").unwrap().amount_minor, 1_200);
        assert!(
            Money::parse("12.5", "JPY")
                .unwrap_err()
                .to_string()
                .contains("0 decimal")
        );
        assert!(cny("1.234").unwrap_err().to_string().contains("2 decimal"));
        for bad in ["", "-5", "abc", "1.2.3", ".", "99999999999999999999"] {
            assert!(cny(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn formats_by_the_currency_minor_digits() {
        assert_eq!(Money::new(129_900, "CNY").display(), "CN¥1,299.00");
        assert_eq!(Money::new(1_299, "USD").display(), "$12.99");
        assert_eq!(Money::new(1_200, "JPY").display(), "¥1,200");
        assert_eq!(Money::new(1_234_567, "KWD").display(), "KWD\u{a0}1,234.567");
        assert_eq!(Money::new(-5, "EUR").display(), "-€0.05");
        assert_eq!(Money::new(0, "GBP").display(), "£0.00");
        assert_eq!(Money::new(123_456_789, "CNY").display(), "CN¥1,234,567.89");
    }

    #[test]
    fn formats_by_the_readers_language() {
        // As Intl.NumberFormat (CLDR) writes them: each language says whose yen "¥" alone means.
        assert_eq!(Money::new(129_900, "CNY").display_in("zh-CN"), "¥1,299.00");
        assert_eq!(Money::new(1_200, "JPY").display_in("zh-CN"), "JP¥1,200");
        assert_eq!(Money::new(1_299, "USD").display_in("zh-CN"), "US$12.99");
        assert_eq!(Money::new(-5, "EUR").display_in("zh-CN"), "-€0.05");
        assert_eq!(
            Money::new(1_234_567, "KWD").display_in("zh-CN"),
            "KWD\u{a0}1,234.567"
        );
        // A language the shop does not speak reads as the default one.
        assert_eq!(Money::new(129_900, "CNY").display_in("fr"), "CN¥1,299.00");
    }

    #[test]
    fn reads_back_what_every_language_writes() {
        for (locale, _) in crate::kernel::locale::languages() {
            for (minor, currency) in [
                (129_950, "CNY"),
                (1_200, "JPY"),
                (1_299, "USD"),
                (1_234_567, "KWD"),
            ] {
                let written = Money::new(minor, currency).display_in(locale);
                assert_eq!(
                    Money::parse_in(&written, currency, locale).map(|money| money.amount_minor),
                    Ok(minor),
                    "{written} in {locale}"
                );
            }
        }
    }

    #[test]
    fn rejects_unknown_and_lowercase_codes() {
        assert!(validate_currency("CNY").is_ok());
        assert!(
            validate_currency("XYZ")
                .unwrap_err()
                .to_string()
                .contains("not an ISO 4217")
        );
        assert!(
            validate_currency("cny")
                .unwrap_err()
                .to_string()
                .contains("capitals")
        );
        assert!(validate_currency("").is_err());
    }
}
