//! The `rapport-tools bench-*` commands: ingest rates, and the reads and writes the widgets make, timed in process on the
//! configured database.

use crate::progress::Progress;
use app::alerts::rules::AlertPolicy;
use app::catalog::{CategoryInput, ProductInput, ssr as catalog};
use app::events::{EventInput, EventKind, ssr as events};
use app::flows::catalog_alerts::CatalogAlerts;
use app::flows::tier_growth::TierGrowth;
use app::identity::{ShopperInput, ssr as identity};
use app::kernel::time::{Millis, now};
use app::store::Db;
use std::collections::BTreeMap;
use std::time::Instant;

fn rate(count: usize, started: Instant) -> String {
    let seconds = started.elapsed().as_secs_f64();
    format!(
        "{count} in {seconds:.2} s = {:.0}/s",
        count as f64 / seconds
    )
}

/// A category of its own for one benchmark run, so that runs never collide; returns its slug.
async fn bench_category(db: &Db, run: &str) -> Result<String, String> {
    let slug = format!("bench-{run}");
    let category = CategoryInput {
        slug: slug.clone(),
        name: "Benchmark".into(),
        translations: BTreeMap::new(),
        position: 99,
        review_criteria: None,
        repeatable: false,
    };
    catalog::upsert_categories(db, &[category])
        .await
        .map_err(|e| e.to_string())?;
    Ok(slug)
}

/// A plain benchmark product.
fn bench_product(sku: &str, category: &str) -> ProductInput {
    ProductInput {
        sku: sku.to_owned(),
        category: category.to_owned(),
        title: format!("Benchmark product {sku}"),
        description: "A product written by a benchmark.".into(),
        image_url: String::new(),
        page_url: String::new(),
        price_minor: 9_900,
        currency: "CNY".into(),
        stock: 10,
        active: true,
        translations: BTreeMap::new(),
    }
}

/// Upserts `products` products in batches of 1,000, then records `events` events in batches of 5,000, and prints the rates.
pub async fn ingest(db: &Db, products: usize, events: usize) -> Result<(), String> {
    let err = |e: app::store::StoreError| e.to_string();
    let run = format!("{:x}", now().0);
    let category = bench_category(db, &run).await?;
    let skus: Vec<String> = (0..products).map(|i| format!("B{run}-{i}")).collect();
    let started = Instant::now();
    let mut progress = Progress::start("products upserted", products);
    for (index, chunk) in skus.chunks(app::kernel::validate::MAX_BATCH).enumerate() {
        progress.at(index * app::kernel::validate::MAX_BATCH);
        let batch: Vec<ProductInput> = chunk
            .iter()
            .map(|sku| bench_product(sku, &category))
            .collect();
        catalog::upsert_products(db, &batch, &CatalogAlerts(&AlertPolicy::default()), now())
            .await
            .map_err(err)?;
    }
    progress.finish();
    println!("products upserted: {}", rate(products, started));

    let shopper = format!("bench-shopper-{run}");
    identity::upsert_shoppers(
        db,
        &[ShopperInput {
            shopper_id: shopper.clone(),
            email: None,
            display_name: "Bench".into(),
            locale: "en".into(),
            time_zone: None,
        }],
        now(),
    )
    .await
    .map_err(err)?;
    let started = Instant::now();
    let mut recorded = 0;
    let mut progress = Progress::start("events recorded", events);
    while recorded < events {
        progress.at(recorded);
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
    progress.finish();
    println!("events recorded: {}", rate(events, started));
    Ok(())
}

/// p50 and p99 of a set of durations, in milliseconds.
fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50), at(0.99))
}

/// 1,000 timings (ms) of the `Reviews` widget's first page of a product, most helpful first, under `filter`.
async fn first_page_reads(
    db: &Db,
    sku: &str,
    filter: app::reviews::ReviewFilter,
) -> Result<Vec<f64>, String> {
    let mut samples = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let started = Instant::now();
        app::reviews::ssr::list(
            db,
            sku,
            app::reviews::ReviewSort::MostHelpful,
            filter,
            0,
            10,
            &app::flows::tier_badges::TierBadges,
        )
        .await
        .map_err(|e| e.to_string())?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(samples)
}

/// Loads one product with `reviews` reviews and `votes` helpfulness votes, then measures the read the `Reviews`
/// widget makes (summary and first page by most helpful) and the rate of votes through the store function.
pub async fn reviews(db: &Db, reviews: usize, votes: usize) -> Result<(), String> {
    use app::reviews::ssr::{self as store, ReviewPolicy};
    use app::reviews::{ReviewFilter, ReviewInput};
    use sqlx::Row;
    let err = |e: app::store::StoreError| e.to_string();
    let run = format!("{:x}", now().0);
    let sku = format!("R{run}");
    let category = bench_category(db, &run).await?;
    let product = bench_product(&sku, &category);
    catalog::upsert_products(
        db,
        &[product],
        &CatalogAlerts(&AlertPolicy::default()),
        now(),
    )
    .await
    .map_err(err)?;
    let shoppers: Vec<String> = (0..reviews).map(|i| format!("r{run}-{i}")).collect();
    add_shoppers(db, &shoppers, false).await?;
    let policy = ReviewPolicy {
        auto_publish: app::reviews::rules::AutoPublish {
            require_verified: false,
            min_rating: 1,
        },
        reviews_per_day: i64::MAX,
        votes_per_minute: i64::MAX,
        ..ReviewPolicy::default()
    };
    let started = Instant::now();
    let mut review_ids = Vec::with_capacity(reviews);
    let mut progress = Progress::start("reviews written", reviews);
    let uploads = ReviewPolicy {
        photos_per_day: i64::MAX,
        ..policy
    };
    for (index, shopper) in shoppers.iter().enumerate() {
        progress.at(index);
        // Every fourth review has two photos (their files are not needed for the read: names alone).
        let mut photos = Vec::new();
        if index % 4 == 0 {
            for n in 0..2u64 {
                let key = |size: u64| format!("{:064x}.jpg", (index as u64) * 4 + n * 2 + size);
                let photo = store::NewPhoto {
                    display_key: key(0),
                    thumb_key: key(1),
                    width: 1600,
                    height: 1200,
                };
                photos.push(
                    store::add_upload(db, shopper, &photo, &uploads, now())
                        .await
                        .map_err(err)?
                        .id,
                );
            }
        }
        let input = ReviewInput {
            rating: (index % 5 + 1) as i64,
            title: format!("Review {index}"),
            body: "A review written by the reviews benchmark.".into(),
            criteria: BTreeMap::new(),
            photos: Some(photos),
        };
        review_ids.push(
            store::write_review(
                db,
                shopper,
                &sku,
                &input,
                &policy,
                &TierGrowth,
                now() - Millis(index as i64),
            )
            .await
            .map_err(err)?
            .id,
        );
    }
    progress.finish();
    println!("reviews written: {}", rate(reviews, started));

    // A million votes one by one would take minutes: bulk-load them (most on the first reviews, as on real
    // products), then set each review's counts and score as the vote function would.
    let shopper_keys: Vec<i64> =
        sqlx::query("SELECT id FROM shoppers WHERE external_id LIKE $1 ORDER BY id")
            .bind(format!("r{run}-%"))
            .fetch_all(db.reader())
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .map(|row| row.try_get::<i64, _>("id"))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
    // Zipf-shaped shares, capped at one vote per other shopper, with what the cap cut off spread over the rest.
    let harmonic: f64 = (1..=reviews).map(|rank| 1.0 / rank as f64).sum();
    let cap = shopper_keys.len() - 1;
    let mut counts: Vec<usize> = (0..reviews)
        .map(|rank| ((votes as f64 / (rank as f64 + 1.0) / harmonic) as usize).min(cap))
        .collect();
    let mut missing = votes.saturating_sub(counts.iter().sum());
    while missing > 0 && counts.iter().any(|count| *count < cap) {
        for count in counts
            .iter_mut()
            .filter(|count| **count < cap)
            .take(missing)
        {
            *count += 1;
            missing -= 1;
        }
    }
    let started = Instant::now();
    let mut pending = Vec::new();
    let mut loaded = 0;
    let mut per_review = Vec::with_capacity(reviews);
    let mut progress = Progress::start("votes bulk-loaded", votes);
    for (rank, (review, count)) in review_ids.iter().zip(counts).enumerate() {
        progress.at(loaded);
        let helpful = count * (rank % 7 + 2) / 10;
        per_review.push((*review, helpful as i64, (count - helpful) as i64));
        for voter in 0..count {
            pending.push((
                *review,
                shopper_keys[(rank + 1 + voter) % shopper_keys.len()],
                i64::from(voter < helpful),
            ));
        }
        loaded += count;
        if pending.len() >= 20_000 || rank + 1 == review_ids.len() {
            let mut tx = db.write().await.map_err(err)?;
            for chunk in pending.chunks(300) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("(${}, ${}, ${}, 0)", 3 * i + 1, 3 * i + 2, 3 * i + 3))
                    .collect();
                let sql = format!(
                    "INSERT INTO helpful_votes (review_id, shopper_id, helpful, voted_at) VALUES {}",
                    values.join(", ")
                );
                let mut query = sqlx::query(&sql);
                for (review, shopper, helpful) in chunk {
                    query = query.bind(*review).bind(*shopper).bind(*helpful);
                }
                query.execute(&mut *tx).await.map_err(|e| e.to_string())?;
            }
            tx.commit().await.map_err(|e| e.to_string())?;
            pending.clear();
        }
    }
    let mut tx = db.write().await.map_err(err)?;
    for (review, helpful, not_helpful) in &per_review {
        let score = app::reviews::rules::helpfulness_score(
            *helpful as u64,
            *not_helpful as u64,
            false,
            1.0,
        );
        sqlx::query("UPDATE reviews SET helpful_count = $1, not_helpful_count = $2, helpful_score = $3 WHERE id = $4")
            .bind(*helpful)
            .bind(*not_helpful)
            .bind(score)
            .bind(*review)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    progress.finish();
    println!("votes bulk-loaded: {}", rate(loaded, started));
    // Fresh planner statistics, as PostgreSQL's autovacuum (or SQLite's optimize) would gather soon after a load.
    sqlx::query("ANALYZE")
        .execute(db.reader())
        .await
        .map_err(|e| e.to_string())?;

    let (p50, p99) = percentiles(first_page_reads(db, &sku, ReviewFilter::default()).await?);
    println!(
        "first page of 10 by most helpful ({reviews} reviews, a quarter with two photos, {loaded} votes): p50 {p50:.2} ms, p99 {p99:.2} ms"
    );
    let with_photos = ReviewFilter {
        with_photos: true,
        ..ReviewFilter::default()
    };
    let (p50, p99) = percentiles(first_page_reads(db, &sku, with_photos).await?);
    println!("first page of 10 \"with photos\", by most helpful: p50 {p50:.2} ms, p99 {p99:.2} ms");
    let mut summary_samples = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let started = Instant::now();
        store::summary(db, &sku).await.map_err(err)?;
        summary_samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = percentiles(summary_samples);
    println!(
        "rating summary (histogram and criteria) of the same product: p50 {p50:.2} ms, p99 {p99:.2} ms"
    );

    let casts = 20_000;
    let started = Instant::now();
    let mut progress = Progress::start("votes through the store function", casts);
    for index in 0..casts {
        progress.at(index);
        let voter = &shoppers[(index * 7919) % shoppers.len()];
        let review = review_ids[index % review_ids.len()];
        match store::vote(db, voter, review, Some(index % 3 != 0), &policy, now()).await {
            Ok(_) => {}
            // A voter drawn onto their own review: refused, as it should be; it still counts as a request served.
            Err(app::store::StoreError::Rejected(_)) => {}
            Err(error) => return Err(error.to_string()),
        }
    }
    progress.finish();
    println!(
        "votes through the store function, one at a time: {}",
        rate(casts, started)
    );
    Ok(())
}

/// Loads one product with `count` published questions, each answered by the shop and by a buyer, and `marks` helpful
/// marks on the answers; then times what the `Questions` widget reads (the first page, and a signed-in shopper's
/// standing) and the rate of helpful marks through the store function.
pub async fn questions(db: &Db, count: usize, marks: usize) -> Result<(), String> {
    use app::flows::answer_notices::AnswerNotices;
    use app::flows::verified_buyers::OrderedProducts;
    use app::questions::rules::{PAGE, QuestionPolicy};
    use app::questions::ssr as store;
    let err = |e: app::store::StoreError| e.to_string();
    let run = format!("{:x}", now().0);
    let sku = format!("Q{run}");
    let category = bench_category(db, &run).await?;
    catalog::upsert_products(
        db,
        &[bench_product(&sku, &category)],
        &CatalogAlerts(&AlertPolicy::default()),
        now(),
    )
    .await
    .map_err(err)?;
    let askers: Vec<String> = (0..count).map(|i| format!("q{run}-{i}")).collect();
    add_shoppers(db, &askers, true).await?;
    // One buyer answers every question.
    let buyer = format!("q{run}-buyer");
    add_shoppers(db, std::slice::from_ref(&buyer), false).await?;
    let order = app::orders::OrderInput {
        order_id: format!("q{run}-order"),
        shopper_id: buyer.clone(),
        currency: "CNY".into(),
        lines: vec![app::orders::OrderLineInput {
            sku: sku.clone(),
            quantity: 1,
            unit_price_minor: 9_900,
        }],
        shipping_minor: 0,
        tax_minor: 0,
        placed_at: None,
    };
    app::orders::ssr::record_order(db, &format!("q{run}-order"), &order, &TierGrowth, now())
        .await
        .map_err(err)?;
    let policy = QuestionPolicy {
        questions_per_day: i64::MAX,
        answers_per_day: i64::MAX,
        votes_per_minute: i64::MAX,
    };
    let context = store::Questions {
        policy,
        purchases: std::sync::Arc::new(OrderedProducts),
        then: std::sync::Arc::new(AnswerNotices),
    };
    let started = Instant::now();
    let mut answers = Vec::with_capacity(2 * count);
    let mut progress = Progress::start("questions asked and answered", count);
    for (index, asker) in askers.iter().enumerate() {
        progress.at(index);
        let at = now() - Millis(index as i64);
        let asked = store::ask(db, asker, &sku, "Does it fit a 20 cm hob?", &policy, at)
            .await
            .map_err(err)?;
        // The shop's answer publishes the question, and the asker's email about it is queued, as in the store.
        answers.push(
            store::answer_as_shop(db, asked.id, "Yes, up to 22 cm.", &AnswerNotices, at)
                .await
                .map_err(err)?
                .id,
        );
        answers.push(
            store::answer_as_shopper(db, &buyer, asked.id, "Mine fits.", &context, at)
                .await
                .map_err(err)?
                .id,
        );
    }
    progress.finish();
    println!(
        "questions asked and answered by the shop and a buyer: {}",
        rate(count, started)
    );

    // Most marks on a few answers, as on real products (the cube of an even spread).
    let started = Instant::now();
    let mut progress = Progress::start("helpful marks", marks);
    for index in 0..marks {
        progress.at(index);
        let spread = ((index * 7_919) % 1_000) as f64 / 1_000.0;
        let answer = answers[(spread.powi(3) * answers.len() as f64) as usize];
        let marker = &askers[index % askers.len()];
        match store::vote(db, marker, answer, true, &policy, now()).await {
            Ok(_) => {}
            // A marker drawn onto their own answer: refused, as it should be; it still counts as a request served.
            Err(app::store::StoreError::Rejected(_)) => {}
            Err(error) => return Err(error.to_string()),
        }
    }
    progress.finish();
    println!(
        "helpful marks through the store function, one at a time: {}",
        rate(marks, started)
    );
    sqlx::query("ANALYZE")
        .execute(db.reader())
        .await
        .map_err(|e| e.to_string())?;

    let (mut page, mut standing) = (Vec::with_capacity(1_000), Vec::with_capacity(1_000));
    for index in 0..1_000 {
        let started = Instant::now();
        store::list(db, &sku, 0, PAGE).await.map_err(err)?;
        page.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        store::shopper_questions(db, &askers[index % askers.len()], &sku, &OrderedProducts)
            .await
            .map_err(err)?;
        standing.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    report(
        &format!("first page of {PAGE} questions with their answers ({count} questions)"),
        page,
    );
    report(
        "a signed-in shopper's standing (may answer, own questions, marks)",
        standing,
    );
    Ok(())
}

/// Prints the p50 and p99 of `samples` under `label`.
fn report(label: &str, samples: Vec<f64>) {
    let count = samples.len();
    let (p50, p99) = percentiles(samples);
    println!("{label} ({count} times): p50 {p50:.2} ms, p99 {p99:.2} ms");
}

/// Creates the shoppers `ids` (named after their ids, with an address at `bench.example` when `with_email`) in
/// the API's batch size.
async fn add_shoppers(db: &Db, ids: &[String], with_email: bool) -> Result<(), String> {
    for chunk in ids.chunks(app::kernel::validate::MAX_BATCH) {
        let batch: Vec<ShopperInput> = chunk
            .iter()
            .map(|id| ShopperInput {
                shopper_id: id.clone(),
                email: with_email.then(|| format!("{id}@bench.example")),
                display_name: id.clone(),
                locale: "en".into(),
                time_zone: None,
            })
            .collect();
        identity::upsert_shoppers(db, &batch, now())
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// On a database holding demo data: fills a new shopper's default wish list with `items` of its products, then
/// times what the widgets ask of the store: the heart's save and remove, the whole list with current prices and
/// what changed (by date saved and by biggest drop), and a grid's 24 heart states.
pub async fn wishlists(db: &Db, items: usize) -> Result<(), String> {
    use app::identity::Viewer;
    use app::wishlist::WishlistSort;
    use app::wishlist::rules::WishlistPolicy;
    use app::wishlist::ssr as store;
    let err = |e: app::store::StoreError| e.to_string();
    let count = |table: &'static str| async move {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.reader())
            .await
            .map_err(|e| e.to_string())
    };
    println!(
        "store: {} products, {} shoppers, {} events, {} wish-list items",
        count("products").await?,
        count("shoppers").await?,
        count("shopper_events").await?,
        count("wishlist_items").await?
    );
    let active: Vec<String> =
        sqlx::query_scalar("SELECT sku FROM products WHERE active = 1 ORDER BY id")
            .fetch_all(db.reader())
            .await
            .map_err(|e| e.to_string())?;
    let toggled = 500;
    if active.len() < items + toggled {
        return Err(format!(
            "needs at least {} active products; load the demo data first (`rapport-tools seed --scale large`)",
            items + toggled
        ));
    }
    // Spread over the whole catalogue, as a real list is.
    let stride = active.len() / (items + toggled);
    let picked: Vec<&String> = active
        .iter()
        .step_by(stride)
        .take(items + toggled)
        .collect();
    let (listed, others) = picked.split_at(items);

    let run = format!("{:x}", now().0);
    let shopper = format!("bench-wishlist-{run}");
    identity::upsert_shoppers(
        db,
        &[ShopperInput {
            shopper_id: shopper.clone(),
            email: None,
            display_name: "Bench".into(),
            locale: "en".into(),
            time_zone: None,
        }],
        now(),
    )
    .await
    .map_err(err)?;
    let viewer = Viewer::Shopper(shopper);
    let policy = WishlistPolicy {
        show_saved_count: true,
        ..WishlistPolicy::default()
    };
    let mut saves = Vec::with_capacity(items);
    let mut progress = Progress::start("wish-list saves", items);
    for (index, sku) in listed.iter().enumerate() {
        progress.at(index);
        let started = Instant::now();
        store::save(db, &viewer, sku, None, &policy, now())
            .await
            .map_err(err)?;
        saves.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    progress.finish();
    report(
        &format!("filling the list to {items} items, one save each"),
        saves,
    );

    let mut toggles = Vec::with_capacity(2 * toggled);
    for sku in others {
        let started = Instant::now();
        store::save(db, &viewer, sku, None, &policy, now())
            .await
            .map_err(err)?;
        toggles.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        store::remove(db, &viewer, sku, None, now())
            .await
            .map_err(err)?;
        toggles.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    report(
        &format!("heart toggle on a {items}-item list (save or remove, with its event)"),
        toggles,
    );

    for (sort, name) in [
        (WishlistSort::Saved, "by date saved"),
        (WishlistSort::PriceDrop, "by biggest drop"),
    ] {
        // Each of the 8 reading connections prepares the statement on first use, once in its life: warm them
        // up unmeasured, as a running server's are.
        for _ in 0..16 {
            store::wishlist(db, &viewer, None, "zh-CN", sort)
                .await
                .map_err(err)?;
        }
        let mut loads = Vec::with_capacity(500);
        for _ in 0..500 {
            let started = Instant::now();
            let list = store::wishlist(db, &viewer, None, "zh-CN", sort)
                .await
                .map_err(err)?;
            loads.push(started.elapsed().as_secs_f64() * 1000.0);
            if list.items.len() != items {
                return Err(format!(
                    "the list holds {} items, not {items}",
                    list.items.len()
                ));
            }
        }
        report(
            &format!("loading the {items}-item list with current prices, {name}"),
            loads,
        );
    }

    let grid: Vec<String> = others.iter().take(24).map(|sku| (*sku).clone()).collect();
    let mut states = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let started = Instant::now();
        store::saved_states(db, &viewer, &grid, &policy)
            .await
            .map_err(err)?;
        states.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    report("a grid's 24 heart states with saved-by counts", states);
    Ok(())
}

/// One product with `subscribers` price-drop alerts (signed-in shoppers with email addresses): times the price
/// change that fires them all, which writes every notice into the outbox in its own transaction. Then, when
/// `smtp_url` names a server, delivers `deliveries` of the queued emails through it one at a time and then
/// `deliveries` more `concurrency` at a time, and prints both rates.
pub async fn alerts(
    db: &Db,
    subscribers: usize,
    deliveries: usize,
    smtp_url: Option<String>,
    concurrency: usize,
) -> Result<(), String> {
    use app::catalog::PriceChange;
    let err = |e: app::store::StoreError| e.to_string();
    let sql = |e: sqlx::Error| e.to_string();
    let run = format!("{:x}", now().0);
    let category = bench_category(db, &run).await?;
    let sku = format!("A{run}");
    let product = bench_product(&sku, &category);
    catalog::upsert_products(
        db,
        &[product],
        &CatalogAlerts(&AlertPolicy::default()),
        now(),
    )
    .await
    .map_err(err)?;
    let started = Instant::now();
    let ids: Vec<String> = (0..subscribers).map(|i| format!("a{run}-{i}")).collect();
    add_shoppers(db, &ids, true).await?;
    // Subscriptions one by one would take minutes: bulk-load them as `subscribe` writes them.
    let product_id: i64 = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(&sku)
        .fetch_one(db.reader())
        .await
        .map_err(sql)?;
    let mut tx = db.write().await.map_err(err)?;
    sqlx::query(
        "INSERT INTO alerts (product_id, shopper_id, kind, rule, reference_minor, currency, status, created_at, \
         confirmed_at, locale) SELECT $1, id, 'price_drop', 'any', 9900, 'CNY', 'active', $2, $2, 'en' \
         FROM shoppers WHERE external_id LIKE $3",
    )
    .bind(product_id)
    .bind(now())
    .bind(format!("a{run}-%"))
    .execute(&mut *tx)
    .await
    .map_err(sql)?;
    tx.commit().await.map_err(sql)?;
    println!(
        "{subscribers} subscribers loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let policy = AlertPolicy {
        email: true,
        ..AlertPolicy::default()
    };
    let drop = PriceChange {
        sku: sku.clone(),
        price_minor: 7_900,
        currency: "CNY".into(),
    };
    let started = Instant::now();
    catalog::change_prices(db, &[drop], &CatalogAlerts(&policy), now())
        .await
        .map_err(err)?;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notices n JOIN alert_changes c ON c.id = n.change_id WHERE c.product_id = $1")
        .bind(product_id)
        .fetch_one(db.reader())
        .await
        .map_err(sql)?;
    println!(
        "price change to {queued} notices committed (one per alert: an email, shown in the inbox too; {subscribers} alerts): {:.2} s",
        started.elapsed().as_secs_f64()
    );
    carts(db, &category, &run, &policy).await?;

    let Some(smtp_url) = smtp_url else {
        return Ok(());
    };
    // One connection at a time first, then the worker's concurrency: the difference is the network's waiting.
    for concurrency in [1, concurrency] {
        let deliverer = bench_deliverer(db, &smtp_url, concurrency, policy.clone())?;
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let started = Instant::now();
        let mut delivered = 0;
        while delivered < deliveries {
            let tried = deliverer
                .deliver_due("email", &stopped)
                .await
                .map_err(err)?;
            if tried == 0 {
                break;
            }
            delivered += tried;
        }
        println!(
            "emails delivered to the SMTP server, one worker sending {concurrency} at a time: {}",
            rate(delivered, started)
        );
    }
    Ok(())
}

/// Price drops and shoppers' carts, with the alerts' `policy`: the same shoppers as the alerts' hold a second
/// product in their carts, and one drop of it queues an email to each (marketing, through the outbox's rules);
/// then what the carts' flow adds to a batch of 1,000 price drops of products in no cart.
async fn carts(db: &Db, category: &str, run: &str, policy: &AlertPolicy) -> Result<(), String> {
    use app::catalog::PriceChange;
    use app::flows::cart_price_drops::{CartDropPolicy, catalog_flows};
    let err = |e: app::store::StoreError| e.to_string();
    let sql = |e: sqlx::Error| e.to_string();
    let cart_policy = CartDropPolicy {
        marketing: app::messages::ssr::MarketingRules {
            quiet_hours: None,
            ..Default::default()
        },
        ..Default::default()
    };
    let sku = format!("C{run}");
    catalog::upsert_products(
        db,
        &[bench_product(&sku, category)],
        &CatalogAlerts(policy),
        now(),
    )
    .await
    .map_err(err)?;
    let mut tx = db.write().await.map_err(err)?;
    let lines = sqlx::query(
        "INSERT INTO cart_lines (shopper_id, product_id, quantity, reference_minor, currency, carted_at, seen_at) \
         SELECT s.id, p.id, 1, p.price_minor, p.currency, $2, $2 FROM shoppers s JOIN products p ON p.sku = $1 \
         WHERE s.external_id LIKE $3",
    )
    .bind(&sku)
    .bind(now())
    .bind(format!("a{run}-%"))
    .execute(&mut *tx)
    .await
    .map_err(sql)?
    .rows_affected();
    tx.commit().await.map_err(sql)?;
    let drop = PriceChange {
        sku,
        price_minor: 7_900,
        currency: "CNY".into(),
    };
    let started = Instant::now();
    catalog::change_prices(db, &[drop], &catalog_flows(policy, &cart_policy), now())
        .await
        .map_err(err)?;
    let seconds = started.elapsed().as_secs_f64();
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE kind = 'cart_price_drop'")
            .fetch_one(db.reader())
            .await
            .map_err(sql)?;
    println!(
        "price drop of a product in {lines} carts: {queued} emails queued with the change, {seconds:.2} s"
    );

    let skus: Vec<String> = (0..1_000).map(|i| format!("B{run}-{i}")).collect();
    let products: Vec<ProductInput> = skus
        .iter()
        .map(|sku| bench_product(sku, category))
        .collect();
    catalog::upsert_products(db, &products, &CatalogAlerts(policy), now())
        .await
        .map_err(err)?;
    let batch = |price_minor: i64| -> Vec<PriceChange> {
        skus.iter()
            .map(|sku| PriceChange {
                sku: sku.clone(),
                price_minor,
                currency: "CNY".into(),
            })
            .collect()
    };
    let started = Instant::now();
    catalog::change_prices(db, &batch(8_900), &CatalogAlerts(policy), now())
        .await
        .map_err(err)?;
    let alone = started.elapsed().as_secs_f64();
    let started = Instant::now();
    catalog::change_prices(
        db,
        &batch(7_900),
        &catalog_flows(policy, &cart_policy),
        now(),
    )
    .await
    .map_err(err)?;
    let with_carts = started.elapsed().as_secs_f64();
    let started = Instant::now();
    catalog::change_prices(
        db,
        &batch(9_900),
        &catalog_flows(policy, &cart_policy),
        now(),
    )
    .await
    .map_err(err)?;
    let rises = started.elapsed().as_secs_f64();
    println!(
        "1,000 price drops of products in no cart: {alone:.3} s with the alerts alone, {with_carts:.3} s with the \
         carts' flow too; 1,000 rises with both: {rises:.3} s"
    );
    Ok(())
}

/// A delivery worker of the benchmarks, sending to `smtp_url` at most `concurrency` at a time.
fn bench_deliverer(
    db: &Db,
    smtp_url: &str,
    concurrency: usize,
    policy: app::alerts::rules::AlertPolicy,
) -> Result<server::delivery::Deliverer, String> {
    let config = server::delivery::DeliveryConfig {
        smtp_url: Some(smtp_url.to_owned()),
        mail_from: "Bench <bench@rapport.localhost>"
            .parse()
            .map_err(|e| format!("{e}"))?,
        shop_name: "Bench Shop".into(),
        public_url: "https://shop.example".into(),
        webhook: None,
        lease: Millis::minutes(2),
        batch: 100,
        concurrency,
        poll: std::time::Duration::from_millis(100),
        track_opens: true,
        marketing: Default::default(),
    };
    let secret = app::identity::token::StoreSecret::new("bench-secret-that-is-long-enough-000000")?;
    server::delivery::Deliverer::new(db.clone(), secret, policy, config)
}

/// On a database holding demo data: places every shopper once (a review), then records `orders` orders for the
/// shoppers with the longest order histories and times their buyer's tier recomputation, alone and as part of
/// the order; finally times a rule preview over every shopper.
pub async fn tiers(db: &Db, orders: usize) -> Result<(), String> {
    use app::orders::{OrderInput, OrderLineInput, ssr as store};
    use app::tiers::ssr as tiers;
    let err = |e: app::store::StoreError| e.to_string();
    let sql = |e: sqlx::Error| e.to_string();
    let started = Instant::now();
    let summary = tiers::review(db, now()).await.map_err(err)?;
    println!(
        "review of members not yet reviewed on the last review date: {} in {:.2} s",
        summary.reviewed,
        started.elapsed().as_secs_f64()
    );
    let heavy: Vec<(String, i64)> = sqlx::query_as(
        "SELECT s.external_id, COUNT(*) FROM orders o JOIN shoppers s ON s.id = o.shopper_id \
         GROUP BY s.external_id ORDER BY COUNT(*) DESC, s.external_id LIMIT 50",
    )
    .fetch_all(db.reader())
    .await
    .map_err(sql)?;
    let (sku, price): (String, i64) = sqlx::query_as(
        "SELECT sku, price_minor FROM products WHERE active = 1 AND currency = 'CNY' ORDER BY id LIMIT 1",
    )
    .fetch_optional(db.reader())
    .await
    .map_err(sql)?
    .ok_or("load the demo data first (`rapport-tools seed --scale large`)")?;
    let (Some((_, most)), Some((_, least))) = (heavy.first(), heavy.last()) else {
        return Err("load the demo data first (`rapport-tools seed --scale large`)".into());
    };
    println!("buyers: the 50 with the most orders ({least} to {most} orders each)");
    let run = format!("{:x}", now().0);
    let mut whole = Vec::with_capacity(orders);
    let mut alone = Vec::with_capacity(orders);
    let mut progress = Progress::start("orders recorded", orders);
    for index in 0..orders {
        progress.at(index);
        let (shopper, _) = &heavy[index % heavy.len()];
        let order = OrderInput {
            order_id: format!("bench-{run}-{index}"),
            shopper_id: shopper.clone(),
            currency: "CNY".into(),
            lines: vec![OrderLineInput {
                sku: sku.clone(),
                quantity: 1,
                unit_price_minor: price,
            }],
            shipping_minor: 0,
            tax_minor: 0,
            placed_at: None,
        };
        let started = Instant::now();
        store::record_order(
            db,
            &format!("bench-{run}-{index}"),
            &order,
            &TierGrowth,
            now(),
        )
        .await
        .map_err(err)?;
        whole.push(started.elapsed().as_secs_f64() * 1000.0);
        let (key, order): (i64, i64) =
            sqlx::query_as("SELECT shopper_id, id FROM orders WHERE external_id = $1")
                .bind(format!("bench-{run}-{index}"))
                .fetch_one(db.reader())
                .await
                .map_err(sql)?;
        let mut tx = db.write().await.map_err(err)?;
        let started = Instant::now();
        tiers::recompute(&mut tx, key, tiers::GrowthChange::NewOrder(order), now())
            .await
            .map_err(err)?;
        alone.push(started.elapsed().as_secs_f64() * 1000.0);
        tx.commit().await.map_err(sql)?;
    }
    progress.finish();
    report(
        "a buyer's tier recomputed after an order (in its transaction)",
        alone,
    );
    report(
        "an order recorded, with its events and the tier recomputation",
        whole,
    );

    let (_, rules) = tiers::rules_in_force(db).await.map_err(err)?;
    let mut proposed = rules.clone();
    if let Some(top) = proposed.tiers.last_mut() {
        top.threshold_minor += top.threshold_minor / 2;
    }
    let mut previews = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let preview = tiers::preview(db, &proposed, now()).await.map_err(err)?;
        previews.push(started.elapsed().as_secs_f64() * 1000.0);
        if previews.len() == 1 {
            println!(
                "preview (top tier's threshold raised by half) over {} shoppers: {} up, {} down",
                preview.members, preview.moving_up, preview.moving_down
            );
        }
    }
    report("rule preview over every shopper", previews);
    Ok(())
}

/// The feed on a database that holds (large) demo data: a full rebuild of the similarity lists on a quarter, a
/// half and all of the events; a partial refresh after new events; and the server time of building the home feed
/// for the shoppers with the longest histories, for guests, and for visitors the store does not know.
pub async fn feed(db: &Db, requests: usize) -> Result<(), String> {
    use app::feed::ssr::{self as feed, FeedPolicy};
    use app::identity::Viewer;
    let policy = FeedPolicy::default();
    let started = Instant::now();
    let interactions = feed::all_interactions(db)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "read {} signed-in events in {:.2} s",
        interactions.len(),
        started.elapsed().as_secs_f64()
    );
    println!("| events | products with a list | build and store | events/s |\n|---|---|---|---|");
    for share in [4, 2, 1] {
        let events = &interactions[..interactions.len() / share];
        let started = Instant::now();
        let products = feed::store_lists(db, &policy.rules, events)
            .await
            .map_err(|e| e.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "| {} | {products} | {seconds:.2} s | {:.0} |",
            events.len(),
            events.len() as f64 / seconds
        );
    }
    drop(interactions);
    let started = Instant::now();
    let full = feed::refresh(db, &policy, now(), true)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "full refresh (read, build, store, popularity): {:?} in {:.2} s",
        full.lists,
        started.elapsed().as_secs_f64()
    );

    let shoppers: Vec<(String, i64)> = sqlx::query_as(
        "SELECT s.external_id, CAST(COUNT(*) AS BIGINT) AS n FROM shopper_events e \
         JOIN shoppers s ON s.id = e.shopper_id GROUP BY s.external_id ORDER BY n DESC, s.external_id LIMIT 200",
    )
    .fetch_all(db.reader())
    .await
    .map_err(|e| e.to_string())?;
    let skus: Vec<String> =
        sqlx::query_scalar("SELECT sku FROM products WHERE active = TRUE ORDER BY id LIMIT 2000")
            .fetch_all(db.reader())
            .await
            .map_err(|e| e.to_string())?;
    // Busy minutes: this many ordinary shoppers each do something new, then the partial refresh.
    for (batch, offset) in [(20, 1000), (200, 2000)] {
        let movers: Vec<String> =
            sqlx::query_scalar("SELECT external_id FROM shoppers ORDER BY id LIMIT $1 OFFSET $2")
                .bind(batch as i64)
                .bind(offset)
                .fetch_all(db.reader())
                .await
                .map_err(|e| e.to_string())?;
        let fresh: Vec<EventInput> = movers
            .iter()
            .enumerate()
            .map(|(n, shopper)| EventInput {
                shopper_id: Some(shopper.clone()),
                guest_id: None,
                sku: skus[(n * 7919) % skus.len()].clone(),
                kind: EventKind::Wishlisted,
                occurred_at: None,
            })
            .collect();
        events::record_batch(db, &fresh, now())
            .await
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        let partial = feed::refresh(db, &policy, now(), false)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "refresh after {batch} shoppers' new events: {:?} in {:.2} s",
            partial.lists,
            started.elapsed().as_secs_f64()
        );
    }

    let longest = shoppers.first().map_or(0, |(_, n)| *n);
    let viewers: [(&str, Vec<Option<Viewer>>); 3] = [
        (
            "shoppers with the longest histories",
            shoppers
                .iter()
                .map(|(id, _)| Some(Viewer::Shopper(id.clone())))
                .collect(),
        ),
        (
            "guests with a few views",
            (0..200)
                .map(|n| Some(Viewer::Guest(format!("g-demo-{n:05}"))))
                .collect(),
        ),
        ("visitors without a token (cold start)", vec![None]),
    ];
    println!(
        "\n| home feed for | requests | p50 | p99 |\n|---|---|---|---|\n(longest history: {longest} events)"
    );
    for (who, viewers) in viewers {
        let mut samples = Vec::with_capacity(requests);
        for n in 0..requests {
            let viewer = viewers[n % viewers.len()].as_ref();
            let started = Instant::now();
            let built = feed::feed(db, viewer, "en", 8, &policy, now())
                .await
                .map_err(|e| e.to_string())?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            if built.sections.is_empty() {
                return Err(format!("an empty feed for {viewer:?}"));
            }
        }
        let (p50, p99) = percentiles(samples);
        println!("| {who} | {requests} | {p50:.2} ms | {p99:.2} ms |");
    }
    Ok(())
}

/// Times what an upload costs the server: reading the file, checking it, and making its two JPEGs, for photos as
/// shoppers send them (a phone's 12-megapixel JPEG, a 3-megapixel PNG screenshot, a 2-megapixel WebP).
pub fn photos(rounds: usize) -> Result<(), String> {
    let picture =
        |width: u32, height: u32, format: image::ImageFormat| -> Result<Vec<u8>, String> {
            // Smooth light with fine noise, so that the file compresses as a photo does rather than as a flat colour.
            let pixels = image::RgbImage::from_fn(width, height, |x, y| {
                let noise = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 27;
                image::Rgb([
                    (x * 200 / width) as u8 + noise as u8,
                    (y * 180 / height) as u8 + noise as u8,
                    120 + noise as u8,
                ])
            });
            let mut out = std::io::Cursor::new(Vec::new());
            pixels
                .write_to(&mut out, format)
                .map_err(|e| e.to_string())?;
            Ok(out.into_inner())
        };
    for (what, width, height, format) in [
        (
            "12-megapixel JPEG (a phone camera's)",
            4000,
            3000,
            image::ImageFormat::Jpeg,
        ),
        (
            "3-megapixel PNG (a screenshot)",
            2000,
            1500,
            image::ImageFormat::Png,
        ),
        ("2-megapixel WebP", 1600, 1200, image::ImageFormat::WebP),
    ] {
        let upload = picture(width, height, format)?;
        let mut samples = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let started = Instant::now();
            app::reviews::photos::prepare(&upload).map_err(|e| e.message)?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let (p50, p99) = percentiles(samples);
        println!(
            "{what}, {} KB: p50 {p50:.0} ms, p99 {p99:.0} ms per photo ({rounds} rounds, one core)",
            upload.len() / 1024
        );
    }
    Ok(())
}

/// The merchant's customers page on a store of `shoppers` shoppers and `orders` paid orders over three years (the
/// large demo data's counts), loaded first by plain inserts when the database has no orders: only the orders'
/// rows matter to the figures, and the API's order path would take many minutes for nothing measured here. Times
/// the report for the year to today, for three years against the year before, and a page of the largest segment.
pub async fn insights(
    db: &Db,
    url: &str,
    shoppers: usize,
    orders: usize,
    rounds: usize,
) -> Result<(), String> {
    use app::insights::Comparison;
    use app::insights::rules::report_periods;
    use app::insights::ssr::{self as store, Insights, InsightsPolicy};
    let sql = |e: sqlx::Error| e.to_string();
    let err = |e: app::store::StoreError| e.to_string();
    let present: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(db.reader())
        .await
        .map_err(sql)?;
    if present == 0 {
        if shoppers == 0 {
            return Err("--shoppers must be at least 1".into());
        }
        let started = Instant::now();
        load_orders(db, shoppers, orders).await?;
        println!(
            "loaded {shoppers} shoppers and {orders} orders in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!("measuring the {present} orders already in the database");
    }
    let policy = InsightsPolicy {
        currency: "CNY".into(),
    };
    let insights = Insights::new(
        policy,
        std::sync::Arc::new(app::flows::tier_values::TierValues),
        std::sync::Arc::new(app::flows::order_values::OrdersValued),
    );
    let today = now();
    // A server's first report reads every order into its book; the reports after it, what changed since.
    let (period, comparison, previous) =
        report_periods(None, None, None, today).map_err(|e| e.message)?;
    let started = Instant::now();
    store::customer_insights(db, &insights, period, comparison, previous)
        .await
        .map_err(err)?;
    println!(
        "customers page, the year to today, a server's first (every order read): {:.2} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    for (label, from, compare) in [
        (
            "customers page, the year to today, against the year before it",
            None,
            None,
        ),
        (
            "customers page, three years, against the same dates a year earlier",
            Some(app::kernel::time::iso_date(today - Millis::days(1_095))),
            Some("year_before"),
        ),
    ] {
        let (period, comparison, previous) =
            report_periods(from.as_deref(), None, compare, today).map_err(|e| e.message)?;
        let mut samples = Vec::with_capacity(rounds);
        let mut customers = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            let report = store::customer_insights(db, &insights, period, comparison, previous)
                .await
                .map_err(err)?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            customers = report.repeat.customers;
        }
        report(&format!("{label}: {customers} customers"), samples);
    }
    let year = store::customer_insights(
        db,
        &insights,
        period,
        Comparison::Previous,
        period.compared(Comparison::Previous),
    )
    .await
    .map_err(err)?;
    let largest = year
        .segments
        .iter()
        .max_by_key(|row| row.customers)
        .map(|row| row.segment)
        .ok_or("no segments")?;
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        store::segment_members(db, &insights, period, largest, 1, 100)
            .await
            .map_err(err)?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    report(
        &format!("a page of 100 of the largest segment ({})", largest.code()),
        samples,
    );
    // 100 orders refunded a cent before each report (not timed), and given it back afterwards: the report reads
    // those 100 and no more.
    let changed = |statement: String| async move {
        let mut tx = db.write().await.map_err(err)?;
        sqlx::query(&statement)
            .execute(&mut *tx)
            .await
            .map_err(sql)?;
        tx.commit().await.map_err(sql)
    };
    let mut samples = Vec::with_capacity(rounds);
    for round in 0..rounds {
        changed(format!(
            "UPDATE orders SET refunded_minor = refunded_minor + 1 WHERE id IN \
             (SELECT id FROM orders WHERE status = 'paid' ORDER BY id LIMIT 100 OFFSET {})",
            round * 100
        ))
        .await?;
        let started = Instant::now();
        store::customer_insights(db, &insights, period, comparison, previous)
            .await
            .map_err(err)?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    changed(format!(
        "UPDATE orders SET refunded_minor = refunded_minor - 1 WHERE id IN \
         (SELECT id FROM orders WHERE status = 'paid' ORDER BY id LIMIT {})",
        rounds * 100
    ))
    .await?;
    report(
        "customers page, the year to today, after 100 orders changed each time",
        samples,
    );
    widgets_at_work(db, url, rounds).await
}

/// Times "Widgets at work" over a year and over three years, first loading the large demo data's widget activity
/// beside the orders when the store has no reviews.
async fn widgets_at_work(db: &Db, url: &str, rounds: usize) -> Result<(), String> {
    let reviews: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reviews")
        .fetch_one(db.reader())
        .await
        .map_err(|e| e.to_string())?;
    if reviews == 0 {
        let started = Instant::now();
        load_widget_activity(db).await?;
        println!(
            "loaded the widgets' activity in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // SQLite's connections keep the statistics they opened with: those from before the load planned the
        // purchases as scans of every order line per product (28 s). A server opens its own after the load.
        let fresh = crate::open(url).await?;
        let measured = time_widgets_at_work(&fresh, rounds).await;
        fresh.close().await;
        return measured;
    }
    time_widgets_at_work(db, rounds).await
}

async fn time_widgets_at_work(db: &Db, rounds: usize) -> Result<(), String> {
    use app::insights::rules::report_periods;
    let today = now();
    for (label, from, compare) in [
        (
            "widgets at work, the year to today, against the year before it",
            None,
            None,
        ),
        (
            "widgets at work, three years, against the same dates a year earlier",
            Some(app::kernel::time::iso_date(today - Millis::days(1_095))),
            Some("year_before"),
        ),
    ] {
        let (period, comparison, previous) =
            report_periods(from.as_deref(), None, compare, today).map_err(|e| e.message)?;
        let mut samples = Vec::with_capacity(rounds);
        let mut told = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            let report =
                app::merchant::ssr::widget_report(db, "CNY", period, comparison, previous, today)
                    .await
                    .map_err(|e| e.to_string())?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            told = report.headlines.notices;
        }
        report(&format!("{label}: {told} notices"), samples);
    }
    Ok(())
}

/// The large demo data's widget activity, written straight into the tables (deterministic, spread over the three
/// years to today): 2,000 products, 100,000 reviews and 1,000,000 helpfulness votes, 160,000 wish-list saves by
/// 25,000 shoppers and three price falls per product, 100,000 alerts with a notice each (a third emailed, three
/// in five seen, one in five clicked), 50,000 orders of notified products by their shoppers (then what every
/// order followed, through `flows::notice_purchases`), and 50,000 tier moves. Needs the shoppers of [`load_orders`].
async fn load_widget_activity(db: &Db) -> Result<(), String> {
    let sql = |e: sqlx::Error| e.to_string();
    let today = now().0;
    let span = Millis::days(1_095).0;
    // Spread over the span: the i-th of any count lands (i × step) mod span before today.
    let step = span / 1_000 + 1;
    let ago = |column: &str| format!("{today} - ({column} * {step}) % {span}");
    let first_and_count = |table: &'static str, filter: &'static str| async move {
        let (first, last, count): (Option<i64>, Option<i64>, i64) = sqlx::query_as(&format!(
            "SELECT MIN(id), MAX(id), COUNT(*) FROM {table} {filter}"
        ))
        .fetch_one(db.reader())
        .await
        .map_err(|e| e.to_string())?;
        match (first, last) {
            (Some(first), Some(last)) if last - first + 1 == count => Ok((first, count)),
            _ => Err(format!("{table}: the bench needs consecutive row ids")),
        }
    };
    let (s0, shoppers) = first_and_count("shoppers", "").await?;
    let category: i64 = sqlx::query_scalar("SELECT MIN(id) FROM categories")
        .fetch_one(db.reader())
        .await
        .map_err(sql)?;
    let codes: Vec<String> = app::tiers::ssr::rules_in_force(db)
        .await
        .map_err(|e| e.to_string())?
        .1
        .tiers
        .into_iter()
        .map(|tier| tier.code)
        .collect();
    let tiers = codes.len() as i64;
    let tier_of = |expr: &str| {
        let arms: String = codes
            .iter()
            .enumerate()
            .map(|(rank, code)| format!(" WHEN {rank} THEN '{code}'"))
            .collect();
        format!("CASE ({expr}) % {tiers}{arms} END")
    };
    let numbers = |count: i64| {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
            count - 1
        )
    };
    let run = |statement: String| async move {
        let mut tx = db.write().await.map_err(|e| e.to_string())?;
        sqlx::query(&statement)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())
    };
    let mut progress = Progress::start("widget activity tables", 10);
    run(format!(
        "{}INSERT INTO products (sku, category_id, title, price_minor, currency, stock, created_at, updated_at) \
         SELECT 'BENCH-W-' || i, {category}, 'Bench product ' || i, 5000, 'CNY', 10, {t0}, {t0} FROM n",
        numbers(2_000),
        t0 = today - span - 1
    ))
    .await?;
    let (p0, _) = first_and_count("products", "WHERE sku LIKE 'BENCH-W-%'").await?;
    progress.at(1);
    run(format!(
        "{}INSERT INTO reviews (product_id, shopper_id, rating, title, body, status, verified, created_at, updated_at, \
         status_changed_at) SELECT {p0} + i % 2000, {s0} + i % {shoppers}, \
         CASE WHEN i % 10 < 6 THEN 5 WHEN i % 10 < 8 THEN 4 WHEN i % 10 = 8 THEN 3 ELSE 1 + i % 2 END, \
         'Bench', 'A bench review.', CASE i % 40 WHEN 0 THEN 'pending' WHEN 1 THEN 'rejected' ELSE 'published' END, \
         CASE WHEN i % 3 < 2 THEN 1 ELSE 0 END, {at}, {at}, {at} FROM n",
        numbers(100_000.min(shoppers)),
        at = ago("i")
    ))
    .await?;
    let (r0, reviews) = first_and_count("reviews", "").await?;
    progress.at(2);
    run(format!(
        "{}INSERT INTO helpful_votes (review_id, shopper_id, helpful, voted_at) \
         SELECT {r0} + i % {reviews}, {s0} + (i % {reviews} + 1 + i / {reviews}) % {shoppers}, \
         CASE WHEN i % 4 = 0 THEN 0 ELSE 1 END, {at} FROM n",
        numbers(1_000_000),
        at = ago("i")
    ))
    .await?;
    progress.at(3);
    run(format!(
        "{}INSERT INTO wishlists (shopper_id, name, is_default, created_at) \
         SELECT {s0} + i, 'Wish list', 1, {t0} FROM n",
        numbers(25_000.min(shoppers)),
        t0 = today - span - 1
    ))
    .await?;
    let (w0, lists) = first_and_count("wishlists", "").await?;
    run(format!(
        "{}INSERT INTO wishlist_items (wishlist_id, product_id, saved_at, saved_price_minor, saved_currency, saved_in_stock) \
         SELECT {w0} + i % {lists}, {p0} + ((i % {lists}) * 7 + (i / {lists}) * 301) % 2000, {at}, 5000, 'CNY', 1 FROM n",
        numbers(lists * 6),
        at = ago("i")
    ))
    .await?;
    progress.at(4);
    run(format!(
        "{}INSERT INTO price_history (product_id, price_minor, currency, changed_at) \
         SELECT {p0} + i % 2000, 4000 + i % 3 * 100, 'CNY', {at} FROM n",
        numbers(6_000),
        at = ago("i")
    ))
    .await?;
    progress.at(5);
    run(format!(
        "{}INSERT INTO alerts (product_id, shopper_id, kind, rule, reference_minor, currency, status, locale, created_at) \
         SELECT {p0} + i % 2000, {s0} + i % {shoppers}, 'price_drop', 'any', 5000, 'CNY', 'fired', 'en', {at} FROM n",
        numbers(100_000),
        at = ago("i")
    ))
    .await?;
    let (a0, alerts) = first_and_count("alerts", "").await?;
    run(format!(
        "{}INSERT INTO alert_changes (product_id, kind, source, old_price_minor, new_price_minor, lowest_30d_minor, \
         currency, created_at) SELECT {p0} + i, 'price_drop', 'bench:' || i, 5000, 4000, 4000, 'CNY', {t0} FROM n",
        numbers(2_000),
        t0 = today - span - 1
    ))
    .await?;
    let (c0, _) = first_and_count("alert_changes", "").await?;
    progress.at(6);
    // Each alert's notice, told a day after the alert was set up.
    run(format!(
        "INSERT INTO notices (change_id, alert_id, shopper_id, channel, status, attempts, next_attempt_at, created_at, \
         sent_at, read_at, clicked_at) \
         SELECT {c0} + (a.id - {a0}) % 2000, a.id, a.shopper_id, CASE WHEN a.id % 3 = 0 THEN 'email' ELSE 'inbox' END, \
         'sent', 1, a.created_at + 86400000, a.created_at + 86400000, a.created_at + 86400000, \
         CASE WHEN a.id % 5 < 3 THEN a.created_at + 90000000 END, CASE WHEN a.id % 5 = 0 THEN a.created_at + 90000000 END \
         FROM alerts a WHERE a.id < {a0} + {alerts}"
    ))
    .await?;
    progress.at(7);
    // Half the notified shoppers order the product three days after their notice, a few of them twice.
    run(format!(
        "INSERT INTO orders (external_id, shopper_id, status, currency, subtotal_minor, shipping_minor, tax_minor, \
         refunded_minor, placed_at, idempotency_key, request_hash) \
         SELECT 'bench-w-' || a.id, a.shopper_id, 'paid', 'CNY', 4000, 0, 0, 0, a.created_at + 4 * 86400000, \
         'bench-w-' || a.id, '' FROM alerts a WHERE a.id % 2 = 0 AND a.created_at + 4 * 86400000 < {today}"
    ))
    .await?;
    run(format!(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_minor) \
         SELECT o.id, 1, {p0} + (o.shopper_id - {s0}) % 2000, 1, 4000 FROM orders o \
         WHERE o.external_id LIKE 'bench-w-%'"
    ))
    .await?;
    // The notices every order followed, as the flow records them for each order the API takes.
    let orders: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders ORDER BY id")
        .fetch_all(db.reader())
        .await
        .map_err(sql)?;
    for batch in orders.chunks(2_000) {
        let mut tx = db.write().await.map_err(|e| e.to_string())?;
        app::flows::notice_purchases::follow_orders(&mut tx, batch)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(sql)?;
    }
    // The saves' falls and the orders after them, as the flows record them when prices change and orders come in.
    app::flows::save_purchases::follow_all(db)
        .await
        .map_err(|e| e.to_string())?;
    progress.at(8);
    // A quarter of the moves are the reviews', which fall at midnight every 30 days.
    run(format!(
        "{}INSERT INTO tier_changes (shopper_id, from_tier, to_tier, reason, rules_version, changed_at) \
         SELECT {s0} + i % {shoppers}, {from}, {to}, CASE WHEN i % 4 = 0 THEN 'review' ELSE 'growth' END, 0, \
         CASE WHEN i % 4 = 0 THEN {today} - ((i / 4) % 36) * 2592000000 - {today} % 86400000 ELSE {at} END FROM n",
        numbers(50_000),
        from = tier_of("i"),
        to = tier_of("i + 1"),
        at = ago("i")
    ))
    .await?;
    progress.finish();
    db.refresh_statistics().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// `shoppers` shoppers and `orders` paid orders of one product, deterministic: each shopper's first order falls
/// in the three years to today, and two in five come back, after a month or two on average, as shops see. Then
/// the tiers' review makes every buyer a member.
async fn load_orders(db: &Db, shoppers: usize, orders: usize) -> Result<(), String> {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    let sql = |e: sqlx::Error| e.to_string();
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let today = now();
    let span = Millis::days(1_095);
    catalog::upsert_categories(
        db,
        &[CategoryInput {
            slug: "kitchen".into(),
            name: "Kitchen".into(),
            translations: Default::default(),
            position: 0,
            review_criteria: None,
            repeatable: false,
        }],
    )
    .await
    .map_err(|e| e.to_string())?;
    let product = ProductInput {
        sku: "BENCH-1".into(),
        category: "kitchen".into(),
        title: "Teapot".into(),
        description: String::new(),
        image_url: String::new(),
        page_url: String::new(),
        price_minor: 9_900,
        currency: "CNY".into(),
        stock: 1_000,
        active: true,
        translations: Default::default(),
    };
    catalog::upsert_products(
        db,
        &[product],
        &CatalogAlerts(&AlertPolicy::default()),
        today,
    )
    .await
    .map_err(|e| e.to_string())?;
    let ids: Vec<String> = (0..shoppers).map(|n| format!("buyer-{n:06}")).collect();
    add_shoppers(db, &ids, true).await?;
    let keys: Vec<i64> = sqlx::query_scalar("SELECT id FROM shoppers ORDER BY external_id")
        .fetch_all(db.reader())
        .await
        .map_err(sql)?;
    let product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE sku = 'BENCH-1'")
        .fetch_one(db.reader())
        .await
        .map_err(sql)?;
    // Every shopper orders once; the rest of the orders go to returning shoppers, one after another.
    let mut placed: Vec<(i64, Millis)> = Vec::with_capacity(orders);
    let mut last: Vec<Millis> = keys
        .iter()
        .map(|_| today - Millis(rng.gen_range(0..span.0)))
        .collect();
    for (index, key) in keys.iter().enumerate().take(orders) {
        placed.push((*key, last[index]));
    }
    while placed.len() < orders {
        let index = rng.gen_range(0..(keys.len() * 2 / 5).max(1));
        let gap = Millis::days(rng.gen_range(3..120));
        if last[index] + gap < today {
            last[index] += gap;
            placed.push((keys[index], last[index]));
        }
    }
    let mut progress = Progress::start("orders loaded", orders);
    for (batch, chunk) in placed.chunks(500).enumerate() {
        progress.at(batch * 500);
        let mut tx = db.write().await.map_err(|e| e.to_string())?;
        let mut values = Vec::with_capacity(chunk.len());
        for (offset, (shopper, at)) in chunk.iter().enumerate() {
            let n = batch * 500 + offset;
            let subtotal = rng.gen_range(1..40) * 9_900;
            values.push(format!(
                "('bench-{n}', {shopper}, 'paid', 'CNY', {subtotal}, 0, 0, 0, {}, 'bench-{n}', '')",
                at.0
            ));
        }
        sqlx::query(&format!(
            "INSERT INTO orders (external_id, shopper_id, status, currency, subtotal_minor, shipping_minor, \
             tax_minor, refunded_minor, placed_at, idempotency_key, request_hash) VALUES {}",
            values.join(", ")
        ))
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
        sqlx::query(&format!(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_minor) \
             SELECT id, 1, {product}, subtotal_minor / 9900, 9900 FROM orders WHERE external_id IN ({})",
            (0..chunk.len())
                .map(|offset| format!("'bench-{}'", batch * 500 + offset))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
        tx.commit().await.map_err(sql)?;
    }
    progress.finish();
    // Every buyer a member, as on a store whose tiers have had their review.
    let placed = app::tiers::ssr::review(db, today)
        .await
        .map_err(|e| e.to_string())?;
    println!("tier review placed {} members", placed.reviewed);
    db.refresh_statistics().await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Marks `orders` paid orders delivered a week ago (and none other), then times queuing their review requests: one
/// email each, naming their products with signed links.
pub async fn review_requests(
    db: &Db,
    orders: i64,
    deliveries: usize,
    smtp_url: Option<String>,
) -> Result<(), String> {
    use app::flows::review_requests::{ReviewRequestPolicy, queue_review_requests};
    let sql = |e: sqlx::Error| e.to_string();
    let today = now();
    let delivered = today - Millis::days(8);
    let mut tx = db.write().await.map_err(|e| e.to_string())?;
    sqlx::query("DELETE FROM messages WHERE kind = 'review_request'")
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
    sqlx::query("DELETE FROM review_follow_ups")
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
    sqlx::query("UPDATE orders SET delivered_at = NULL WHERE delivered_at IS NOT NULL")
        .execute(&mut *tx)
        .await
        .map_err(sql)?;
    let marked = sqlx::query(
        "UPDATE orders SET delivered_at = $1 WHERE id IN \
         (SELECT id FROM orders WHERE status = 'paid' AND placed_at <= $1 ORDER BY id LIMIT $2)",
    )
    .bind(delivered)
    .bind(orders)
    .execute(&mut *tx)
    .await
    .map_err(sql)?
    .rows_affected();
    // As `record_fulfilment` does for each order's first delivery.
    sqlx::query(
        "INSERT INTO review_follow_ups (order_id, step, since) \
         SELECT id, 'request', delivered_at FROM orders WHERE delivered_at = $1",
    )
    .bind(delivered)
    .execute(&mut *tx)
    .await
    .map_err(sql)?;
    tx.commit().await.map_err(sql)?;
    let secret =
        app::identity::token::StoreSecret::new("a-benchmark-store-secret-of-32-bytes-or-more")
            .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let queued = queue_review_requests(db, &secret, &ReviewRequestPolicy::default(), today)
        .await
        .map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    println!("| orders delivered a week ago | requests queued | time | per second |");
    println!("|---|---|---|---|");
    println!(
        "| {marked} | {queued} | {seconds:.2} s | {:.0} |",
        queued as f64 / seconds
    );
    let Some(smtp_url) = smtp_url else {
        return Ok(());
    };
    // The messages go through the same worker as the alerts' notices, at the default concurrency.
    let deliverer = bench_deliverer(db, &smtp_url, 8, Default::default())?;
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let mut delivered = 0;
    while delivered < deliveries {
        let tried = deliverer
            .deliver_messages(&stopped)
            .await
            .map_err(|e| e.to_string())?;
        if tried == 0 {
            break;
        }
        delivered += tried;
    }
    println!(
        "review requests delivered to the SMTP server, one worker sending 8 at a time: {}",
        rate(delivered, started)
    );
    Ok(())
}
