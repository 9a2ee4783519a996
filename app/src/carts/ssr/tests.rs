use super::*;
use crate::carts::CartLineInput;
use crate::carts::carted;
use crate::flows::cart_price_drops::CartsLeft;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::identity::Viewer;
use crate::identity::ssr::Owner;
use crate::kernel::error::ErrorCode;
use crate::store::testing::{all, count};

const NOW: Millis = Millis(1_800_000_000_000);

fn cart_of(lines: &[(&str, i64)]) -> CartInput {
    CartInput {
        lines: lines
            .iter()
            .map(|(sku, quantity)| CartLineInput {
                sku: (*sku).into(),
                quantity: *quantity,
            })
            .collect(),
    }
}

fn held(cart: &Cart) -> Vec<(String, i64, i64)> {
    cart.lines
        .iter()
        .map(|line| {
            (
                line.sku.clone(),
                line.quantity,
                line.watched_price.amount_minor,
            )
        })
        .collect()
}

async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[
            product_input("A", 10_000, 9),
            product_input("B", 5_000, 9),
            product_input("C", 2_000, 9),
        ],
    )
    .await;
    add_shopper(db, "alice").await;
}

#[tokio::test]
async fn the_stores_cart_replaces_what_rapport_knew_keeping_the_watched_price_of_lines_still_in_it()
{
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let alice = Viewer::Shopper("alice".into());
        carted(db, &alice, "A", 1, NOW).await.unwrap();
        carted(db, &alice, "A", 2, NOW).await.unwrap();
        carted(db, &alice, "B", 1, NOW).await.unwrap();
        assert_eq!(
            held(&cart(db, "alice").await.unwrap()),
            [("A".into(), 3, 10_000), ("B".into(), 1, 5_000)]
        );
        // The store's cart: A changed quantity, B left, C came.
        let replaced = replace(
            db,
            "alice",
            &cart_of(&[("A", 5), ("C", 1)]),
            &CartsLeft,
            NOW + Millis(1),
        )
        .await
        .unwrap();
        assert_eq!(
            held(&replaced),
            [("A".into(), 5, 10_000), ("C".into(), 1, 2_000)]
        );
        assert_eq!(replaced, cart(db, "alice").await.unwrap());
        assert_eq!(
            replace(db, "alice", &cart_of(&[]), &CartsLeft, NOW)
                .await
                .unwrap()
                .lines,
            []
        );
        replace(db, "alice", &cart_of(&[("B", 1)]), &CartsLeft, NOW)
            .await
            .unwrap();
        assert_eq!(clear(db, "alice", &CartsLeft).await.unwrap(), 1);
        assert_eq!(count(db, "cart_lines").await, 0);
    }
}

#[tokio::test]
async fn a_bad_cart_is_refused_whole_naming_what_is_wrong_and_changes_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        replace(db, "alice", &cart_of(&[("A", 1)]), &CartsLeft, NOW)
            .await
            .unwrap();
        let refused = |input: CartInput, shopper: &'static str| async move {
            match replace(db, shopper, &input, &CartsLeft, NOW).await {
                Err(StoreError::Rejected(error)) => (error.code, error.field),
                other => panic!("accepted: {other:?}"),
            }
        };
        assert_eq!(
            refused(cart_of(&[("B", 1), ("NOPE", 1)]), "alice").await,
            (ErrorCode::NotFound, Some("lines[1].sku".into()))
        );
        assert_eq!(
            refused(cart_of(&[("B", 1), ("B", 2)]), "alice").await,
            (ErrorCode::Invalid, Some("lines[1]".into()))
        );
        assert_eq!(
            refused(cart_of(&[("B", 0)]), "alice").await,
            (ErrorCode::Invalid, Some("lines[0].quantity".into()))
        );
        assert_eq!(
            refused(cart_of(&[("B", 100)]), "alice").await,
            (ErrorCode::Invalid, Some("lines[0].quantity".into()))
        );
        assert_eq!(
            refused(cart_of(&[("B", 1)]), "nobody").await,
            (ErrorCode::NotFound, Some("shopper_id".into()))
        );
        let many: Vec<(String, i64)> = (0..=MAX_CART_LINES)
            .map(|index| (format!("S{index}"), 1))
            .collect();
        let many: Vec<(&str, i64)> = many.iter().map(|(sku, q)| (sku.as_str(), *q)).collect();
        assert_eq!(
            refused(cart_of(&many), "alice").await,
            (ErrorCode::Invalid, Some("lines".into()))
        );
        assert_eq!(
            held(&cart(db, "alice").await.unwrap()),
            [("A".into(), 1, 10_000)]
        );
        assert!(matches!(
            cart(db, "nobody").await,
            Err(StoreError::Rejected(error)) if error.code == ErrorCode::NotFound
        ));
    }
}

#[tokio::test]
async fn a_guests_line_merges_into_the_shoppers_keeping_when_they_were_told_and_the_lower_price() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let alice = crate::identity::ssr::known_shopper_reading(db, "alice")
            .await
            .unwrap();
        let product = |sku: &str| {
            let sku = sku.to_owned();
            async move {
                let mut tx = db.write().await.unwrap();
                let (key, ..) = product_for_update(&mut tx, &sku, "sku").await.unwrap();
                tx.commit().await.unwrap();
                key
            }
        };
        let (a, b) = (product("A").await, product("B").await);
        let mut tx = db.write().await.unwrap();
        let shopper = Owner::Shopper(alice);
        let guest = Owner::Guest("g-alice".into());
        // Alice's A, told of a drop to 90.00; her B, seen later than the guest's.
        add(&mut tx, &shopper, a, 1, (10_000, "CNY"), NOW)
            .await
            .unwrap();
        let line: i64 = sqlx::query_scalar("SELECT id FROM cart_lines WHERE product_id = $1")
            .bind(a)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        mark_told(&mut tx, &[line], 9_000, NOW + Millis(1))
            .await
            .unwrap();
        add(&mut tx, &guest, b, 4, (5_000, "CNY"), NOW + Millis(2))
            .await
            .unwrap();
        add(&mut tx, &shopper, b, 1, (5_000, "CNY"), NOW + Millis(3))
            .await
            .unwrap();
        // As a guest, later, she put three of A in the cart at 95.00.
        add(&mut tx, &guest, a, 3, (9_500, "CNY"), NOW + Millis(4))
            .await
            .unwrap();
        adopt_guest_cart(&mut tx, "g-alice", alice).await.unwrap();
        tx.commit().await.unwrap();
        let cart = cart(db, "alice").await.unwrap();
        let lines: Vec<(String, i64, i64, bool)> = cart
            .lines
            .iter()
            .map(|line| {
                (
                    line.sku.clone(),
                    line.quantity,
                    line.watched_price.amount_minor,
                    line.notified_at.is_some(),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [("A".into(), 3, 9_000, true), ("B".into(), 1, 5_000, false)]
        );
        assert_eq!(
            count(db, "cart_lines").await,
            2,
            "the guest's lines are gone"
        );
    }
}
