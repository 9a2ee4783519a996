//! The serving rules of the feed as plain functions: what may be shown to whom, how sections are filled,
//! deduplicated and diversified, and how large they may be.
//!
//! ```
//! use app::feed::rules::{diversify, page_size};
//!
//! // Ranked products with their categories: at most two of one category in a section of four.
//! let ranked = [(1, 7), (2, 7), (3, 7), (4, 8), (5, 9)];
//! let picked = diversify(ranked, |&(_, category)| Some(category), 4, 2);
//! assert_eq!(picked.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [1, 2, 4, 5]);
//! assert_eq!(page_size(1_000_000), 24);
//! ```

use super::Activity;
use super::similarity::{Anchor, Interaction, Recommendation, event_weight};
use crate::events::EventKind;
use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use std::collections::{HashMap, HashSet};

#[cfg(test)]
mod tests;

/// The most cards a section may ask for; larger requests are clamped to it.
pub const MAX_PER_SECTION: usize = 24;
/// Cards per section when the page does not say.
pub const DEFAULT_PER_SECTION: usize = 8;
/// A section with fewer cards than this is not shown: two cards do not make a shelf.
pub const MIN_PER_SECTION: usize = 3;
/// "Recently viewed" shows at most this many products.
pub const RECENTLY_VIEWED: usize = 12;
/// At most this many "Because you …" sections, one per recent product.
pub const BECAUSE_SECTIONS: usize = 2;
/// A shopper's strongest interests that pick "Recommended for you".
pub const ANCHORS: usize = 20;
/// The most recent events of a shopper the feed reads; older ones have long faded (see `similarity::recency`).
pub const HISTORY: i64 = 500;

/// A page size a request asked for, clamped to `1..=MAX_PER_SECTION`.
pub fn page_size(requested: i64) -> usize {
    requested.clamp(1, MAX_PER_SECTION as i64) as usize
}

/// Cards per feed section a request asked for, clamped to `MIN_PER_SECTION..=MAX_PER_SECTION`: a section is
/// shown only with `MIN_PER_SECTION` cards, so asking for fewer would empty the feed.
pub fn section_size(requested: i64) -> usize {
    requested.clamp(MIN_PER_SECTION as i64, MAX_PER_SECTION as i64) as usize
}

/// The most cards of one category in a mixed section of `limit`: half, so that no section is one category.
pub fn per_category(limit: usize) -> usize {
    limit.div_ceil(2).max(1)
}

/// What serving needs to know about a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductFacts {
    pub category: i64,
    /// Its category is bought again and again (coffee), so buying it does not rule it out.
    pub repeatable: bool,
    /// Active and in stock.
    pub available: bool,
}

/// What a shopper's own history rules out of their feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exclusions {
    pub bought: HashSet<i64>,
    /// Products the shopper said "not interested" to.
    pub dismissed: HashSet<i64>,
    /// Suggestions the shopper kept passing over ([`super::feedback::Fatigue`]): not suggested again for a while.
    pub passed_over: HashSet<i64>,
}

impl Exclusions {
    /// Whether `product` may be recommended: available, not dismissed, and not already bought unless its
    /// category is repeatable.
    pub fn allows(&self, product: i64, facts: &ProductFacts) -> bool {
        facts.available
            && !self.dismissed.contains(&product)
            && (facts.repeatable || !self.bought.contains(&product))
    }

    /// Whether `product` may be suggested: allowed, and not passed over lately. "Price drops" and "Recently
    /// viewed" show what the shopper chose, so only [`Exclusions::allows`] applies to them.
    pub fn suggests(&self, product: i64, facts: &ProductFacts) -> bool {
        self.allows(product, facts) && !self.passed_over.contains(&product)
    }
}

/// Up to `limit` items in rank order, taking at most `per_category` from any one category; items whose category
/// is `None` (a product that is gone) are skipped.
pub fn diversify<T>(
    ranked: impl IntoIterator<Item = T>,
    category: impl Fn(&T) -> Option<i64>,
    limit: usize,
    per_category: usize,
) -> Vec<T> {
    let mut taken: HashMap<i64, usize> = HashMap::new();
    let mut picked = Vec::with_capacity(limit);
    for item in ranked {
        if picked.len() == limit {
            break;
        }
        let Some(category) = category(&item) else {
            continue;
        };
        let count = taken.entry(category).or_insert(0);
        if *count < per_category {
            *count += 1;
            picked.push(item);
        }
    }
    picked
}

/// How an event kind reads as a reason; `None` for kinds that say nothing of interest.
pub fn action_of(kind: EventKind) -> Option<Activity> {
    match kind {
        EventKind::Viewed => Some(Activity::Viewed),
        EventKind::Wishlisted => Some(Activity::Saved),
        EventKind::Carted => Some(Activity::Carted),
        EventKind::Purchased | EventKind::Reviewed => Some(Activity::Bought),
        EventKind::Unwishlisted | EventKind::Dismissed => None,
    }
}

/// The latest products the shopper acted on, newest first, each with the action that made it recent: the
/// anchors of the "Because you …" sections, which follow what the shopper is doing now.
pub fn recent_actions(newest_first: &[Interaction], limit: usize) -> Vec<(i64, Activity)> {
    let mut seen = HashSet::new();
    newest_first
        .iter()
        .filter(|event| seen.insert(event.product))
        .filter_map(|event| action_of(event.kind).map(|action| (event.product, action)))
        .take(limit)
        .collect()
}

/// The strongest action per product in a history, for the reason of a recommendation it led to.
pub fn strongest_actions(history: &[Interaction]) -> HashMap<i64, Activity> {
    let mut strongest: HashMap<i64, (f32, Activity)> = HashMap::new();
    for event in history {
        if let Some(action) = action_of(event.kind) {
            let weight = event_weight(event.kind);
            let entry = strongest.entry(event.product).or_insert((weight, action));
            if weight > entry.0 {
                *entry = (weight, action);
            }
        }
    }
    strongest
        .into_iter()
        .map(|(product, (_, action))| (product, action))
        .collect()
}

/// The products the shopper viewed since they last cleared the list, newest first, each once, at most `limit`.
pub fn recently_viewed(
    newest_first: &[Interaction],
    cleared_at: Option<Millis>,
    limit: usize,
) -> Vec<i64> {
    let mut seen = HashSet::new();
    newest_first
        .iter()
        .filter(|event| event.kind == EventKind::Viewed)
        .filter(|event| cleared_at.is_none_or(|cleared| event.at > cleared))
        .filter(|event| seen.insert(event.product))
        .map(|event| event.product)
        .take(limit)
        .collect()
}

/// The recently viewed products shown, in their order, `limit` at most: the shopper's own history, so bought
/// products stay, but not what is unavailable or what they said "not interested" to.
pub fn viewed_to_show(
    recently_viewed: &[i64],
    facts: &HashMap<i64, ProductFacts>,
    exclusions: &Exclusions,
    limit: usize,
) -> Vec<i64> {
    recently_viewed
        .iter()
        .filter(|id| {
            facts.get(id).is_some_and(|f| f.available) && !exclusions.dismissed.contains(id)
        })
        .take(limit)
        .copied()
        .collect()
}

/// The category the shopper's anchors weigh most in (ties: lower category id).
pub fn favourite_category(anchors: &[Anchor], facts: &HashMap<i64, ProductFacts>) -> Option<i64> {
    let mut weights: HashMap<i64, f32> = HashMap::new();
    for anchor in anchors {
        if let Some(product) = facts.get(&anchor.product) {
            *weights.entry(product.category).or_insert(0.0) += anchor.weight;
        }
    }
    weights
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(category, _)| category)
}

/// How much a product is rising: its events of the last 7 days against the weekly average of the 28 days before,
/// damped so that a product going from 0 to 1 view is not "trending".
pub fn trending_score(last_week: f64, four_weeks_before: f64) -> f64 {
    last_week / (four_weeks_before / 4.0 + 5.0)
}

/// Why a planned card is there, by product ids; the store turns it into a [`super::Reason`].
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedReason {
    Because { anchor: i64, action: Activity },
    RecentlyViewed,
    PriceDrop { was: Money },
    BestSeller,
    Trending,
    PopularIn { category: i64 },
}

/// Which section, by product ids.
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedSection {
    RecommendedForYou,
    Because { anchor: i64, action: Activity },
    RecentlyViewed,
    PriceDrops,
    PopularIn { category: i64 },
    BestSellers,
    TrendingNow,
}

/// A section of the feed, by product ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub section: PlannedSection,
    pub cards: Vec<(i64, PlannedReason)>,
}

/// Everything the store gathered for one feed, by product ids, each list best first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedInputs {
    /// "Recommended for you", from the shopper's strongest interests.
    pub recommendations: Vec<Recommendation>,
    /// What the shopper did with each product of their history, for the reasons of recommendations.
    pub actions: HashMap<i64, Activity>,
    /// The latest products the shopper acted on, each with its candidates (its neighbours, then best sellers of
    /// its category).
    pub because: Vec<(i64, Activity, Vec<i64>)>,
    pub recently_viewed: Vec<i64>,
    /// Products the shopper watches that are cheaper now, with the price they were.
    pub price_drops: Vec<(i64, Money)>,
    /// The shopper's favourite category and its best sellers.
    pub favourite: Option<(i64, Vec<i64>)>,
    pub best_sellers: Vec<i64>,
    pub trending: Vec<i64>,
}

/// The sections of a feed: price drops, "Because you …" (what the shopper did last comes first, so the feed
/// visibly follows them), "Recommended for you", "Popular in <category>" and "Recently viewed" from the shopper's
/// own history, then "Best sellers" and "Trending now" when fewer than two sections of suggestions could be
/// filled (a guest, a new shopper, or a shopper the store does not know; "Recently viewed" suggests nothing).
///
/// Every suggested card passes the shopper's [`Exclusions`], and is not something the shopper just acted on; a
/// product is suggested in one section only; "Because you …", "Recommended for you", "Best sellers" and
/// "Trending now" take at most [`per_category`] of one category; sections with fewer than [`MIN_PER_SECTION`]
/// cards are left out. "Recently viewed" is the shopper's own history: available products they did not dismiss.
pub fn plan(
    inputs: &FeedInputs,
    facts: &HashMap<i64, ProductFacts>,
    exclusions: &Exclusions,
    per_section: usize,
) -> Vec<Planned> {
    let mut shown: HashSet<i64> = HashSet::new();
    let mut sections = Vec::new();
    let cap = per_category(per_section);
    let category = |id: &i64| facts.get(id).map(|facts| facts.category);
    // What the shopper just did is theirs already: it shows under "Recently viewed", not as a suggestion.
    let own: HashSet<i64> = inputs
        .because
        .iter()
        .map(|(anchor, _, _)| *anchor)
        .collect();
    let allowed = |id: i64, shown: &HashSet<i64>| {
        !shown.contains(&id)
            && !own.contains(&id)
            && facts.get(&id).is_some_and(|f| exclusions.suggests(id, f))
    };
    let keep = |section: PlannedSection,
                cards: Vec<(i64, PlannedReason)>,
                shown: &mut HashSet<i64>,
                sections: &mut Vec<Planned>| {
        if cards.len() >= MIN_PER_SECTION {
            shown.extend(cards.iter().map(|(id, _)| *id));
            sections.push(Planned { section, cards });
        }
    };

    let drops = inputs
        .price_drops
        .iter()
        .filter(|(id, _)| {
            !shown.contains(id) && facts.get(id).is_some_and(|f| exclusions.allows(*id, f))
        })
        .take(per_section)
        .map(|(id, was)| (*id, PlannedReason::PriceDrop { was: was.clone() }))
        .collect();
    keep(PlannedSection::PriceDrops, drops, &mut shown, &mut sections);

    let mut because_sections = 0;
    for (anchor, action, candidates) in &inputs.because {
        if because_sections == BECAUSE_SECTIONS {
            break;
        }
        let mut unique = HashSet::new();
        let cards: Vec<_> = diversify(
            candidates
                .iter()
                .filter(|&&id| unique.insert(id) && allowed(id, &shown)),
            |id| category(id),
            per_section,
            cap,
        )
        .into_iter()
        .map(|&id| {
            (
                id,
                PlannedReason::Because {
                    anchor: *anchor,
                    action: *action,
                },
            )
        })
        .collect();
        let before = sections.len();
        keep(
            PlannedSection::Because {
                anchor: *anchor,
                action: *action,
            },
            cards,
            &mut shown,
            &mut sections,
        );
        because_sections += sections.len() - before;
    }

    let recommended = diversify(
        inputs
            .recommendations
            .iter()
            .filter(|pick| allowed(pick.product, &shown)),
        |pick| category(&pick.product),
        per_section,
        cap,
    )
    .into_iter()
    .map(|pick| {
        let action = inputs
            .actions
            .get(&pick.because)
            .copied()
            .unwrap_or(Activity::Viewed);
        (
            pick.product,
            PlannedReason::Because {
                anchor: pick.because,
                action,
            },
        )
    })
    .collect();
    keep(
        PlannedSection::RecommendedForYou,
        recommended,
        &mut shown,
        &mut sections,
    );

    if let Some((favourite, best)) = &inputs.favourite {
        let mut unique = HashSet::new();
        let cards = best
            .iter()
            .filter(|&&id| unique.insert(id) && allowed(id, &shown))
            .take(per_section)
            .map(|&id| {
                (
                    id,
                    PlannedReason::PopularIn {
                        category: *favourite,
                    },
                )
            })
            .collect();
        keep(
            PlannedSection::PopularIn {
                category: *favourite,
            },
            cards,
            &mut shown,
            &mut sections,
        );
    }

    let viewed = viewed_to_show(&inputs.recently_viewed, facts, exclusions, per_section)
        .into_iter()
        .map(|id| (id, PlannedReason::RecentlyViewed))
        .collect::<Vec<_>>();
    let personal = sections.len();
    if viewed.len() >= MIN_PER_SECTION {
        sections.push(Planned {
            section: PlannedSection::RecentlyViewed,
            cards: viewed,
        });
    }

    if personal < 2 {
        for (section, ranked, reason) in [
            (
                PlannedSection::BestSellers,
                &inputs.best_sellers,
                PlannedReason::BestSeller,
            ),
            (
                PlannedSection::TrendingNow,
                &inputs.trending,
                PlannedReason::Trending,
            ),
        ] {
            let cards = diversify(
                ranked.iter().filter(|&&id| allowed(id, &shown)),
                |id| category(id),
                per_section,
                cap,
            )
            .into_iter()
            .map(|&id| (id, reason.clone()))
            .collect();
            keep(section, cards, &mut shown, &mut sections);
        }
    }
    sections
}
