//! `server bench-ingest`: the ingest rate of the store functions the merchant API calls, on the configured database.

use app::catalog::{CategoryInput, ProductInput, ssr as catalog};
use app::events::{EventInput, EventKind, ssr as events};
use app::identity::{ShopperInput, ssr as identity};
use app::store::Db;
use app::time::now;
use std::collections::BTreeMap;
use std::time::Instant;

fn rate(count: usize, started: Instant) -> String {
    let seconds = started.elapsed().as_secs_f64();
    format!(
        "{count} in {seconds:.2} s = {:.0}/s",
        count as f64 / seconds
    )
}

/// Upserts `products` products in batches of 1,000, then records `events` events in batches of 5,000, and prints the rates.
pub async fn ingest(db: &Db, products: usize, events: usize) -> Result<(), String> {
    let err = |e: app::store::StoreError| e.to_string();
    let run = format!("{:x}", now());
    let category = format!("bench-{run}");
    catalog::upsert_categories(
        db,
        &[CategoryInput {
            slug: category.clone(),
            name: "Benchmark".into(),
            translations: BTreeMap::new(),
            position: 99,
        }],
    )
    .await
    .map_err(err)?;
    let skus: Vec<String> = (0..products).map(|i| format!("B{run}-{i}")).collect();
    let started = Instant::now();
    for chunk in skus.chunks(catalog::MAX_BATCH) {
        let batch: Vec<ProductInput> = chunk
            .iter()
            .map(|sku| ProductInput {
                sku: sku.clone(),
                category: category.clone(),
                title: format!("Benchmark product {sku}"),
                description: "A product written by the ingest benchmark.".into(),
                image_url: String::new(),
                page_url: String::new(),
                price_minor: 9_900,
                currency: "CNY".into(),
                stock: 10,
                active: true,
                translations: BTreeMap::new(),
            })
            .collect();
        catalog::upsert_products(db, &batch, now())
            .await
            .map_err(err)?;
    }
    println!("products upserted: {}", rate(products, started));

    let shopper = format!("bench-shopper-{run}");
    identity::upsert_shoppers(
        db,
        &[ShopperInput {
            shopper_id: shopper.clone(),
            email: None,
            display_name: "Bench".into(),
            locale: "en".into(),
        }],
        now(),
    )
    .await
    .map_err(err)?;
    let started = Instant::now();
    let mut recorded = 0;
    while recorded < events {
        let size = (events - recorded).min(events::MAX_EVENT_BATCH);
        let batch: Vec<EventInput> = (0..size)
            .map(|i| EventInput {
                shopper_id: Some(shopper.clone()),
                guest_id: None,
                sku: skus[(recorded + i) % skus.len()].clone(),
                kind: EventKind::Viewed,
                occurred_at: None,
            })
            .collect();
        recorded += events::record_batch(db, &batch, now()).await.map_err(err)? as usize;
    }
    println!("events recorded: {}", rate(events, started));
    Ok(())
}
