//! The stored "what came next" counts: built whole from every event, or changed by what the shoppers who did
//! something new count now against what they counted before, without reading anyone else's events.

use super::*;
use crate::feed::transitions::{
    Move, Successor, TransitionCounts, TransitionRules, count_transitions, decode_moves,
    decode_successors, encode_moves, encode_successors, likeliest, merge_moves,
};

/// A product's row of stored transitions: its moves and its successors, as stored.
pub(super) type TransitionRow = (i64, String, String);

/// Every product's moves and successors counted from `interactions`, as stored: plain work for a thread of its
/// own while the similarity lists are built.
pub(super) fn transition_rows(
    interactions: &[Interaction],
    rules: &TransitionRules,
) -> Vec<TransitionRow> {
    count_transitions(interactions, rules)
        .by_product()
        .iter()
        .map(|(&product, moves)| (product, encode_moves(moves), successors_text(moves, rules)))
        .collect()
}

/// Stores `rows` ([`transition_rows`], counted in `counted`) in place of what was stored. The caller marks the
/// build done, with the rules and the events it read.
pub(super) async fn store_transitions(
    db: &Db,
    rows: &[TransitionRow],
    counted: std::time::Duration,
) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    // The rewrite takes several transactions: until the caller marks it done, no partial refresh adds to it.
    let mut tx = db.write().await?;
    sqlx::query("UPDATE feed_refresh SET transitions_rules = '' WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    for transaction in rows.chunks(ROWS_PER_UPSERT * UPSERTS_PER_TRANSACTION) {
        let mut tx = db.write().await?;
        upsert(&mut tx, transaction).await?;
        tx.commit().await?;
    }
    let listed: HashSet<i64> = rows.iter().map(|(product, _, _)| *product).collect();
    let stored: Vec<i64> = sqlx::query_scalar("SELECT product_id FROM product_transitions")
        .fetch_all(db.reader())
        .await?;
    let gone: Vec<i64> = stored
        .into_iter()
        .filter(|product| !listed.contains(product))
        .collect();
    if !gone.is_empty() {
        let mut tx = db.write().await?;
        delete(&mut tx, &gone).await?;
        tx.commit().await?;
    }
    tracing::info!(
        products = rows.len(),
        counted_seconds = counted.as_secs_f64(),
        stored_seconds = started.elapsed().as_secs_f64(),
        "feed: transitions rebuilt"
    );
    Ok(())
}

/// Adds `change` (the events after `from`, up to `through`) to the stored moves of the products it leaves from,
/// recomputes their successors, and records that the events up to `through` are counted, in one transaction:
/// adding is not idempotent, so the moves and the mark of how far they go must never part. Nothing is added, and
/// `false` comes back, when the stored counts are no longer those up to `from` under these rules (another refresh
/// added these events first, or a full build is rewriting them).
pub(super) async fn add_moves(
    db: &Db,
    rules: &TransitionRules,
    change: &TransitionCounts,
    from: i64,
    through: i64,
) -> Result<bool, StoreError> {
    let changes = change.by_product();
    let products: Vec<i64> = changes.keys().copied().collect();
    let mut tx = db.write().await?;
    // First, so that on PostgreSQL a second refresh waits here for this one's row lock, then finds the mark moved.
    let marked = sqlx::query(
        "UPDATE feed_refresh SET through_event_id = $1 \
         WHERE id = 1 AND through_event_id = $2 AND transitions_rules = $3",
    )
    .bind(through)
    .bind(from)
    .bind(rules.counting_key())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if marked == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    let mut stored: HashMap<i64, String> = HashMap::new();
    if !products.is_empty() {
        let set = IdSet::new(&tx, &products);
        stored = sqlx::query_as::<_, (i64, String)>(&format!(
            "SELECT t.product_id, t.moves FROM {} JOIN product_transitions t ON t.product_id = f.id",
            set.table("f", 1)
        ))
        .bind(set.value())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    }
    // Product by product, so that a best seller's moves are read, changed and written once, in order.
    let mut rows = Vec::new();
    let mut emptied = Vec::new();
    for (product, change) in &changes {
        let before = stored
            .remove(product)
            .map(|text| decode_moves(&text))
            .unwrap_or_default();
        let moves = merge_moves(before, change);
        if moves.is_empty() {
            emptied.push(*product);
        } else {
            rows.push((
                *product,
                encode_moves(&moves),
                successors_text(&moves, rules),
            ));
        }
    }
    upsert(&mut tx, &rows).await?;
    if !emptied.is_empty() {
        delete(&mut tx, &emptied).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The stored successors of each of `products`, likeliest first.
pub(super) async fn successor_lists(
    connection: &mut AnyConnection,
    products: &[i64],
) -> Result<BTreeMap<i64, Vec<Successor>>, StoreError> {
    if products.is_empty() {
        return Ok(BTreeMap::new());
    }
    let set = IdSet::new(connection, products);
    let rows = sqlx::query_as::<_, (i64, String)>(&format!(
        "SELECT t.product_id, t.successors FROM {} JOIN product_transitions t ON t.product_id = f.id",
        set.table("f", 1)
    ))
    .bind(set.value())
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(product, text)| (product, decode_successors(&text)))
        .collect())
}

/// Every stored move, for tests that hold a kept count to a rebuild.
pub async fn stored_transitions(db: &Db) -> Result<TransitionCounts, StoreError> {
    Ok(counts_of(
        sqlx::query_as("SELECT product_id, moves FROM product_transitions")
            .fetch_all(db.reader())
            .await?,
    ))
}

/// Stored rows of moves, `(product, moves)`, as counts.
fn counts_of(rows: Vec<(i64, String)>) -> TransitionCounts {
    let mut counts = TransitionCounts::default();
    for (product, moves) in rows {
        for (to, moved) in decode_moves(&moves) {
            counts.pairs.insert((product, to), moved);
        }
    }
    counts
}

fn successors_text(moves: &[(i64, Move)], rules: &TransitionRules) -> String {
    encode_successors(&likeliest(moves, rules))
}

async fn upsert(tx: &mut AnyConnection, rows: &[(i64, String, String)]) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_UPSERT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO product_transitions (product_id, moves, successors) VALUES {} \
             ON CONFLICT (product_id) DO UPDATE SET moves = excluded.moves, successors = excluded.successors",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (product, moves, successors) in chunk {
            query = query
                .bind(*product)
                .bind(moves.as_str())
                .bind(successors.as_str());
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

async fn delete(tx: &mut AnyConnection, products: &[i64]) -> Result<(), StoreError> {
    let set = IdSet::new(tx, products);
    sqlx::query(&format!(
        "DELETE FROM product_transitions WHERE product_id IN (SELECT f.id FROM {})",
        set.table("f", 1)
    ))
    .bind(set.value())
    .execute(&mut *tx)
    .await?;
    Ok(())
}
