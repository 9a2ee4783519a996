//! Validation of catalogue input: pure functions, shared by the merchant API and the demo-data generator.

use super::{CRITERIA_VOCABULARY, MAX_CRITERIA};
use super::{CategoryInput, PriceChange, ProductInput, StockChange};
use crate::kernel::error::AppError;
use crate::kernel::money::validate_currency;
use crate::kernel::time::{DAY_MS, Millis};
use crate::kernel::validate::{TextRule, key, locale, text};

pub const MAX_TITLE_LEN: usize = 200;
pub const MAX_DESCRIPTION_LEN: usize = 10_000;
pub const MAX_URL_LEN: usize = 2048;
/// A sanity bound on prices: 10^13 minor units is 100 billion in a two-digit currency.
pub const MAX_PRICE_MINOR: i64 = 10_000_000_000_000;
pub const MAX_STOCK: i64 = 1_000_000_000;

/// An empty string, an absolute http(s) URL, or a path on this server.
pub fn validate_url(field: &str, value: &str) -> Result<(), AppError> {
    if value.is_empty() {
        return Ok(());
    }
    if value.len() > MAX_URL_LEN {
        return Err(AppError::invalid(
            field,
            format!("must be at most {MAX_URL_LEN} characters"),
        ));
    }
    let well_formed =
        (value.starts_with("https://") || value.starts_with("http://") || value.starts_with('/'))
            && !value.starts_with("//")
            && !value
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    if well_formed {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            "must be an http(s) URL or a path starting with '/'",
        ))
    }
}

pub fn validate_price(
    field: &str,
    price_minor: i64,
    currency_field: &str,
    currency: &str,
) -> Result<(), AppError> {
    if price_minor < 0 {
        return Err(AppError::invalid(field, "must not be negative"));
    }
    if price_minor > MAX_PRICE_MINOR {
        return Err(AppError::invalid(
            field,
            format!("must be at most {MAX_PRICE_MINOR}"),
        ));
    }
    validate_currency(currency).map_err(|message| AppError::invalid(currency_field, message))
}

pub fn validate_stock(field: &str, stock: i64) -> Result<(), AppError> {
    if stock < 0 {
        return Err(AppError::invalid(field, "must not be negative"));
    }
    if stock > MAX_STOCK {
        return Err(AppError::invalid(
            field,
            format!("must be at most {MAX_STOCK}"),
        ));
    }
    Ok(())
}

pub fn validate_category(input: &CategoryInput) -> Result<(), AppError> {
    key("slug", &input.slug)?;
    text("name", &input.name, TextRule::line(MAX_TITLE_LEN))?;
    for (tag, name) in &input.translations {
        locale(&format!("translations.{tag}"), tag)?;
        text(
            &format!("translations.{tag}"),
            name,
            TextRule::line(MAX_TITLE_LEN),
        )?;
    }
    if let Some(criteria) = &input.review_criteria {
        validate_review_criteria(criteria)?;
    }
    Ok(())
}

/// A category's review criteria: known names, each once, at most [`MAX_CRITERIA`].
pub fn validate_review_criteria(criteria: &[String]) -> Result<(), AppError> {
    if criteria.len() > MAX_CRITERIA {
        return Err(AppError::invalid(
            "review_criteria",
            format!("name at most {MAX_CRITERIA} criteria"),
        ));
    }
    for (index, criterion) in criteria.iter().enumerate() {
        let field = format!("review_criteria[{index}]");
        if !CRITERIA_VOCABULARY.contains(&criterion.as_str()) {
            return Err(AppError::invalid(
                field,
                format!(
                    "\"{criterion}\" is not a review criterion; use one of {}",
                    CRITERIA_VOCABULARY.join(", ")
                ),
            ));
        }
        if criteria[..index].contains(criterion) {
            return Err(AppError::invalid(
                field,
                format!("\"{criterion}\" is named twice"),
            ));
        }
    }
    Ok(())
}

pub fn validate_product(input: &ProductInput) -> Result<(), AppError> {
    key("sku", &input.sku)?;
    key("category", &input.category)?;
    text("title", &input.title, TextRule::line(MAX_TITLE_LEN))?;
    text(
        "description",
        &input.description,
        TextRule::paragraphs(MAX_DESCRIPTION_LEN).optional(),
    )?;
    validate_url("image_url", &input.image_url)?;
    validate_url("page_url", &input.page_url)?;
    validate_price(
        "price_minor",
        input.price_minor,
        "currency",
        &input.currency,
    )?;
    validate_stock("stock", input.stock)?;
    for (tag, translated) in &input.translations {
        let field = format!("translations.{tag}");
        locale(&field, tag)?;
        text(
            &format!("{field}.title"),
            &translated.title,
            TextRule::line(MAX_TITLE_LEN),
        )?;
        text(
            &format!("{field}.description"),
            &translated.description,
            TextRule::paragraphs(MAX_DESCRIPTION_LEN).optional(),
        )?;
    }
    Ok(())
}

pub fn validate_price_change(input: &PriceChange) -> Result<(), AppError> {
    key("sku", &input.sku)?;
    validate_price(
        "price_minor",
        input.price_minor,
        "currency",
        &input.currency,
    )
}

pub fn validate_stock_change(input: &StockChange) -> Result<(), AppError> {
    key("sku", &input.sku)?;
    validate_stock("stock", input.stock)
}

/// The lowest price of the 30 days before `at` (EU Omnibus Directive, article 6a), from the price in effect 30
/// days before and every change since, oldest first: `(changed_at, price)`. `None` without any price then.
pub fn lowest_of_30_days(history: &[(Millis, i64)], at: Millis) -> Option<i64> {
    let since = at - 30 * DAY_MS;
    let in_effect_at_start = history
        .iter()
        .take_while(|(changed_at, _)| *changed_at <= since)
        .last()
        .map(|(_, price)| *price);
    history
        .iter()
        .filter(|(changed_at, _)| *changed_at > since && *changed_at < at)
        .map(|(_, price)| *price)
        .chain(in_effect_at_start)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ProductText;
    use crate::kernel::validate::batch;
    use std::collections::BTreeMap;

    fn teapot() -> ProductInput {
        ProductInput {
            sku: "TEA-001".into(),
            category: "kitchen".into(),
            title: "Ceramic teapot".into(),
            description: String::new(),
            image_url: "/demo-img/TEA-001.svg".into(),
            page_url: "https://shop.example/p/TEA-001".into(),
            price_minor: 12_900,
            currency: "CNY".into(),
            stock: 4,
            active: true,
            translations: BTreeMap::new(),
        }
    }

    #[test]
    fn a_well_formed_product_passes() {
        assert_eq!(validate_product(&teapot()), Ok(()));
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = Box<dyn Fn(&mut ProductInput)>;
        let cases: Vec<(Spoil, &str)> = vec![
            (Box::new(|p| p.sku.clear()), "sku"),
            (Box::new(|p| p.sku = "tea pot".into()), "sku"),
            (Box::new(|p| p.title = "  ".into()), "title"),
            (Box::new(|p| p.price_minor = -1), "price_minor"),
            (Box::new(|p| p.currency = "XXY".into()), "currency"),
            (Box::new(|p| p.stock = -3), "stock"),
            (
                Box::new(|p| p.image_url = "javascript:alert(1)".into()),
                "image_url",
            ),
            (
                Box::new(|p| p.page_url = "//evil.example".into()),
                "page_url",
            ),
            (
                Box::new(|p| {
                    p.translations.insert(
                        "zh_CN".into(),
                        ProductText {
                            title: "茶壶".into(),
                            description: String::new(),
                        },
                    );
                }),
                "translations.zh_CN",
            ),
        ];
        for (spoil, field) in cases {
            let mut product = teapot();
            spoil(&mut product);
            let error = validate_product(&product).expect_err(field);
            assert_eq!(error.field.as_deref(), Some(field), "{error:?}");
        }
    }

    #[test]
    fn batches_name_the_item_and_refuse_duplicates_and_excess() {
        let mut second = teapot();
        second.price_minor = -5;
        let error = batch(
            "products",
            &[teapot(), second],
            10,
            |p| &p.sku,
            validate_product,
        )
        .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("products[1].price_minor"));

        let error = batch(
            "products",
            &[teapot(), teapot()],
            10,
            |p| &p.sku,
            validate_product,
        )
        .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("products[1]"));
        assert!(error.message.contains("twice"));

        let error = batch(
            "products",
            &[teapot(), teapot()],
            1,
            |p| &p.sku,
            validate_product,
        )
        .unwrap_err();
        assert!(error.message.contains("at most 1"));

        let empty: [ProductInput; 0] = [];
        assert!(batch("products", &empty, 1, |p| &p.sku, validate_product).is_err());
    }

    #[test]
    fn the_omnibus_price_counts_the_price_in_effect_30_days_ago() {
        let at = 100 * DAY_MS;
        let history = [
            (10 * DAY_MS, 9_000),
            (60 * DAY_MS, 12_000),
            (80 * DAY_MS, 11_000),
            (at, 8_000),
        ];
        // The window opens on day 70, when 12,000 was in effect; 11,000 followed on day 80. The change being
        // announced (day 100) is not counted.
        assert_eq!(lowest_of_30_days(&history, at), Some(11_000));
        assert_eq!(lowest_of_30_days(&history, 65 * DAY_MS), Some(9_000));
        assert_eq!(lowest_of_30_days(&[], at), None);
    }
}
