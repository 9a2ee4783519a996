//! The background refresh, under a lock so that one server refreshes at a time: neighbour lists, transitions and
//! popularity rebuilt from every event (daily), and in between the transitions brought up to the latest event and
//! lists made for products that have none.

use super::transitions::{add_moves, store_transitions, transition_rows};
use super::*;
use crate::feed::feedback::Fatigue;
use crate::feed::transitions::{TransitionCounts, TransitionRules, count_transitions};

/// The lists stored per product: every kind of event for the home feed, purchases for "also bought", views for
/// "also viewed".
const LISTS: [(&str, Option<EventKind>); 3] = [
    ("interest", None),
    ("bought", Some(EventKind::Purchased)),
    ("viewed", Some(EventKind::Viewed)),
];

/// The rules of one stored list: the lists a product page shows to anyone ("bought", "viewed") pair products
/// only when two shoppers or more share them, so that they never tell what one shopper bought.
fn list_rules(rules: &SimilarityRules, list: &str) -> SimilarityRules {
    SimilarityRules {
        min_shared: if list == "interest" {
            rules.min_shared
        } else {
            rules.min_shared.max(2)
        },
        ..rules.clone()
    }
}

/// The PostgreSQL advisory lock that lets one instance at a time refresh ("RAPPFEED").
pub(super) const REFRESH_LOCK: i64 = 0x5241_5050_4645_4544;

/// Rows per upsert statement and statements per transaction: short transactions keep SQLite's single writer
/// free for shoppers while a rebuild writes.
pub(super) const ROWS_PER_UPSERT: usize = 200;
pub(super) const UPSERTS_PER_TRANSACTION: usize = 10;

/// How the feed is refreshed in the background and served.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPolicy {
    pub rules: SimilarityRules,
    /// "What came next": counted by the refresh, blended into the home feed by serving.
    pub transitions: TransitionRules,
    /// Every list is rebuilt from all events this often; in between, refreshes are partial: they keep the
    /// transitions up to date and make lists for new products, but leave existing lists as they are.
    pub full_every: Millis,
    /// Popularity (best sellers, trending) is recomputed this often.
    pub popularity_every: Millis,
    /// A partial refresh whose products exceed this share of the stored ones rebuilds everything instead.
    pub partial_share: f64,
    /// When a suggestion the shopper keeps passing over stops coming back to them.
    pub fatigue: Fatigue,
}

impl Default for FeedPolicy {
    fn default() -> Self {
        FeedPolicy {
            rules: SimilarityRules::default(),
            transitions: TransitionRules::default(),
            full_every: DAY_MS,
            popularity_every: Millis::minutes(15),
            partial_share: 0.25,
            fatigue: Fatigue::default(),
        }
    }
}

/// What a refresh of the neighbour lists and transitions did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    /// Another instance holds the refresh lock, or another refresh counted these events first; nothing was done.
    Busy,
    /// No event came since the last refresh.
    UpToDate,
    /// The transitions moved by the shoppers with new events, and lists made for the products they gave one for
    /// the first time (`products`).
    Partial {
        events: u64,
        shoppers: u64,
        products: u64,
    },
    /// Every list rebuilt from every event.
    Full { events: u64, products: u64 },
}

/// What [`refresh`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshReport {
    pub lists: Refreshed,
    /// Whether best sellers and trending were recomputed.
    pub popularity: bool,
}

/// Brings the stored transitions up to the latest event, and the neighbour lists and popularity up to date when
/// they are due: a full rebuild when `full` is asked, when none was made yet (or the transitions were counted under
/// other rules) or when the last is older than the policy says, a partial refresh otherwise. On PostgreSQL one
/// instance at a time does it; the others get [`Refreshed::Busy`].
pub async fn refresh(
    db: &Db,
    policy: &FeedPolicy,
    now: Millis,
    full: bool,
) -> Result<RefreshReport, StoreError> {
    let lock = match db.backend() {
        Backend::Postgres => {
            let mut connection = db.reader().acquire().await?;
            let locked: i64 = sqlx::query_scalar(
                "SELECT CAST(CASE WHEN pg_try_advisory_lock($1) THEN 1 ELSE 0 END AS BIGINT)",
            )
            .bind(REFRESH_LOCK)
            .fetch_one(&mut *connection)
            .await?;
            if locked == 0 {
                return Ok(RefreshReport {
                    lists: Refreshed::Busy,
                    popularity: false,
                });
            }
            // These two lines bracket the time this instance holds the lock: another's never fall between them.
            tracing::debug!("feed refresh lock taken");
            Some(connection)
        }
        Backend::Sqlite => None,
    };
    let result = refresh_holding_lock(db, policy, now, full).await;
    if let Some(connection) = lock {
        tracing::debug!("feed refresh lock to be released");
        release(connection).await;
    }
    result
}

/// Whether the neighbour lists were ever built on this database: a server builds them before it serves the
/// first feed, instead of showing empty shelves until its first background refresh.
pub async fn ever_built(db: &Db) -> Result<bool, StoreError> {
    let built: Option<Millis> =
        sqlx::query_scalar("SELECT full_build_at FROM feed_refresh WHERE id = 1")
            .fetch_one(db.reader())
            .await?;
    Ok(built.is_some())
}

/// How far the feed's stored transitions and lists are behind the events, for the metrics an operator watches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    /// Events recorded after the last refresh read up to (by event id): what the next refresh folds into the
    /// transitions (and into the lists at the next full rebuild).
    pub events_behind: i64,
    /// When every list was last rebuilt from every event; `None` before the first build.
    pub full_build_at: Option<Millis>,
    /// When best sellers and trending were last recomputed.
    pub popularity_at: Option<Millis>,
    /// Products holding a stored list, by list (`bought`, `interest`, `viewed`).
    pub lists: Vec<(String, i64)>,
}

/// The feed's [`FeedState`]: a few index reads, cheap enough for every metrics scrape.
pub async fn feed_state(db: &Db) -> Result<FeedState, StoreError> {
    let mut conn = db.reader().acquire().await?;
    let row = sqlx::query(
        "SELECT f.full_build_at, f.popularity_at, \
         (SELECT COALESCE(MAX(e.id), 0) FROM shopper_events e) - f.through_event_id AS behind \
         FROM feed_refresh f WHERE f.id = 1",
    )
    .fetch_one(&mut *conn)
    .await?;
    let lists = sqlx::query(
        "SELECT list, COUNT(*) AS products FROM product_neighbours GROUP BY list ORDER BY list",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| Ok((row.try_get("list")?, row.try_get("products")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(FeedState {
        events_behind: row.try_get("behind")?,
        full_build_at: row.try_get("full_build_at")?,
        popularity_at: row.try_get("popularity_at")?,
        lists,
    })
}

/// Releases the refresh lock; a session lock must not go back to the pool held, so a connection that cannot
/// release it is closed, which releases it too.
async fn release(mut connection: PoolConnection<Any>) {
    if let Err(error) = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(REFRESH_LOCK)
        .execute(&mut *connection)
        .await
    {
        tracing::warn!(%error, "cannot release the feed refresh lock; closing its connection");
        let _ = connection.close().await;
    }
}

async fn refresh_holding_lock(
    db: &Db,
    policy: &FeedPolicy,
    now: Millis,
    full: bool,
) -> Result<RefreshReport, StoreError> {
    let state = sqlx::query(
        "SELECT through_event_id, full_build_at, popularity_at, transitions_rules FROM feed_refresh WHERE id = 1",
    )
    .fetch_one(db.reader())
    .await?;
    let through: i64 = state.try_get("through_event_id")?;
    // Transitions never counted, or counted under other rules, are built whole.
    let counted =
        state.try_get::<String, _>("transitions_rules")? == policy.transitions.counting_key();
    let full_build_at: Option<Millis> = state.try_get("full_build_at")?;
    let popularity_at: Option<Millis> = state.try_get("popularity_at")?;
    let latest = latest_event(db).await?;
    let full = full || !counted || full_build_at.is_none_or(|at| now - at >= policy.full_every);
    let lists = if full {
        full_build(db, policy, latest, now).await?
    } else if latest > through {
        partial_build(db, policy, through, latest, now).await?
    } else {
        Refreshed::UpToDate
    };
    let popularity = matches!(lists, Refreshed::Full { .. })
        || popularity_at.is_none_or(|at| now - at >= policy.popularity_every);
    if popularity {
        refresh_popularity(db, now).await?;
    }
    Ok(RefreshReport { lists, popularity })
}

/// The id up to which every event is written: what a refresh reads through. On PostgreSQL a transaction still
/// writing events may hold lower ids than one already committed, and a refresh that read past them would never
/// count them (it reads on from the highest id it saw); a share lock waits for such writers, and holds new ones
/// back for the moment of one read. SQLite writes one transaction at a time, so its highest id is always a
/// committed one.
async fn latest_event(db: &Db) -> Result<i64, StoreError> {
    const HIGHEST: &str = "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM shopper_events";
    match db.backend() {
        Backend::Sqlite => Ok(sqlx::query_scalar(HIGHEST).fetch_one(db.reader()).await?),
        Backend::Postgres => {
            let mut tx = db.write().await?;
            sqlx::query("LOCK TABLE shopper_events IN SHARE MODE")
                .execute(&mut *tx)
                .await?;
            let latest = sqlx::query_scalar(HIGHEST).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok(latest)
        }
    }
}

/// Every signed-in shopper's events up to `through`, or only those of `shoppers`, in the order they were recorded
/// (so that two events of one moment are always counted in the same order). Guests' histories are short and end
/// when their browser forgets them; they get recommendations, but do not shape similarity or transitions.
async fn read_interactions(
    connection: &mut AnyConnection,
    shoppers: Option<&[i64]>,
    through: i64,
) -> Result<Vec<Interaction>, StoreError> {
    let set = shoppers.map(|shoppers| IdSet::new(connection, shoppers));
    let sql = match &set {
        None => "SELECT e.shopper_id, e.product_id, e.kind, e.occurred_at FROM shopper_events e \
                 WHERE e.shopper_id IS NOT NULL AND e.id <= $1 ORDER BY e.id"
            .to_owned(),
        Some(set) => format!(
            "SELECT e.shopper_id, e.product_id, e.kind, e.occurred_at FROM {} \
             JOIN shopper_events e ON e.shopper_id = s.id WHERE e.id <= $1 ORDER BY e.id",
            set.table("s", 2)
        ),
    };
    let mut query = sqlx::query_as::<_, (i64, i64, String, i64)>(&sql).bind(through);
    if let Some(set) = &set {
        query = query.bind(set.value());
    }
    let mut rows = query.fetch(&mut *connection);
    let mut interactions = Vec::new();
    while let Some((shopper, product, kind, at)) = rows.try_next().await? {
        if let Some(kind) = EventKind::parse(&kind) {
            interactions.push(Interaction::new(shopper, product, kind, Millis(at)));
        }
    }
    Ok(interactions)
}

/// Every signed-in shopper's events in the store, oldest first, for the offline evaluation.
pub async fn all_interactions(db: &Db) -> Result<Vec<Interaction>, StoreError> {
    let mut connection = db.reader().acquire().await?;
    let mut interactions = read_interactions(&mut connection, None, i64::MAX).await?;
    interactions.sort_by_key(|event| event.at);
    Ok(interactions)
}

/// The interactions one stored list is built from.
fn of_kind(interactions: &[Interaction], kind: Option<EventKind>) -> Vec<Interaction> {
    interactions
        .iter()
        .filter(|event| kind.is_none_or(|kind| event.kind == kind))
        .copied()
        .collect()
}

async fn full_build(
    db: &Db,
    policy: &FeedPolicy,
    latest: i64,
    now: Millis,
) -> Result<Refreshed, StoreError> {
    let interactions = std::sync::Arc::new({
        let mut connection = db.reader().acquire().await?;
        read_interactions(&mut connection, None, latest).await?
    });
    // The transitions are counted on a thread of their own while the lists are built and written: on the large demo
    // data that saves most of their 6 s.
    let counting = {
        let interactions = interactions.clone();
        let rules = policy.transitions.clone();
        tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            (transition_rows(&interactions, &rules), started.elapsed())
        })
    };
    let products = store_lists(db, &policy.rules, &interactions).await?;
    // A blocking task is cancelled only with the runtime, which ends this refresh too; its other failure is a
    // panic, which is this refresh's.
    let (rows, counted) = counting
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()));
    store_transitions(db, &rows, counted).await?;
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE feed_refresh SET through_event_id = $1, full_build_at = $2, transitions_rules = $3 \
         WHERE id = 1",
    )
    .bind(latest)
    .bind(now)
    .bind(policy.transitions.counting_key())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Refreshed::Full {
        events: interactions.len() as u64,
        products,
    })
}

/// Builds every list from `interactions` and stores them; returns how many products have an interest list.
pub async fn store_lists(
    db: &Db,
    rules: &SimilarityRules,
    interactions: &[Interaction],
) -> Result<u64, StoreError> {
    let mut products = 0;
    let started = std::time::Instant::now();
    for (done, (list, kind)) in LISTS.into_iter().enumerate() {
        let built = neighbourhoods(
            &of_kind(interactions, kind),
            &list_rules(rules, list),
            None,
            &HashMap::new(),
        );
        if kind.is_none() {
            products = built.len() as u64;
        }
        write_lists(db, list, &built).await?;
        remove_others(db, list, &built).await?;
        // A full rebuild of a large store takes minutes: say how far it is, list by list.
        tracing::info!(
            list,
            lists_done = done + 1,
            lists = LISTS.len(),
            products = built.len(),
            seconds = started.elapsed().as_secs_f64(),
            "feed: neighbour lists rebuilt"
        );
    }
    Ok(products)
}

async fn partial_build(
    db: &Db,
    policy: &FeedPolicy,
    through: i64,
    latest: i64,
    now: Millis,
) -> Result<Refreshed, StoreError> {
    let started = std::time::Instant::now();
    let mut connection = db.reader().acquire().await?;
    // What the new events are: who did what to which product.
    let fresh = sqlx::query_as::<_, (i64, i64, String)>(
        "SELECT DISTINCT shopper_id, product_id, kind FROM shopper_events \
         WHERE id > $1 AND id <= $2 AND shopper_id IS NOT NULL",
    )
    .bind(through)
    .bind(latest)
    .fetch_all(&mut *connection)
    .await?;
    let shoppers: Vec<i64> = fresh
        .iter()
        .map(|(shopper, _, _)| *shopper)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Per list, the products of the new events (of the list's kind) that have no list yet: they get one now. The
    // lists of the others wait for the next full build: recomputing a best seller's list reads every event of
    // every shopper who ever touched it, as much as a full build (31 s on the large demo data), while the
    // transitions below bring what the shoppers did just now into the feed at once.
    let mut targets: HashMap<&str, HashSet<i64>> = HashMap::new();
    // What these shoppers count now, less what they counted before: the change to the stored transitions.
    let mut moved = TransitionCounts::default();
    if !shoppers.is_empty() {
        let after = read_interactions(&mut connection, Some(&shoppers), latest).await?;
        let before = read_interactions(&mut connection, Some(&shoppers), through).await?;
        moved.add(&count_transitions(&after, &policy.transitions));
        moved.subtract(&count_transitions(&before, &policy.transitions));
        for (list, of) in LISTS {
            let products = fresh
                .iter()
                .filter(|(_, _, kind)| {
                    EventKind::parse(kind).is_some_and(|kind| {
                        event_weight(kind) > 0.0 && of.is_none_or(|of| of == kind)
                    })
                })
                .map(|(_, product, _)| *product);
            targets.insert(list, products.collect());
        }
        leave_out_listed(&mut connection, &mut targets).await?;
    }
    let products = products_of(&targets);
    let counted = started.elapsed().as_secs_f64();
    if !products.is_empty() {
        let stored: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM product_neighbours WHERE list = 'interest'",
        )
        .fetch_one(&mut *connection)
        .await?;
        if products.len() as f64 > policy.partial_share * stored as f64 {
            drop(connection);
            return full_build(db, policy, latest, now).await;
        }
        let set = IdSet::new(&connection, &products);
        let readers: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT e.shopper_id FROM {} JOIN shopper_events e ON e.product_id = p.id \
             WHERE e.shopper_id IS NOT NULL AND e.id <= $1",
            set.table("p", 2)
        ))
        .bind(latest)
        .bind(set.value())
        .fetch_all(&mut *connection)
        .await?;
        let interactions = read_interactions(&mut connection, Some(&readers), latest).await?;
        let touched: Vec<i64> = interactions
            .iter()
            .map(|event| event.product)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let norms = stored_norms(&mut connection, &touched).await?;
        drop(connection);
        for (list, kind) in LISTS {
            let known = norms.get(list).cloned().unwrap_or_default();
            let mut built = neighbourhoods(
                &of_kind(&interactions, kind),
                &list_rules(&policy.rules, list),
                Some(&targets[list]),
                &known,
            );
            // A product with no neighbours yet gets no row, so that the next refresh tries it again.
            built.retain(|_, neighbourhood| !neighbourhood.similar.is_empty());
            write_lists(db, list, &built).await?;
        }
    }
    let listed = started.elapsed().as_secs_f64();
    // Last, and with the mark of how far the refresh read: the lists above can be written again, the moves not.
    if !add_moves(db, &policy.transitions, &moved, through, latest).await? {
        return Ok(Refreshed::Busy);
    }
    tracing::info!(
        shoppers = shoppers.len(),
        new_lists = products.len(),
        counted_seconds = counted,
        listed_seconds = listed - counted,
        moved_seconds = started.elapsed().as_secs_f64() - listed,
        "feed: partial refresh"
    );
    Ok(Refreshed::Partial {
        events: (latest - through) as u64,
        shoppers: shoppers.len() as u64,
        products: products.len() as u64,
    })
}

/// Every product of the lists' targets, once.
fn products_of(targets: &HashMap<&str, HashSet<i64>>) -> Vec<i64> {
    targets
        .values()
        .flatten()
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}

/// Takes out of each list's targets the products that already hold that list with a neighbour in it. A product
/// a full build found no neighbour for has an empty list (kept for its norm): it stays a target.
async fn leave_out_listed(
    connection: &mut AnyConnection,
    targets: &mut HashMap<&str, HashSet<i64>>,
) -> Result<(), StoreError> {
    for (list, products) in targets.iter_mut() {
        if products.is_empty() {
            continue;
        }
        let set = IdSet::new(connection, &products.iter().copied().collect::<Vec<_>>());
        // By list and product, so that each lookup seeks the (list, product_id) key.
        let listed: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT n.product_id FROM {} CROSS JOIN product_neighbours n \
             WHERE n.list = $1 AND n.product_id = p.id AND n.neighbours <> ''",
            set.table("p", 2)
        ))
        .bind(*list)
        .bind(set.value())
        .fetch_all(&mut *connection)
        .await?;
        for product in listed {
            products.remove(&product);
        }
    }
    Ok(())
}

/// The stored norms of `products`, per list.
async fn stored_norms(
    connection: &mut AnyConnection,
    products: &[i64],
) -> Result<HashMap<String, HashMap<i64, f32>>, StoreError> {
    let set = IdSet::new(connection, products);
    let mut norms: HashMap<String, HashMap<i64, f32>> = HashMap::new();
    for (list, _) in LISTS {
        let rows = sqlx::query_as::<_, (i64, f64)>(&format!(
            "SELECT n.product_id, n.norm FROM {} CROSS JOIN product_neighbours n \
             WHERE n.list = $1 AND n.product_id = p.id",
            set.table("p", 2)
        ))
        .bind(list)
        .bind(set.value())
        .fetch_all(&mut *connection)
        .await?;
        norms.insert(
            list.to_owned(),
            rows.into_iter()
                .map(|(product, norm)| (product, norm as f32))
                .collect(),
        );
    }
    Ok(norms)
}

/// Stores the lists of `built`, replacing those of the same products.
async fn write_lists(
    db: &Db,
    list: &str,
    built: &BTreeMap<i64, Neighbourhood>,
) -> Result<(), StoreError> {
    let rows: Vec<(i64, f64, String)> = built
        .iter()
        .map(|(&product, neighbourhood)| {
            (
                product,
                f64::from(neighbourhood.norm),
                encode_neighbours(&neighbourhood.similar),
            )
        })
        .collect();
    for transaction in rows.chunks(ROWS_PER_UPSERT * UPSERTS_PER_TRANSACTION) {
        let mut tx = db.write().await?;
        for chunk in transaction.chunks(ROWS_PER_UPSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
                .collect();
            let sql = format!(
                "INSERT INTO product_neighbours (list, product_id, norm, neighbours) VALUES {} \
                 ON CONFLICT (list, product_id) DO UPDATE SET norm = excluded.norm, neighbours = excluded.neighbours",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(list);
            for (product, norm, neighbours) in chunk {
                query = query.bind(*product).bind(*norm).bind(neighbours.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Deletes the stored lists of products a full build did not produce (no shopper counts them any more).
async fn remove_others(
    db: &Db,
    list: &str,
    built: &BTreeMap<i64, Neighbourhood>,
) -> Result<(), StoreError> {
    let stored: Vec<i64> =
        sqlx::query_scalar("SELECT product_id FROM product_neighbours WHERE list = $1")
            .bind(list)
            .fetch_all(db.reader())
            .await?;
    let gone: Vec<i64> = stored
        .into_iter()
        .filter(|product| !built.contains_key(product))
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    let mut tx = db.write().await?;
    let set = IdSet::new(&tx, &gone);
    sqlx::query(&format!(
        "DELETE FROM product_neighbours WHERE list = $1 AND product_id IN (SELECT f.id FROM {})",
        set.table("f", 2)
    ))
    .bind(list)
    .bind(set.value())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Best sellers and trending products per category, kept for each category's 50 best of either.
async fn refresh_popularity(db: &Db, now: Millis) -> Result<(), StoreError> {
    const PER_CATEGORY: usize = 50;
    // Trending weighs events as similarity does (a purchase says more than a view).
    let kinds = [
        EventKind::Purchased,
        EventKind::Wishlisted,
        EventKind::Carted,
        EventKind::Viewed,
    ];
    let weight = format!(
        "CASE e.kind {} ELSE 0 END",
        kinds
            .iter()
            .map(|kind| format!("WHEN '{}' THEN {}", kind.as_str(), event_weight(*kind)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let listed_kinds = kinds
        .iter()
        .map(|kind| format!("'{}'", kind.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(&format!(
        "SELECT e.product_id, p.category_id, \
         CAST(SUM(CASE WHEN e.kind = 'purchased' AND e.occurred_at >= $1 THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN e.occurred_at >= $2 THEN {weight} ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN e.occurred_at < $2 THEN {weight} ELSE 0 END) AS BIGINT) \
         FROM shopper_events e JOIN products p ON p.id = e.product_id \
         WHERE e.occurred_at >= $3 AND e.occurred_at <= $4 \
         AND e.kind IN ({listed_kinds}) \
         GROUP BY e.product_id, p.category_id"
    ))
    .bind(now - 30 * DAY_MS)
    .bind(now - 7 * DAY_MS)
    .bind(now - 35 * DAY_MS)
    .bind(now)
    .fetch_all(db.reader())
    .await?;
    let mut by_category: HashMap<i64, Vec<(i64, i64, f64)>> = HashMap::new();
    for (product, category, sold, last_week, before) in rows {
        let trending = rules::trending_score(last_week as f64, before as f64);
        by_category
            .entry(category)
            .or_default()
            .push((product, sold, trending));
    }
    let mut kept: Vec<(i64, i64, i64, f64)> = Vec::new();
    for (category, mut products) in by_category {
        let mut keep = HashSet::new();
        products.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        keep.extend(
            products
                .iter()
                .filter(|p| p.1 > 0)
                .take(PER_CATEGORY)
                .map(|p| p.0),
        );
        products.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        keep.extend(
            products
                .iter()
                .filter(|p| p.2 > 0.0)
                .take(PER_CATEGORY)
                .map(|p| p.0),
        );
        kept.extend(
            products
                .into_iter()
                .filter(|p| keep.contains(&p.0))
                .map(|(product, sold, trending)| (product, category, sold, trending)),
        );
    }
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM product_popularity")
        .execute(&mut *tx)
        .await?;
    for chunk in kept.chunks(ROWS_PER_UPSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * i + 1,
                    4 * i + 2,
                    4 * i + 3,
                    4 * i + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO product_popularity (product_id, category_id, sold, trending) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (product, category, sold, trending) in chunk {
            query = query
                .bind(*product)
                .bind(*category)
                .bind(*sold)
                .bind(*trending);
        }
        query.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE feed_refresh SET popularity_at = $1 WHERE id = 1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
