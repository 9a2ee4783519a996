//! The shop's languages as data: every user-facing string comes from the translation files in `app/locales/`, one
//! JSON file per language, named by its BCP 47 tag. Adding a language is adding its file: the build compiles the
//! files into tables (`app/build.rs`). Besides the texts, a file names its language (`language.name`) and says how it writes
//! money: its decimal and group separators (`number.*`), where the currency goes (`money.with_symbol`,
//! `money.with_code`) and the currencies' symbols (`money.symbol.<ISO 4217 code>`); see
//! [`crate::kernel::money::Money::display_in`]. The page's current language is [`crate::kernel::locale::I18n`], above this.

use crate::kernel::time::{Millis, civil_date};

/// A language's texts by key, sorted by key.
type Catalog = &'static [(&'static str, &'static str)];

/// The languages the shop speaks: locale tag and texts, one for each file in `app/locales/`, compiled by
/// `app/build.rs` (nothing is parsed at run time).
const CATALOGS: &[(&str, Catalog)] = include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// The language shown when nothing else is known.
pub const DEFAULT_LOCALE: &str = "en";
/// The cookie that remembers the shopper's choice of language (a preference, not an identity).
pub const LOCALE_COOKIE: &str = "rapport_locale";

/// `locale`'s texts, if the shop speaks it.
fn catalog(locale: &str) -> Option<Catalog> {
    CATALOGS
        .iter()
        .find(|(tag, _)| *tag == locale)
        .map(|(_, texts)| *texts)
}

/// The supported locales with their names, for the language switch.
pub fn languages() -> impl Iterator<Item = (&'static str, &'static str)> {
    CATALOGS
        .iter()
        .map(|(locale, _)| (*locale, text(locale, "language.name").unwrap_or(locale)))
}

/// `key` in `locale`'s own file, without falling back to another language.
fn text(locale: &str, key: &str) -> Option<&'static str> {
    let texts = catalog(locale)?;
    texts
        .binary_search_by(|(each, _)| (*each).cmp(key))
        .ok()
        .map(|found| texts[found].1)
}

/// How `locale` writes `currency`'s symbol, if its file gives one (`money.symbol.CNY`: `CN¥` in English); a
/// language the shop does not speak writes it as the default language does.
pub fn currency_symbol(locale: &str, currency: &str) -> Option<&'static str> {
    let locale = if catalog(locale).is_some() {
        locale
    } else {
        DEFAULT_LOCALE
    };
    text(locale, &format!("money.symbol.{currency}"))
}

/// Every way the shop's languages write `currency`'s symbol, longest first, so that an amount typed with any of
/// them reads back.
pub fn currency_symbols(currency: &str) -> Vec<&'static str> {
    let mut symbols: Vec<_> = CATALOGS
        .iter()
        .filter_map(|(locale, _)| currency_symbol(locale, currency))
        .collect();
    symbols.sort_by_key(|symbol| std::cmp::Reverse(symbol.len()));
    symbols.dedup();
    symbols
}

/// The supported locale that best matches `tag` (`zh`, `zh-Hans-CN` and `zh-CN` all give `zh-CN`).
pub fn negotiate(tag: &str) -> Option<&'static str> {
    let tag = tag.trim();
    let language = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    CATALOGS
        .iter()
        .map(|(locale, _)| *locale)
        .find(|locale| locale.eq_ignore_ascii_case(tag))
        .or_else(|| {
            CATALOGS
                .iter()
                .map(|(locale, _)| *locale)
                .find(|locale| locale.split('-').next() == Some(language.as_str()))
        })
}

/// Picks the locale from an `Accept-Language` header value, by the order of preference it gives.
pub fn from_accept_language(header: &str) -> Option<&'static str> {
    let mut ranked: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            Some((quality, tag))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.into_iter().find_map(|(_, tag)| negotiate(tag))
}

/// Looks up `key` in `locale`, falling back to English, then to the key itself.
pub fn translate(locale: &str, key: &str) -> String {
    text(locale, key)
        .or_else(|| text(DEFAULT_LOCALE, key))
        .unwrap_or(key)
        .to_owned()
}

/// `key` in `locale`, falling back to English; `None` where neither has it, for texts that may be left out (the
/// label of an error's field).
pub fn translate_if_any(locale: &str, key: &str) -> Option<&'static str> {
    text(locale, key).or_else(|| text(DEFAULT_LOCALE, key))
}

/// [`translate`] with `{name}` placeholders filled in; for text made outside a page, such as emails.
pub fn translate_with(locale: &str, key: &str, values: &[(&str, String)]) -> String {
    fill(translate(locale, key), values.iter().cloned())
}

/// `text` with each `{name}` placeholder replaced by its value.
fn fill<'a>(text: String, values: impl IntoIterator<Item = (&'a str, String)>) -> String {
    values.into_iter().fold(text, |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), &value)
    })
}

/// The form a counted text takes for a number, as CLDR names its plural categories. The shop's languages need two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    One,
    Other,
}

impl Plural {
    /// The suffix of the text's key in the translation files (`reviews.count.one`).
    fn suffix(self) -> &'static str {
        match self {
            Self::One => "one",
            Self::Other => "other",
        }
    }
}

/// `count`'s plural form in `locale`, by CLDR's rules for whole numbers: Chinese, Japanese and Korean have one
/// form; French says "one" for 0 and 1; English and the other languages for 1 alone.
pub fn plural(locale: &str, count: i64) -> Plural {
    let language = locale.split('-').next().unwrap_or_default();
    match language {
        "zh" | "ja" | "ko" => Plural::Other,
        "fr" if count == 0 || count == 1 => Plural::One,
        _ if count == 1 => Plural::One,
        _ => Plural::Other,
    }
}

/// `value`'s digits in groups of three, joined by `separator` (`12,345`).
pub fn group_thousands(value: u64, separator: &str) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// `count` as `locale` writes whole numbers: grouped by its `number.group` (`12,345`).
pub fn format_count(locale: &str, count: i64) -> String {
    let sign = if count < 0 { "-" } else { "" };
    format!(
        "{sign}{}",
        group_thousands(count.unsigned_abs(), &translate(locale, "number.group"))
    )
}

/// `at`'s UTC date as `locale` writes dates for people (`Nov 22, 2026`, `2026年11月22日`), by its `date.format`
/// with `{year}`, `{month}` (a number), `{month_name}` (`date.month.<1–12>`) and `{day}`.
pub fn format_date(locale: &str, at: Millis) -> String {
    let (year, month, day) = civil_date(at);
    fill(
        translate(locale, "date.format"),
        [
            ("year", year.to_string()),
            ("month", month.to_string()),
            (
                "month_name",
                translate(locale, &format!("date.month.{month}")),
            ),
            ("day", day.to_string()),
        ],
    )
}

/// A month as `locale` writes it for people (`Nov 2026`, `2026年11月`), by its `date.month_format` with `{year}`,
/// `{month}` and `{month_name}`.
pub fn format_month(locale: &str, month: crate::kernel::time::Month) -> String {
    let (year, number) = month.year_month();
    fill(
        translate(locale, "date.month_format"),
        [
            ("year", year.to_string()),
            ("month", number.to_string()),
            (
                "month_name",
                translate(locale, &format!("date.month.{number}")),
            ),
        ],
    )
}

/// The counted text `key` in `locale`: its form for `count` (`key.one` or `key.other`, see [`plural`]), with
/// `{count}` written as the language writes numbers and the other placeholders filled in. A form the language's
/// file lacks falls back to its `other`, then to English.
pub fn translate_count(locale: &str, key: &str, count: i64, values: &[(&str, String)]) -> String {
    fill(
        counted_text(locale, key, count),
        std::iter::once(("count", format_count(locale, count))).chain(values.iter().cloned()),
    )
}

/// The form of the counted text `key` that [`translate_count`] fills in for `count`, its placeholders unfilled.
pub fn counted_text(locale: &str, key: &str, count: i64) -> String {
    let form = format!("{key}.{}", plural(locale, count).suffix());
    let other = format!("{key}.{}", Plural::Other.suffix());
    text(locale, &form)
        .or_else(|| text(locale, &other))
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let english = format!("{key}.{}", plural(DEFAULT_LOCALE, count).suffix());
            translate(DEFAULT_LOCALE, &english)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_texts_take_the_languages_plural_form_and_group_their_digits() {
        assert_eq!(plural("en", 1), Plural::One);
        assert_eq!(plural("en", 0), Plural::Other);
        assert_eq!(plural("en", 2), Plural::Other);
        assert_eq!(plural("fr", 0), Plural::One);
        assert_eq!(plural("zh-CN", 1), Plural::Other);
        assert_eq!(translate_count("en", "reviews.count", 1, &[]), "1 rating");
        assert_eq!(
            translate_count("en", "reviews.count", 12345, &[]),
            "12,345 ratings"
        );
        assert_eq!(
            translate_count("en", "reviews.found_helpful", 1, &[]),
            "1 person found this helpful"
        );
        assert_eq!(
            translate_count("zh-CN", "reviews.count", 1, &[]),
            "1 个评分"
        );
        assert_eq!(
            translate_count("en", "reviews.stars_badge", 1, &[("average", "4.0".into())]),
            "Rated 4.0 out of 5 from 1 review"
        );
        assert_eq!(format_count("en", -1234567), "-1,234,567");
        // 2026-11-22T09:30:00Z
        let at = Millis(1_795_339_800_000);
        assert_eq!(format_date("en", at), "Nov 22, 2026");
        assert_eq!(format_date("zh-CN", at), "2026年11月22日");
        assert_eq!(group_thousands(999, ","), "999");
    }

    /// `locale`'s keys, for comparing languages.
    fn keys_of(locale: &str) -> std::collections::BTreeSet<&'static str> {
        catalog(locale)
            .unwrap()
            .iter()
            .map(|(key, _)| *key)
            .collect()
    }

    #[test]
    fn every_language_has_every_key() {
        let english = keys_of(DEFAULT_LOCALE);
        for (locale, _) in CATALOGS {
            let catalog = keys_of(locale);
            // A language with one plural form (Chinese) writes only the `other` form of counted texts.
            let one_form = plural(locale, 1) == Plural::Other;
            let missing: Vec<_> = english
                .difference(&catalog)
                .filter(|key| !(one_form && key.ends_with(".one")))
                .collect();
            let extra: Vec<_> = catalog.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{locale}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    #[test]
    fn each_languages_texts_are_sorted_by_key_for_the_search() {
        for (locale, texts) in CATALOGS {
            assert!(
                texts.windows(2).all(|pair| pair[0].0 < pair[1].0),
                "{locale}"
            );
            for (key, text) in texts.iter() {
                assert_eq!(super::text(locale, key), Some(*text), "{locale} {key}");
            }
        }
    }

    #[test]
    fn every_key_the_code_uses_is_translated() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    for (call, form) in [
                        (".t", ""),
                        (".t_with", ""),
                        (".t_count", ".other"),
                        ("Translation::of", ""),
                        ("Translation::with", ""),
                    ] {
                        for (start, _) in source.match_indices(call) {
                            // A call with its key written as a literal, on the same line or the next.
                            let Some(rest) = source[start + call.len()..]
                                .strip_prefix('(')
                                .and_then(|rest| rest.trim_start().strip_prefix('"'))
                            else {
                                continue;
                            };
                            found.push(format!("{}{form}", &rest[..rest.find('"').unwrap()]));
                        }
                    }
                    // Error keys chosen before they are passed on (`let key = …`).
                    for (start, _) in source.match_indices("\"error.") {
                        let rest = &source[start + 1..];
                        let key = &rest[..rest.find('"').unwrap()];
                        // A prefix such as "error.rule." is not a key.
                        if !key.ends_with('.')
                            && key
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                        {
                            found.push(key.to_owned());
                        }
                    }
                }
            }
        }
        let mut keys = Vec::new();
        walk(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
            &mut keys,
        );
        assert!(keys.len() > 20, "the scan found too few keys: {keys:?}");
        let english = keys_of(DEFAULT_LOCALE);
        let missing: Vec<_> = keys
            .iter()
            .filter(|key| !english.contains(key.as_str()))
            .collect();
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }

    #[test]
    fn negotiation_prefers_the_best_supported_language() {
        assert_eq!(negotiate("zh-Hans-CN"), Some("zh-CN"));
        assert_eq!(negotiate("ZH-cn"), Some("zh-CN"));
        assert_eq!(negotiate("fr"), None);
        assert_eq!(
            from_accept_language("fr-FR, zh;q=0.8, en;q=0.5"),
            Some("zh-CN")
        );
        assert_eq!(from_accept_language("de"), None);
    }

    #[test]
    fn placeholders_are_filled_and_unknown_keys_fall_back() {
        assert_eq!(translate("zh-CN", "product.out_of_stock"), "缺货");
        assert_eq!(translate("zh-CN", "no.such.key"), "no.such.key");
    }
}
