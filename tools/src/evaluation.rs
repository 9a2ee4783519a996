//! `rapport-tools evaluate-feed`: the feed's offline quality against popularity and chance, on this store's events or on
//! a public data set in RecBole's atomic `.inter` format (MovieLens-1M ships in one; `./rapport evaluate` fetches
//! it).

use app::events::EventKind;
use app::feed::evaluation::{Report, evaluate};
use app::feed::similarity::{Interaction, SimilarityRules};
use app::feed::transitions::TransitionRules;
use app::kernel::time::Millis;
use std::collections::HashMap;
use std::time::Instant;

/// Held-out shoppers, recommendations per shopper, and the seed of the sample and of the random baseline.
pub struct Evaluation {
    pub shoppers: usize,
    pub k: usize,
    pub seed: u64,
}

/// Reads a RecBole atomic interaction file: tab-separated, a header naming `user_id:…`, `item_id:…` and
/// `timestamp:…` columns (in any order, among others). Every line counts as a purchase; lines keep their order
/// within one timestamp.
pub fn read_inter(path: &std::path::Path) -> Result<Vec<Interaction>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| format!("{} is empty", path.display()))?
        .split('\t')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.split(':').next() == Some(name))
            .ok_or_else(|| {
                format!(
                    "{}: the header has no {name} column (it has {})",
                    path.display(),
                    header.join(", ")
                )
            })
    };
    let (user, item, time) = (column("user_id")?, column("item_id")?, column("timestamp")?);
    let mut ids: [HashMap<String, i64>; 2] = Default::default();
    let mut id = |table: usize, token: &str| {
        let next = ids[table].len() as i64 + 1;
        *ids[table].entry(token.to_owned()).or_insert(next)
    };
    let mut interactions = Vec::new();
    for (n, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| {
            fields
                .get(i)
                .copied()
                .ok_or_else(|| format!("{} line {}: too few columns", path.display(), n + 2))
        };
        let seconds: f64 = field(time)?.parse().map_err(|_| {
            format!(
                "{} line {}: the timestamp is not a number",
                path.display(),
                n + 2
            )
        })?;
        interactions.push(Interaction {
            shopper: id(0, field(user)?),
            product: id(1, field(item)?),
            kind: EventKind::Purchased,
            at: Millis((seconds * 1000.0) as i64),
        });
    }
    Ok(interactions)
}

/// Evaluates and prints the feed against its baselines.
pub fn run(source: &str, interactions: &[Interaction], evaluation: &Evaluation) -> Report {
    let started = Instant::now();
    // One pass, a few seconds on MovieLens-1M or the large demo data: the start says what it is doing.
    tracing::info!(
        source,
        interactions = interactions.len(),
        shoppers = evaluation.shoppers,
        "evaluating: building the similarity lists from the training events, then ranking for each shopper"
    );
    let report = evaluate(
        interactions,
        evaluation.shoppers,
        evaluation.k,
        &SimilarityRules::default(),
        &TransitionRules::default(),
        evaluation.seed,
    );
    let k = evaluation.k;
    println!(
        "{source}: {} interactions, {} held-out last purchases, evaluated in {:.1} s",
        interactions.len(),
        report.cases,
        started.elapsed().as_secs_f64()
    );
    println!("| recommender | hit rate@{k} | NDCG@{k} |\n|---|---|---|");
    for (name, scores) in [
        ("feed", report.feed),
        ("item-to-item", report.similarity),
        ("transitions", report.transitions),
        ("popularity", report.popularity),
        ("random", report.random),
    ] {
        println!("| {name} | {:.4} | {:.4} |", scores.hit_rate, scores.ndcg);
    }
    report
}
