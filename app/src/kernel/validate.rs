//! The input rules every capability shares, one of each: keys (SKUs, slugs, ids), stored text, locale tags and
//! email addresses. The same kind of input is refused the same way wherever it arrives: the merchant API, a widget
//! or a merchant page.

use super::error::{AppError, Translation};
use serde::{Deserialize, Serialize};

/// The longest key: SKUs, slugs, shopper and order ids.
pub const MAX_KEY_LEN: usize = 64;

/// The longest email address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// A key (SKU, slug, shopper or order id): 1 to [`MAX_KEY_LEN`] letters, digits, `-`, `_` and `.`.
///
/// ```
/// use app::kernel::validate::key;
/// assert!(key("sku", "KIT-00001").is_ok());
/// assert_eq!(key("sku", "a b").unwrap_err().field.as_deref(), Some("sku"));
/// ```
pub fn key(field: &str, value: &str) -> Result<(), AppError> {
    if value.is_empty() {
        return Err(AppError::invalid(
            field,
            Translation::of("error.rule.required"),
        ));
    }
    if value.len() > MAX_KEY_LEN {
        return Err(AppError::invalid(
            field,
            Translation::with("error.rule.too_long", &[("max", MAX_KEY_LEN.to_string())]),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(AppError::invalid(
            field,
            Translation::of("error.rule.key_characters"),
        ));
    }
    Ok(())
}

/// What a stored text may be: one line or several, required or not, and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub max_chars: usize,
    /// Line breaks and tabs allowed (a review's body, a description), or a single line (a name, a title).
    pub multiline: bool,
    /// Blank (empty or only spaces) is refused.
    pub required: bool,
}

impl TextRule {
    /// A required single line, such as a name or a title.
    pub const fn line(max_chars: usize) -> Self {
        Self {
            max_chars,
            multiline: false,
            required: true,
        }
    }

    /// Required text that may run over several lines, such as a review or a reason.
    pub const fn paragraphs(max_chars: usize) -> Self {
        Self {
            max_chars,
            multiline: true,
            required: true,
        }
    }

    /// The same rule, with blank allowed.
    pub const fn optional(self) -> Self {
        Self {
            required: false,
            ..self
        }
    }
}

/// Any text that is stored and shown back: not blank when required, at most `rule.max_chars` characters, and no
/// control characters (NUL, ESC and the like would reach emails, logs, terminals and CSV exports), except line
/// breaks and tabs in multi-line text.
///
/// ```
/// use app::kernel::validate::{TextRule, text};
/// assert!(text("name", "Gold", TextRule::line(40)).is_ok());
/// assert!(text("name", "Go\u{1b}ld", TextRule::line(40)).is_err());
/// assert!(text("reason", "Spam.\nTwice.", TextRule::paragraphs(500)).is_ok());
/// assert!(text("note", "", TextRule::line(40).optional()).is_ok());
/// ```
pub fn text(field: &str, value: &str, rule: TextRule) -> Result<(), AppError> {
    if rule.required && value.trim().is_empty() {
        return Err(AppError::invalid(
            field,
            Translation::of("error.rule.required"),
        ));
    }
    if value.chars().count() > rule.max_chars {
        return Err(AppError::invalid(
            field,
            Translation::with(
                "error.rule.too_long",
                &[("max", rule.max_chars.to_string())],
            ),
        ));
    }
    let allowed = |c: char| rule.multiline && matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        let what = if rule.multiline {
            Translation::of("error.rule.control_characters")
        } else {
            Translation::of("error.rule.one_line")
        };
        return Err(AppError::invalid(field, what));
    }
    Ok(())
}

/// A locale tag such as `en` or `zh-CN`.
pub fn locale(field: &str, value: &str) -> Result<(), AppError> {
    let mut parts = value.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()));
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if language_ok && rest_ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            format!("\"{value}\" is not a locale tag such as en or zh-CN"),
        ))
    }
}

/// An email address, trimmed and with its domain in lower case: one `@`, a dotted domain, no spaces, control
/// characters, quotes or angle brackets. Whether it receives mail is what a double opt-in checks.
///
/// ```
/// use app::kernel::validate::email;
/// assert_eq!(email("email", " Mei@Example.COM ").unwrap(), "Mei@example.com");
/// assert!(email("email", "mei@localhost").is_err());
/// ```
pub fn email(field: &str, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    let invalid = || AppError::invalid(field, Translation::of("error.email"));
    if value.is_empty() || value.chars().count() > MAX_EMAIL_CHARS {
        return Err(invalid());
    }
    let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
    let plain = |part: &str| {
        !part.is_empty()
            && !part
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '@' | '<' | '>' | '"'))
    };
    let dotted = domain.split('.').count() >= 2 && domain.split('.').all(|label| !label.is_empty());
    if !(plain(local) && plain(domain) && dotted) {
        return Err(invalid());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// The most items one merchant-API batch may carry.
pub const MAX_BATCH: usize = 1000;

/// The answer to a batch upsert: how many rows it created and how many it changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UpsertSummary {
    pub created: u64,
    pub updated: u64,
}

/// Validates every item of a batch, naming the failing item (`products[3].price_minor`), and refuses
/// empty batches, batches over `max_len`, and keys that appear twice.
pub fn batch<T>(
    name: &str,
    items: &[T],
    max_len: usize,
    key: impl Fn(&T) -> &str,
    validate: impl Fn(&T) -> Result<(), AppError>,
) -> Result<(), AppError> {
    if items.is_empty() {
        return Err(AppError::invalid(name, "must contain at least one item"));
    }
    if items.len() > max_len {
        return Err(AppError::invalid(
            name,
            format!("must contain at most {max_len} items, got {}", items.len()),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        validate(item).map_err(|error| error.within(&format!("{name}[{index}]")))?;
        if !seen.insert(key(item)) {
            return Err(AppError::invalid(
                format!("{name}[{index}]"),
                format!("\"{}\" appears twice in this batch", key(item)),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_in_every_kind_of_text() {
        for control in ['\0', '\u{1b}', '\u{7f}', '\u{85}'] {
            let value = format!("Gold{control}");
            assert!(
                text("name", &value, TextRule::line(40)).is_err(),
                "{control:?}"
            );
            assert!(
                text("reason", &value, TextRule::paragraphs(500)).is_err(),
                "{control:?}"
            );
        }
        assert!(text("name", "Gold\nSilver", TextRule::line(40)).is_err());
        assert!(text("body", "Gold\r\n\tSilver", TextRule::paragraphs(40)).is_ok());
    }

    #[test]
    fn required_text_is_not_blank_and_lengths_count_characters() {
        assert!(text("name", "  ", TextRule::line(40)).is_err());
        assert!(text("name", "  ", TextRule::line(40).optional()).is_ok());
        assert!(text("name", &"茶".repeat(40), TextRule::line(40)).is_ok());
        let error = text("name", &"茶".repeat(41), TextRule::line(40)).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("name"));
        assert!(error.message.contains("40"));
    }

    #[test]
    fn one_email_rule() {
        for good in ["a@b.co", "first.last+tag@example.com", "李@例子.中国"] {
            assert!(email("email", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@b..c",
            "a b@c.d",
            "a@b@c.d",
            "<a@b.c>",
            "a\u{0}@b.c",
        ] {
            assert!(email("email", bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(MAX_EMAIL_CHARS));
        assert!(email("email", &long).is_err());
    }

    #[test]
    fn keys_and_locales() {
        assert!(key("sku", &"A".repeat(MAX_KEY_LEN)).is_ok());
        assert!(key("sku", &"A".repeat(MAX_KEY_LEN + 1)).is_err());
        assert!(key("sku", "").is_err());
        assert!(key("sku", "A/B").is_err());
        assert!(locale("locale", "zh-CN").is_ok());
        assert!(locale("locale", "EN").is_err());
    }
}
