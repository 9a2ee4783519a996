//! The feed's SQL: the background refresh of the stored neighbour lists and popularity, and serving a feed from
//! them.
//!
//! Serving reads a few hundred of the viewer's latest events, the neighbour lists of the products they point to,
//! and the product cards, in about ten queries on one connection, so a feed follows what the shopper did a
//! moment ago; only the similarity between products comes from the background.

use super::rules::{
    self, ANCHORS, BECAUSE_SECTIONS, Exclusions, FeedInputs, HISTORY, PlannedReason,
    PlannedSection, ProductFacts, RECENTLY_VIEWED,
};
use super::similarity::{
    Interaction, Neighbourhood, Similar, SimilarityRules, anchors, decode_neighbours,
    encode_neighbours, event_weight, neighbourhoods, recommend,
};
use super::transitions::{SHOWN_TO_ANYONE, blend, recent_steps, what_comes_next};
use super::{Feed, FeedCard, FeedSection, Reason, RelatedBy, SectionKind};
use crate::catalog::ProductCard;
use crate::catalog::ssr::card_from_row;
use crate::events::EventKind;
use crate::identity::Viewer;
use crate::identity::ssr::Owner;
use crate::kernel::error::{AppError, Translation};
use crate::kernel::money::Money;
use crate::kernel::time::{DAY_MS, Millis};
use crate::store::{Backend, Db, IdSet, StoreError};
use futures::TryStreamExt;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Row};
use std::collections::{BTreeMap, HashMap, HashSet};

#[cfg(test)]
mod tests;

mod feedback;
mod refresh;
mod transitions;
pub use feedback::{CardsSeen, adopt_guest_cards, record_cards, shelf_figures};
pub use refresh::*;
pub use transitions::stored_transitions;

/// The viewer's owner row; `None` for nobody, or for a shopper the store has not shared (they get cold start).
async fn owner(
    connection: &mut AnyConnection,
    viewer: Option<&Viewer>,
) -> Result<Option<Owner>, StoreError> {
    Ok(match viewer {
        None => None,
        Some(viewer) => Owner::for_read(&mut *connection, viewer).await?,
    })
}

/// A product as the feed shows and judges it.
struct Listed {
    card: ProductCard,
    category_slug: String,
    category_name: String,
    facts: ProductFacts,
}

/// The distinct `ids` that `known` has no entry for yet.
fn unknown<V>(ids: &[i64], known: &HashMap<i64, V>) -> Vec<i64> {
    ids.iter()
        .copied()
        .filter(|id| !known.contains_key(id))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}

/// The cards and facts of `ids`, in `locale`.
async fn listed(
    connection: &mut AnyConnection,
    ids: &[i64],
    locale: &str,
) -> Result<HashMap<i64, Listed>, StoreError> {
    let mut listed = HashMap::new();
    if ids.is_empty() {
        return Ok(listed);
    }
    let set = IdSet::new(connection, ids);
    let rows = sqlx::query(&format!(
        "SELECT p.id, p.sku, COALESCE(t.title, p.title) AS title, p.image_url, p.price_minor, p.currency, \
         p.stock, CAST(CASE WHEN p.active THEN 1 ELSE 0 END AS BIGINT) AS active, p.category_id, c.repeatable, \
         c.slug, COALESCE(ct.name, c.name) AS category_name \
         FROM {} JOIN products p ON p.id = f.id JOIN categories c ON c.id = p.category_id \
         LEFT JOIN product_translations t ON t.product_id = p.id AND t.locale = $1 \
         LEFT JOIN category_translations ct ON ct.category_id = c.id AND ct.locale = $1",
        set.table("f", 2)
    ))
    .bind(locale)
    .bind(set.value())
    .fetch_all(&mut *connection)
    .await?;
    for row in rows {
        let card = card_from_row(&row)?;
        let active = row.try_get::<i64, _>("active")? != 0;
        let available = active && card.stock > 0;
        listed.insert(
            row.try_get("id")?,
            Listed {
                card,
                category_slug: row.try_get("slug")?,
                category_name: row.try_get("category_name")?,
                facts: ProductFacts {
                    category: row.try_get("category_id")?,
                    repeatable: row.try_get::<i64, _>("repeatable")? != 0,
                    available,
                },
            },
        );
    }
    Ok(listed)
}

/// The stored `list` of each of `products`.
async fn neighbour_lists(
    connection: &mut AnyConnection,
    list: &str,
    products: &[i64],
) -> Result<BTreeMap<i64, Vec<Similar>>, StoreError> {
    if products.is_empty() {
        return Ok(BTreeMap::new());
    }
    let set = IdSet::new(connection, products);
    let rows = sqlx::query_as::<_, (i64, String)>(&format!(
        "SELECT n.product_id, n.neighbours FROM {} CROSS JOIN product_neighbours n \
         WHERE n.list = $1 AND n.product_id = f.id",
        set.table("f", 2)
    ))
    .bind(list)
    .bind(set.value())
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(product, text)| (product, decode_neighbours(&text)))
        .collect())
}

/// Best sellers of each of `categories`, best first.
async fn popular_in(
    connection: &mut AnyConnection,
    categories: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
    let mut popular: HashMap<i64, Vec<i64>> = HashMap::new();
    if categories.is_empty() {
        return Ok(popular);
    }
    let set = IdSet::new(connection, categories);
    let rows = sqlx::query_as::<_, (i64, i64)>(&format!(
        "SELECT pp.category_id, pp.product_id FROM {} JOIN product_popularity pp ON pp.category_id = c.id \
         WHERE pp.sold > 0 ORDER BY pp.sold DESC, pp.product_id",
        set.table("c", 1)
    ))
    .bind(set.value())
    .fetch_all(&mut *connection)
    .await?;
    for (category, product) in rows {
        popular.entry(category).or_default().push(product);
    }
    Ok(popular)
}

/// The store's `limit` best sellers (`by` is `sold`) or trending products (`trending`), best first.
async fn ranked_by(
    connection: &mut AnyConnection,
    by: &str,
    limit: usize,
) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT product_id FROM product_popularity WHERE {by} > 0 ORDER BY {by} DESC, product_id LIMIT {limit}"
    ))
    .fetch_all(&mut *connection)
    .await?)
}

/// Which of `products` the owner bought or dismissed, however long ago: asked of the candidates only, through a
/// small partial index, so that a shopper with a hundred thousand events costs no more than one with ten (their
/// 10,139 purchase and dismissal rows among 514 candidates took 25 ms to read; the seeks take under 1 ms).
async fn kept_apart(
    connection: &mut AnyConnection,
    owner: &Owner,
    products: &[i64],
) -> Result<Exclusions, StoreError> {
    let mut exclusions = Exclusions::default();
    if products.is_empty() {
        return Ok(exclusions);
    }
    // One index seek per candidate and kind, which stops at the first match: a shopper who bought a product
    // a hundred times costs one seek for it, not a hundred rows.
    let set = IdSet::new(connection, products);
    let column = owner.column();
    // SQLite's planner (3.46) seeks a best seller's purchases through the index by product and reads thousands of
    // other shoppers' rows per candidate (44 ms for the heaviest shoppers' feeds); the small index is named.
    let index = match (Backend::of(connection), owner) {
        (Backend::Sqlite, Owner::Shopper(_)) => " INDEXED BY shopper_events_kept",
        (Backend::Sqlite, Owner::Guest(_)) => " INDEXED BY shopper_events_kept_by_guest",
        (Backend::Postgres, _) => "",
    };
    let has = |kind: &str| {
        format!(
            "CAST(CASE WHEN EXISTS (SELECT 1 FROM shopper_events e{index} WHERE e.{column} = $1 \
             AND e.product_id = f.id AND e.kind IN ('purchased', 'dismissed') AND e.kind = '{kind}') \
             THEN 1 ELSE 0 END AS BIGINT)"
        )
    };
    let sql = format!(
        "SELECT id, bought, dismissed FROM (SELECT f.id AS id, {} AS bought, {} AS dismissed FROM {}) AS k \
         WHERE bought = 1 OR dismissed = 1",
        has("purchased"),
        has("dismissed"),
        set.table("f", 2)
    );
    let rows = owner
        .bind(sqlx::query(&sql))
        .bind(set.value())
        .fetch_all(&mut *connection)
        .await?;
    for row in rows {
        let product: i64 = row.try_get(0)?;
        if row.try_get::<i64, _>(1)? == 1 {
            exclusions.bought.insert(product);
        }
        if row.try_get::<i64, _>(2)? == 1 {
            exclusions.dismissed.insert(product);
        }
    }
    Ok(exclusions)
}

/// Products in the owner's wish lists or price-drop alerts that cost less now than then, with the price then.
async fn price_drops(
    connection: &mut AnyConnection,
    owner: &Owner,
) -> Result<Vec<(i64, Money)>, StoreError> {
    let column = owner.column();
    let sql = format!(
        "SELECT wi.product_id, wi.saved_price_minor, wi.saved_currency FROM wishlists w \
         JOIN wishlist_items wi ON wi.wishlist_id = w.id JOIN products p ON p.id = wi.product_id \
         WHERE w.{column} = $1 AND p.currency = wi.saved_currency AND p.price_minor < wi.saved_price_minor \
         UNION \
         SELECT a.product_id, a.reference_minor, a.currency FROM alerts a JOIN products p ON p.id = a.product_id \
         WHERE a.{column} = $1 AND a.kind = 'price_drop' AND a.status IN ('unconfirmed', 'active') \
         AND p.currency = a.currency AND p.price_minor < a.reference_minor"
    );
    let rows = owner
        .bind(sqlx::query(&sql))
        .fetch_all(&mut *connection)
        .await?;
    let mut drops: Vec<(i64, Money)> = Vec::new();
    for row in rows {
        let product: i64 = row.try_get(0)?;
        let was = Money::new(row.try_get(1)?, row.try_get::<String, _>(2)?);
        match drops.iter_mut().find(|(id, _)| *id == product) {
            // Saved in a list and watched by an alert: the higher price then is the larger drop.
            Some((_, known)) if known.amount_minor < was.amount_minor => *known = was,
            Some(_) => {}
            None => drops.push((product, was)),
        }
    }
    Ok(drops)
}

/// `owner`'s latest events, newest first ([`HISTORY`] at most), and when they last cleared "Recently viewed".
async fn history(
    connection: &mut AnyConnection,
    owner: &Owner,
) -> Result<(Vec<Interaction>, Option<Millis>), StoreError> {
    let column = owner.column();
    let sql = format!(
        "SELECT product_id, kind, occurred_at FROM shopper_events WHERE {column} = $1 \
         ORDER BY occurred_at DESC, id DESC LIMIT {HISTORY}"
    );
    let mut history = Vec::new();
    for row in owner
        .bind(sqlx::query(&sql))
        .fetch_all(&mut *connection)
        .await?
    {
        if let Some(kind) = EventKind::parse(&row.try_get::<String, _>(1)?) {
            history.push(Interaction::new(0, row.try_get(0)?, kind, row.try_get(2)?));
        }
    }
    let cleared_at =
        sqlx::query_scalar("SELECT cleared_at FROM recently_viewed_cleared WHERE viewer = $1")
            .bind(owner.key())
            .fetch_optional(&mut *connection)
            .await?;
    Ok((history, cleared_at))
}

/// What `viewer` viewed since they last cleared the list, newest first, `limit` at most: the feed's "Recently
/// viewed" on its own (the same rule: of the latest products viewed, those available and not dismissed). Nothing
/// for nobody.
pub async fn recently_viewed(
    db: &Db,
    viewer: Option<&Viewer>,
    locale: &str,
    limit: usize,
) -> Result<Vec<ProductCard>, StoreError> {
    let mut connection = db.reader().acquire().await?;
    let Some(owner) = owner(&mut connection, viewer).await? else {
        return Ok(Vec::new());
    };
    let (history, cleared_at) = history(&mut connection, &owner).await?;
    let viewed = rules::recently_viewed(&history, cleared_at, RECENTLY_VIEWED.max(limit));
    let exclusions = kept_apart(&mut connection, &owner, &viewed).await?;
    let mut products = listed(&mut connection, &viewed, locale).await?;
    let facts: HashMap<i64, ProductFacts> = products
        .iter()
        .map(|(id, listed)| (*id, listed.facts))
        .collect();
    Ok(rules::viewed_to_show(&viewed, &facts, &exclusions, limit)
        .into_iter()
        .filter_map(|id| products.remove(&id).map(|listed| listed.card))
        .collect())
}

/// The home feed of `viewer` (or of nobody: best sellers and trending), `per_section` cards a section at most.
/// Its recommendations blend what is similar to the shopper's strongest interests with what shoppers went on to
/// after their latest products.
pub async fn feed(
    db: &Db,
    viewer: Option<&Viewer>,
    locale: &str,
    per_section: usize,
    policy: &FeedPolicy,
    now: Millis,
) -> Result<Feed, StoreError> {
    let rules = &policy.rules;
    let mut connection = db.reader().acquire().await?;
    let owner = owner(&mut connection, viewer).await?;
    let (history, cleared_at) = match &owner {
        Some(owner) => history(&mut connection, owner).await?,
        None => (Vec::new(), None),
    };
    // A product the shopper said "not interested" to lately is no anchor, whatever else they did with it.
    let rejected: HashSet<i64> = history
        .iter()
        .filter(|event| event.kind == EventKind::Dismissed)
        .map(|event| event.product)
        .collect();
    let mut strongest = anchors(&history, rules.half_life, now, ANCHORS);
    strongest.retain(|anchor| !rejected.contains(&anchor.product));
    let recent = rules::recent_actions(&history, BECAUSE_SECTIONS + 2);
    // Each source offers a few sections' worth of candidates: enough after exclusions and deduplication, and few
    // enough that the cards to read stay in the hundreds.
    let depth = 4 * per_section;
    let viewed = rules::recently_viewed(&history, cleared_at, RECENTLY_VIEWED);
    let anchor_ids: Vec<i64> = strongest
        .iter()
        .map(|a| a.product)
        .chain(recent.iter().map(|(product, _)| *product))
        .collect();
    let mut lists = neighbour_lists(&mut connection, "interest", &anchor_ids).await?;
    for list in lists.values_mut() {
        list.truncate(depth);
    }
    let similar = recommend(&strongest, &lists, &rejected, depth);
    let oldest_first: Vec<Interaction> = history.iter().rev().copied().collect();
    let mut latest = recent_steps(&oldest_first, policy.transitions.anchors);
    latest.retain(|step| !rejected.contains(&step.product));
    let latest_ids: Vec<i64> = latest.iter().map(|step| step.product).collect();
    let mut successors = transitions::successor_lists(&mut connection, &latest_ids).await?;
    for list in successors.values_mut() {
        list.truncate(depth);
    }
    let next = what_comes_next(&latest, &successors, &policy.transitions, &rejected, depth);
    let recommendations = blend(&similar, &next, policy.transitions.share, depth);

    // Facts (category, stock) first for every candidate, cards only for what is shown: a feed weighs a few
    // hundred candidates to show a few dozen.
    let mut facts: HashMap<i64, ProductFacts> = HashMap::new();
    let first: Vec<i64> = anchor_ids
        .iter()
        .chain(&latest_ids)
        .chain(&viewed)
        .copied()
        .chain(recommendations.iter().map(|r| r.product))
        .chain(
            recent
                .iter()
                .flat_map(|(product, _)| lists.get(product).into_iter().flatten())
                .map(|similar| similar.product),
        )
        .collect();
    facts_of(&mut connection, &first, &mut facts).await?;
    let favourite = rules::favourite_category(&strongest, &facts);
    let categories: Vec<i64> = favourite
        .into_iter()
        .chain(
            recent
                .iter()
                .filter_map(|(product, _)| facts.get(product).map(|f| f.category)),
        )
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut popular = popular_in(&mut connection, &categories).await?;
    for best in popular.values_mut() {
        best.truncate(depth);
    }
    let best_sellers = ranked_by(&mut connection, "sold", depth).await?;
    let trending = ranked_by(&mut connection, "trending", depth).await?;
    let drops = match &owner {
        Some(owner) => price_drops(&mut connection, owner).await?,
        None => Vec::new(),
    };
    let because: Vec<(i64, super::Activity, Vec<i64>)> = recent
        .iter()
        .map(|&(anchor, action)| {
            let similar = lists.get(&anchor).into_iter().flatten().map(|s| s.product);
            let same_category = facts
                .get(&anchor)
                .and_then(|f| popular.get(&f.category))
                .into_iter()
                .flatten()
                .copied();
            (anchor, action, similar.chain(same_category).collect())
        })
        .collect();
    let second: Vec<i64> = popular
        .values()
        .flatten()
        .chain(&best_sellers)
        .chain(&trending)
        .copied()
        .chain(drops.iter().map(|(id, _)| *id))
        .collect();
    facts_of(&mut connection, &second, &mut facts).await?;
    let candidates: Vec<i64> = facts.keys().copied().collect();
    let exclusions = match &owner {
        Some(owner) => Exclusions {
            passed_over: feedback::passed_over(&mut connection, owner, &policy.fatigue, now)
                .await?,
            ..kept_apart(&mut connection, owner, &candidates).await?
        },
        None => Exclusions::default(),
    };

    let inputs = FeedInputs {
        recommendations,
        actions: rules::strongest_actions(&history),
        because,
        recently_viewed: viewed,
        price_drops: drops,
        favourite: favourite.map(|category| {
            (
                category,
                popular.get(&category).cloned().unwrap_or_default(),
            )
        }),
        best_sellers,
        trending,
    };
    let planned = rules::plan(&inputs, &facts, &exclusions, per_section);
    // The cards shown, and the products their reasons and titles name.
    let shown: Vec<i64> = planned
        .iter()
        .flat_map(|planned| {
            let anchor = match planned.section {
                PlannedSection::Because { anchor, .. } => Some(anchor),
                _ => None,
            };
            planned
                .cards
                .iter()
                .flat_map(|(id, reason)| {
                    let named = match reason {
                        PlannedReason::Because { anchor, .. } => Some(*anchor),
                        _ => None,
                    };
                    std::iter::once(*id).chain(named)
                })
                .chain(anchor)
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let products = listed(&mut connection, &shown, locale).await?;
    drop(connection);
    Ok(Feed {
        sections: planned
            .into_iter()
            .filter_map(|planned| section(planned, &products))
            .collect(),
    })
}

/// The facts serving judges `ids` by, added to `into`.
async fn facts_of(
    connection: &mut AnyConnection,
    ids: &[i64],
    into: &mut HashMap<i64, ProductFacts>,
) -> Result<(), StoreError> {
    let missing = unknown(ids, into);
    if missing.is_empty() {
        return Ok(());
    }
    let set = IdSet::new(connection, &missing);
    let rows = sqlx::query_as::<_, (i64, i64, i64, i64)>(&format!(
        "SELECT p.id, p.category_id, c.repeatable, \
         CAST(CASE WHEN p.active AND p.stock > 0 THEN 1 ELSE 0 END AS BIGINT) \
         FROM {} JOIN products p ON p.id = f.id JOIN categories c ON c.id = p.category_id",
        set.table("f", 1)
    ))
    .bind(set.value())
    .fetch_all(&mut *connection)
    .await?;
    for (id, category, repeatable, available) in rows {
        into.insert(
            id,
            ProductFacts {
                category,
                repeatable: repeatable != 0,
                available: available != 0,
            },
        );
    }
    Ok(())
}

/// A planned section with its products' cards and its reasons in words.
fn section(planned: rules::Planned, products: &HashMap<i64, Listed>) -> Option<FeedSection> {
    let category_name = |category: i64| {
        products
            .values()
            .find(|p| p.facts.category == category)
            .map(|p| p.category_name.clone())
            .unwrap_or_default()
    };
    let kind = match planned.section {
        PlannedSection::RecommendedForYou => SectionKind::RecommendedForYou,
        PlannedSection::Because { anchor, action } => {
            let anchor = products.get(&anchor)?;
            SectionKind::Because {
                action,
                sku: anchor.card.sku.clone(),
                title: anchor.card.title.clone(),
            }
        }
        PlannedSection::RecentlyViewed => SectionKind::RecentlyViewed,
        PlannedSection::PriceDrops => SectionKind::PriceDrops,
        PlannedSection::PopularIn { category } => SectionKind::PopularIn {
            category: category_name(category),
        },
        PlannedSection::BestSellers => SectionKind::BestSellers,
        PlannedSection::TrendingNow => SectionKind::TrendingNow,
    };
    let cards = planned
        .cards
        .into_iter()
        .filter_map(|(id, reason)| {
            let listed = products.get(&id)?;
            let reason = match reason {
                PlannedReason::Because { anchor, action } => Reason::Because {
                    action,
                    title: products.get(&anchor)?.card.title.clone(),
                },
                PlannedReason::RecentlyViewed => Reason::RecentlyViewed,
                PlannedReason::PriceDrop { was } => Reason::PriceDrop { was },
                PlannedReason::BestSeller => Reason::BestSeller,
                PlannedReason::Trending => Reason::Trending,
                PlannedReason::PopularIn { category } => Reason::PopularIn {
                    category: category_name(category),
                },
            };
            Some(FeedCard {
                product: listed.card.clone(),
                category: listed.category_slug.clone(),
                reason,
            })
        })
        .collect();
    Some(FeedSection { kind, cards })
}

/// A product page's "customers who bought / viewed this also …" (its stored neighbours, most similar first) or
/// "… went on to" (its successors that two shoppers or more went on to, likeliest first): the available ones, at
/// most `limit`. An unknown SKU is an error the page can show.
pub async fn related(
    db: &Db,
    sku: &str,
    by: RelatedBy,
    locale: &str,
    limit: usize,
) -> Result<Vec<ProductCard>, StoreError> {
    let mut connection = db.reader().acquire().await?;
    let product: i64 = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *connection)
        .await?
        .ok_or_else(|| {
            AppError::not_found(Some("sku".into()), format!("unknown product \"{sku}\""))
        })?;
    let list = match by {
        RelatedBy::Bought => Some("bought"),
        RelatedBy::Viewed => Some("viewed"),
        RelatedBy::WentOnTo => None,
    };
    let similar: Vec<i64> = match list {
        Some(list) => neighbour_lists(&mut connection, list, &[product])
            .await?
            .remove(&product)
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.product)
            .collect(),
        None => transitions::successor_lists(&mut connection, &[product])
            .await?
            .remove(&product)
            .unwrap_or_default()
            .into_iter()
            .filter(|next| next.shoppers >= SHOWN_TO_ANYONE)
            .map(|next| next.product)
            .collect(),
    };
    let mut products = listed(&mut connection, &similar, locale).await?;
    Ok(similar
        .iter()
        .filter_map(|id| products.remove(id))
        .filter(|p| p.facts.available)
        .take(limit)
        .map(|p| p.card)
        .collect())
}

/// Hides the viewer's "Recently viewed" up to `now` (views after it show again).
pub async fn clear_recently_viewed(
    db: &Db,
    viewer: &Viewer,
    now: Millis,
) -> Result<(), StoreError> {
    let owner = {
        let mut connection = db.reader().acquire().await?;
        owner(&mut connection, Some(viewer)).await?
    };
    let Some(owner) = owner else {
        return Err(AppError::not_found(None, Translation::of("error.profile_unknown")).into());
    };
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO recently_viewed_cleared (viewer, cleared_at) VALUES ($1, $2) \
         ON CONFLICT (viewer) DO UPDATE SET cleared_at = excluded.cleared_at",
    )
    .bind(owner.key())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
