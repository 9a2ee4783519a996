//! The wish lists' pure rules: what changed since saving, list names, limits.

use super::{ItemChange, WishlistItem};
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::kernel::validate::{TextRule, text};

/// The longest list name, in characters.
pub const MAX_LIST_NAME_CHARS: usize = 60;

/// The limits a store sets on wish lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WishlistPolicy {
    /// Lists one shopper may have, the default list included.
    pub max_lists: i64,
    /// Items one list may hold.
    pub max_items: i64,
    /// Whether the heart button shows how many shoppers saved a product.
    pub show_saved_count: bool,
}

impl Default for WishlistPolicy {
    fn default() -> Self {
        Self {
            max_lists: 20,
            max_items: 500,
            show_saved_count: true,
        }
    }
}

/// What changed about `item` since it was saved. Availability and stock matter more to a shopper than price.
pub fn change_since_saved(item: &WishlistItem) -> ItemChange {
    if !item.available {
        return ItemChange::NoLongerAvailable;
    }
    let in_stock = item.stock > 0;
    if in_stock && !item.saved_in_stock {
        return ItemChange::BackInStock;
    }
    if !in_stock {
        return ItemChange::OutOfStock;
    }
    // Prices in another currency than when saved cannot be compared.
    if item.price.currency != item.saved_price.currency {
        return ItemChange::Unchanged;
    }
    let difference = item.saved_price.amount_minor - item.price.amount_minor;
    match difference.signum() {
        1 => ItemChange::Cheaper(Money::new(difference, item.price.currency.clone())),
        -1 => ItemChange::Dearer(Money::new(-difference, item.price.currency.clone())),
        _ => ItemChange::Unchanged,
    }
}

/// A list name: the shared text rule for a line of at most [`MAX_LIST_NAME_CHARS`] characters, trimmed.
pub fn validate_list_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    text("name", name, TextRule::line(MAX_LIST_NAME_CHARS))?;
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::time::Millis;

    fn item(saved: i64, now: i64, saved_in_stock: bool, stock: i64) -> WishlistItem {
        WishlistItem {
            sku: "A".into(),
            title: "Teapot".into(),
            image_url: String::new(),
            price: Money::new(now, "CNY"),
            stock,
            available: true,
            saved_at: Millis::ZERO,
            saved_price: Money::new(saved, "CNY"),
            saved_in_stock,
        }
    }

    #[test]
    fn a_cheaper_price_says_by_how_much() {
        assert_eq!(
            change_since_saved(&item(12_000, 10_000, true, 3)),
            ItemChange::Cheaper(Money::new(2_000, "CNY"))
        );
        assert_eq!(
            change_since_saved(&item(10_000, 10_500, true, 3)),
            ItemChange::Dearer(Money::new(500, "CNY"))
        );
        assert_eq!(
            change_since_saved(&item(10_000, 10_000, true, 3)),
            ItemChange::Unchanged
        );
    }

    #[test]
    fn availability_and_stock_come_before_price() {
        let mut withdrawn = item(12_000, 10_000, true, 3);
        withdrawn.available = false;
        assert_eq!(
            change_since_saved(&withdrawn),
            ItemChange::NoLongerAvailable
        );
        assert_eq!(
            change_since_saved(&item(12_000, 10_000, false, 3)),
            ItemChange::BackInStock
        );
        assert_eq!(
            change_since_saved(&item(12_000, 10_000, true, 0)),
            ItemChange::OutOfStock
        );
    }

    #[test]
    fn prices_in_different_currencies_are_not_compared() {
        let mut item = item(12_000, 10_000, true, 3);
        item.price = Money::new(10_000, "USD");
        assert_eq!(change_since_saved(&item), ItemChange::Unchanged);
    }

    #[test]
    fn list_names_are_trimmed_and_bounded() {
        assert_eq!(validate_list_name("  Birthday  ").unwrap(), "Birthday");
        assert_eq!(
            validate_list_name("   ").unwrap_err().field.as_deref(),
            Some("name")
        );
        assert!(validate_list_name(&"x".repeat(61)).is_err());
        assert!(validate_list_name(&"礼".repeat(60)).is_ok());
        assert!(validate_list_name("a\u{0}b").is_err());
    }
}
