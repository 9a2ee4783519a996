//! The wish lists' pure rules: what changed since saving, list names, limits, and which save (or fall of a saved
//! price) an order of the product followed.

use super::{BuyersSave, ItemChange, WishlistItem};
use crate::kernel::error::AppError;
use crate::kernel::money::Money;
use crate::kernel::time::Millis;
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

/// How long after saving a product an order of it follows the save, and a fall of its price is one the save saw.
pub const SAVE_WINDOW: Millis = Millis::days(30);
/// How long after a saved product's price fell an order of it follows the fall: the week an alert's notice has.
pub const FALL_WINDOW: Millis = Millis::days(7);

/// The save an order of a product placed at `bought_at` follows, of `saves` (its buyer's saves of that product):
/// the latest saved strictly before the order and at most [`SAVE_WINDOW`] before it; of two saved at the same
/// time, the one on the later list. `None` when none is that recent.
pub fn followed_save<'a>(
    saves: impl IntoIterator<Item = &'a BuyersSave>,
    bought_at: Millis,
) -> Option<&'a BuyersSave> {
    saves
        .into_iter()
        .filter(|save| save.saved_at < bought_at && bought_at - save.saved_at <= SAVE_WINDOW)
        .max_by_key(|save| (save.saved_at, save.list))
}

/// The save whose price fall an order placed at `bought_at` follows, of `saves`: the latest fall strictly before
/// the order and at most [`FALL_WINDOW`] before it; of two at the same time, the one on the later list.
pub fn followed_fall<'a>(
    saves: impl IntoIterator<Item = &'a BuyersSave>,
    bought_at: Millis,
) -> Option<&'a BuyersSave> {
    saves
        .into_iter()
        .filter_map(|save| Some((save.fell_at?, save)))
        .filter(|(fell_at, _)| *fell_at < bought_at && bought_at - *fell_at <= FALL_WINDOW)
        .max_by_key(|(fell_at, save)| (*fell_at, save.list))
        .map(|(_, save)| save)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn saved(list: i64, saved_at: i64, fell_at: Option<i64>) -> BuyersSave {
        BuyersSave {
            list,
            shopper: 1,
            product: 10,
            saved_at: Millis(saved_at),
            fell_at: fell_at.map(Millis),
            currency: "CNY".into(),
        }
    }

    #[test]
    fn an_order_follows_the_latest_save_in_the_thirty_days_before_it() {
        let bought = Millis::days(40);
        let saves = [
            saved(1, Millis::days(5).0, None),
            saved(2, Millis::days(12).0, None),
            saved(3, Millis::days(12).0, None),
            // Saved after the order: it did not lead to it.
            saved(4, Millis::days(41).0, None),
        ];
        assert_eq!(followed_save(&saves, bought).map(|s| s.list), Some(3));
        // Exactly thirty days before still counts; a millisecond more does not.
        let edge = [saved(1, (bought - SAVE_WINDOW).0, None)];
        assert_eq!(followed_save(&edge, bought).map(|s| s.list), Some(1));
        let past = [saved(1, (bought - SAVE_WINDOW).0 - 1, None)];
        assert_eq!(followed_save(&past, bought), None);
        // An order in the same millisecond as the save did not follow it.
        assert_eq!(followed_save(&[saved(1, bought.0, None)], bought), None);
    }

    #[test]
    fn an_order_follows_the_latest_fall_in_the_week_before_it() {
        let bought = Millis::days(40);
        let saves = [
            saved(1, Millis::days(30).0, Some(Millis::days(35).0)),
            saved(2, Millis::days(20).0, Some(Millis::days(38).0)),
            saved(3, Millis::days(25).0, None),
        ];
        assert_eq!(followed_fall(&saves, bought).map(|s| s.list), Some(2));
        let week = [saved(1, 0, Some((bought - FALL_WINDOW).0))];
        assert_eq!(followed_fall(&week, bought).map(|s| s.list), Some(1));
        let older = [saved(1, 0, Some((bought - FALL_WINDOW).0 - 1))];
        assert_eq!(followed_fall(&older, bought), None);
        assert_eq!(followed_fall(&[saved(1, 0, Some(bought.0))], bought), None);
    }
}
