//! The reviews' pure rules: ranking by confidence, the auto-publish rule, validation of what a shopper writes, and
//! the tally of a product's published ratings.

use crate::kernel::error::{AppError, Translation};
use crate::kernel::validate::{TextRule, text};
use std::collections::BTreeMap;

/// z for a two-sided 95% confidence interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// The lower bound of the Wilson score interval (95%) for the share of helpful votes.
///
/// It asks "how helpful is this review at least, given how few votes we have seen?", so that 3 helpful votes of 3
/// (0.44) do not outrank 95 of 100 (0.89). A review without votes scores 0.
pub fn wilson_lower_bound(helpful: u64, not_helpful: u64) -> f64 {
    // With no helpful votes the bound is exactly 0; computing it would leave a rounding crumb above 0.
    if helpful == 0 {
        return 0.0;
    }
    let n = (helpful + not_helpful) as f64;
    let p = helpful as f64 / n;
    let z2 = Z_95 * Z_95;
    let centre = p + z2 / (2.0 * n);
    let margin = Z_95 * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt();
    ((centre - margin) / (1.0 + z2 / n)).max(0.0)
}

/// The "most helpful" ranking score: the Wilson lower bound, multiplied by `verified_weight` for a review of a
/// verified purchase (1.0 gives verified reviews no advantage).
pub fn helpfulness_score(
    helpful: u64,
    not_helpful: u64,
    verified: bool,
    verified_weight: f64,
) -> f64 {
    let score = wilson_lower_bound(helpful, not_helpful);
    if verified {
        score * verified_weight
    } else {
        score
    }
}

/// When a new or edited review goes live without a merchant looking at it first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoPublish {
    /// Publish at once only reviews of a verified purchase.
    pub require_verified: bool,
    /// Publish at once only reviews rated at least this many stars.
    pub min_rating: u8,
}

impl Default for AutoPublish {
    /// Verified purchases rated 3 stars or more go live at once; the rest wait for moderation.
    fn default() -> Self {
        Self {
            require_verified: true,
            min_rating: 3,
        }
    }
}

impl AutoPublish {
    pub fn publishes(&self, verified: bool, rating: u8) -> bool {
        (verified || !self.require_verified) && rating >= self.min_rating
    }
}

/// The criteria a category asks its reviews to rate, from its stored column: absent means the default set, empty
/// means none.
pub fn category_criteria(column: Option<&str>) -> Vec<String> {
    match column {
        None => super::DEFAULT_CRITERIA.map(str::to_owned).to_vec(),
        Some("") => Vec::new(),
        Some(names) => names.split(',').map(str::to_owned).collect(),
    }
}

/// Points a published review of a verified purchase earns its author, towards their member tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPoints {
    pub per_review: i64,
    /// The most points reviews can earn one shopper in a calendar month (UTC).
    pub monthly_cap: i64,
}

impl Default for ReviewPoints {
    fn default() -> Self {
        Self {
            per_review: 10,
            monthly_cap: 50,
        }
    }
}

impl ReviewPoints {
    /// The points a review earns when its author already earned `this_month` points this month: the full
    /// amount up to the cap, what is left below it, or nothing.
    pub fn award(&self, this_month: i64) -> i64 {
        self.per_review.min(self.monthly_cap - this_month).max(0)
    }
}

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_BODY_CHARS: usize = 5_000;
pub const MIN_BODY_CHARS: usize = 10;

/// The SKUs a star-badge request asks for, each once and in the order asked: at least one, at most
/// [`super::MAX_STAR_RATINGS`], each a valid key.
///
/// ```
/// use app::reviews::rules::star_rating_request;
/// let asked = star_rating_request(vec!["KIT-1".into(), " TEA-2 ".into(), "KIT-1".into()]).unwrap();
/// assert_eq!(asked, ["KIT-1", "TEA-2"]);
/// assert!(star_rating_request(Vec::new()).is_err());
/// ```
pub fn star_rating_request(skus: Vec<String>) -> Result<Vec<String>, AppError> {
    if skus.is_empty() {
        return Err(AppError::invalid("skus", "ask for at least one product"));
    }
    if skus.len() > super::MAX_STAR_RATINGS {
        return Err(AppError::invalid(
            "skus",
            format!(
                "ask for at most {} products at once",
                super::MAX_STAR_RATINGS
            ),
        ));
    }
    let mut asked: Vec<String> = Vec::with_capacity(skus.len());
    for (index, sku) in skus.into_iter().enumerate() {
        let sku = sku.trim().to_owned();
        crate::kernel::validate::key(&format!("skus[{index}]"), &sku)?;
        if !asked.contains(&sku) {
            asked.push(sku);
        }
    }
    Ok(asked)
}

/// A star rating, 1 to 5.
pub fn validate_rating(field: &str, rating: i64) -> Result<u8, AppError> {
    match u8::try_from(rating) {
        Ok(stars @ 1..=5) => Ok(stars),
        _ => Err(AppError::invalid(
            field,
            Translation::of("error.rule.stars"),
        )),
    }
}

/// Title and body: the shared text rule (a single-line title, a body of paragraphs), and a body long enough to
/// say something.
pub fn validate_text(title: &str, body: &str) -> Result<(), AppError> {
    text("title", title, TextRule::line(MAX_TITLE_CHARS))?;
    if body.trim().chars().count() < MIN_BODY_CHARS {
        return Err(AppError::invalid(
            "body",
            Translation::with(
                "error.rule.too_short",
                &[("min", MIN_BODY_CHARS.to_string())],
            ),
        ));
    }
    text("body", body, TextRule::paragraphs(MAX_BODY_CHARS))
}

/// The longest reason a merchant gives for rejecting a review, or a shopper for reporting one.
pub const MAX_REASON_CHARS: usize = 500;

/// A rejection's or report's reason: the shared text rule, paragraphs allowed.
pub fn validate_reason(reason: &str) -> Result<(), AppError> {
    text("reason", reason, TextRule::paragraphs(MAX_REASON_CHARS))
}

/// The longest reply a shop gives to a review.
pub const MAX_REPLY_CHARS: usize = 2000;

/// The shop's public reply to a review: the shared text rule, paragraphs allowed, never blank (taking a reply down
/// is its own request).
pub fn validate_reply(body: &str) -> Result<(), AppError> {
    text("body", body, TextRule::paragraphs(MAX_REPLY_CHARS))
}

/// What one published review counts for in its product's tally: its stars (1 to 5) and its criteria's stars.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    pub rating: i64,
    pub criteria: Vec<(String, i64)>,
}

/// A product's published reviews summed up, which its rating summary shows: kept per product and changed by each
/// review that enters or leaves the published ones, or changes its stars while published, so that reading it
/// never counts the reviews again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingTally {
    /// Reviews with 5, 4, 3, 2 and 1 stars, in that order.
    pub histogram: [i64; 5],
    /// Per criterion: the sum of its stars and how many reviews rated it.
    pub criteria: BTreeMap<String, (i64, i64)>,
}

impl RatingTally {
    pub fn add(&mut self, review: &Counted) {
        self.change(review, 1);
    }

    pub fn remove(&mut self, review: &Counted) {
        self.change(review, -1);
    }

    fn change(&mut self, review: &Counted, by: i64) {
        // Ratings are 1 to 5 by the schema's CHECK; clamping keeps a tally's index in range regardless.
        self.histogram[(5 - review.rating.clamp(1, 5)) as usize] += by;
        for (criterion, stars) in &review.criteria {
            let (total, ratings) = self.criteria.entry(criterion.clone()).or_default();
            *total += by * stars;
            *ratings += by;
            if *ratings == 0 {
                self.criteria.remove(criterion);
            }
        }
    }

    pub fn count(&self) -> i64 {
        self.histogram.iter().sum()
    }

    /// Average stars, rounded to one decimal; `None` without reviews.
    pub fn average(&self) -> Option<f64> {
        let count = self.count();
        let stars: i64 = self
            .histogram
            .iter()
            .zip([5, 4, 3, 2, 1])
            .map(|(n, s)| n * s)
            .sum();
        (count > 0).then(|| round_tenth(stars as f64 / count as f64))
    }

    /// Average stars per criterion, rounded to one decimal.
    pub fn criteria_averages(&self) -> BTreeMap<String, f64> {
        self.criteria
            .iter()
            .filter(|(_, (_, ratings))| *ratings > 0)
            .map(|(criterion, (total, ratings))| {
                (
                    criterion.clone(),
                    round_tenth(*total as f64 / *ratings as f64),
                )
            })
            .collect()
    }
}

fn round_tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// A photo's thumbnail size from its display size: the longest edge [`super::THUMB_EDGE`], never enlarged, at
/// least a pixel each way. The page sets it on the thumbnail so that nothing moves when the image arrives.
pub fn thumb_size(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height).max(1);
    if longest <= super::THUMB_EDGE {
        return (width.max(1), height.max(1));
    }
    let scale = |edge: u32| {
        ((u64::from(edge) * u64::from(super::THUMB_EDGE) + u64::from(longest) / 2)
            / u64::from(longest)) as u32
    };
    (scale(width).max(1), scale(height).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_follows_reviews_in_and_out_of_the_published_ones() {
        let fit = |stars| Counted {
            rating: stars,
            criteria: vec![("fit".into(), stars), ("quality".into(), 5)],
        };
        let mut tally = RatingTally::default();
        assert_eq!((tally.count(), tally.average()), (0, None));
        tally.add(&fit(4));
        tally.add(&fit(5));
        tally.add(&Counted {
            rating: 1,
            criteria: vec![],
        });
        assert_eq!(tally.histogram, [1, 1, 0, 0, 1]);
        assert_eq!(tally.average(), Some(3.3));
        assert_eq!(
            tally.criteria_averages(),
            BTreeMap::from([("fit".into(), 4.5), ("quality".into(), 5.0)])
        );
        // An edit while published: the old stars leave, the new ones come.
        tally.remove(&fit(4));
        tally.add(&fit(2));
        assert_eq!(tally.histogram, [1, 0, 0, 1, 1]);
        assert_eq!(tally.criteria["fit"], (7, 2));
        // Every review leaves again: nothing is left, not even a criterion rated by nobody.
        tally.remove(&fit(2));
        tally.remove(&fit(5));
        tally.remove(&Counted {
            rating: 1,
            criteria: vec![],
        });
        assert_eq!(tally, RatingTally::default());
    }

    #[test]
    fn review_points_stop_at_the_monthly_cap() {
        let rule = ReviewPoints {
            per_review: 10,
            monthly_cap: 25,
        };
        assert_eq!(rule.award(0), 10);
        assert_eq!(rule.award(10), 10);
        assert_eq!(rule.award(20), 5);
        assert_eq!(rule.award(25), 0);
        assert_eq!(
            rule.award(40),
            0,
            "a cap lowered later never gives negative points"
        );
    }

    #[test]
    fn a_category_without_criteria_gets_the_default_set() {
        assert_eq!(category_criteria(None), ["quality", "value", "delivery"]);
        assert!(category_criteria(Some("")).is_empty());
        assert_eq!(
            category_criteria(Some("taste,freshness")),
            ["taste", "freshness"]
        );
    }

    #[test]
    fn every_criterion_has_a_name_in_every_language() {
        for locale in ["en", "zh-CN"] {
            for criterion in crate::catalog::CRITERIA_VOCABULARY {
                let key = format!("reviews.criterion.{criterion}");
                assert_ne!(crate::i18n::translate(locale, &key), key, "{locale}: {key}");
            }
        }
    }

    #[test]
    fn few_perfect_votes_do_not_outrank_many_good_ones() {
        let three_of_three = wilson_lower_bound(3, 0);
        let ninety_five_of_hundred = wilson_lower_bound(95, 5);
        assert!((three_of_three - 0.4385).abs() < 1e-3, "{three_of_three}");
        assert!(
            (ninety_five_of_hundred - 0.8883).abs() < 1e-3,
            "{ninety_five_of_hundred}"
        );
        assert!(ninety_five_of_hundred > three_of_three);
    }

    #[test]
    fn the_bound_stays_within_zero_and_one_and_grows_with_evidence() {
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        assert_eq!(wilson_lower_bound(0, 50), 0.0);
        assert!(wilson_lower_bound(1_000_000, 0) < 1.0);
        assert!(wilson_lower_bound(10, 0) < wilson_lower_bound(100, 0));
        assert!(wilson_lower_bound(50, 50) < 0.5);
    }

    #[test]
    fn verified_purchases_can_weigh_more() {
        assert_eq!(
            helpfulness_score(9, 1, true, 1.0),
            helpfulness_score(9, 1, false, 1.0)
        );
        assert!(helpfulness_score(9, 1, true, 1.2) > helpfulness_score(9, 1, false, 1.2));
    }

    #[test]
    fn the_default_auto_publish_rule() {
        let rule = AutoPublish::default();
        assert!(rule.publishes(true, 3));
        assert!(!rule.publishes(true, 2));
        assert!(!rule.publishes(false, 5));
        assert!(
            AutoPublish {
                require_verified: false,
                min_rating: 1
            }
            .publishes(false, 1)
        );
    }

    #[test]
    fn ratings_and_texts_are_checked() {
        assert_eq!(validate_rating("rating", 5), Ok(5));
        for bad in [0, 6, -1, 256] {
            assert_eq!(
                validate_rating("rating", bad).unwrap_err().field.as_deref(),
                Some("rating")
            );
        }
        assert!(validate_text("Great pot", "Pours well, keeps tea hot.").is_ok());
        assert_eq!(
            validate_text("", "Pours well, keeps tea hot.")
                .unwrap_err()
                .field
                .as_deref(),
            Some("title")
        );
        assert_eq!(
            validate_text("Ok", "short").unwrap_err().field.as_deref(),
            Some("body")
        );
        assert!(validate_text("Ok", &"x".repeat(MAX_BODY_CHARS + 1)).is_err());
        assert!(
            validate_text(
                "Zero\u{200b}width \u{202e}rtl 🫖",
                "Emoji 🫖 and 𠜎 four-byte characters are fine."
            )
            .is_ok()
        );
    }

    #[test]
    fn a_thumbnail_keeps_the_photo_shape_within_its_edge() {
        assert_eq!(thumb_size(1600, 1200), (320, 240));
        assert_eq!(thumb_size(900, 1600), (180, 320));
        assert_eq!(thumb_size(200, 100), (200, 100));
        assert_eq!(thumb_size(1600, 3), (320, 1));
        assert_eq!(thumb_size(0, 0), (1, 1));
    }
}
