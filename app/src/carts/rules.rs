//! The carts' pure rules: what a line of a cart the store sends may hold.

use super::{CartLineInput, MAX_CART_QUANTITY};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::validate;

/// A cart line names a product by a well-formed SKU and holds from 1 to [`MAX_CART_QUANTITY`] of it.
pub fn validate_line(line: &CartLineInput) -> Result<(), AppError> {
    validate::key("sku", &line.sku)?;
    if !(1..=MAX_CART_QUANTITY).contains(&line.quantity) {
        return Err(AppError::invalid(
            "quantity",
            Translation::with(
                "error.rule.between",
                &[
                    ("min", "1".to_owned()),
                    ("max", MAX_CART_QUANTITY.to_string()),
                ],
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, quantity: i64) -> CartLineInput {
        CartLineInput {
            sku: sku.into(),
            quantity,
        }
    }

    #[test]
    fn a_line_holds_one_to_ninety_nine_of_a_well_named_product() {
        assert!(validate_line(&line("KIT-00001", 1)).is_ok());
        assert!(validate_line(&line("KIT-00001", MAX_CART_QUANTITY)).is_ok());
        for (bad, field) in [
            (line("KIT-00001", 0), "quantity"),
            (line("KIT-00001", MAX_CART_QUANTITY + 1), "quantity"),
            (line("KIT-00001", -3), "quantity"),
            (line("", 1), "sku"),
            (line("KIT 00001", 1), "sku"),
        ] {
            assert_eq!(
                validate_line(&bad).unwrap_err().field.as_deref(),
                Some(field),
                "{bad:?}"
            );
        }
    }
}
