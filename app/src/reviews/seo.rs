//! schema.org `Product` markup with `AggregateRating` and the first page of `Review`s, as JSON-LD, so that search
//! engines can show a product's stars.

use super::{Review, ReviewSummary};
use serde_json::{Value, json};

/// The JSON-LD text for a `<script type="application/ld+json">`, or `None` without ratings.
///
/// `<`, `>` and `&` are written as JSON `\u` escapes, so nothing a shopper wrote can close the script element.
pub fn product_json_ld(
    name: &str,
    sku: &str,
    summary: &ReviewSummary,
    reviews: &[Review],
) -> Option<String> {
    let average = summary.average?;
    let reviews: Vec<Value> = reviews
        .iter()
        .map(|review| {
            json!({
                "@type": "Review",
                "name": review.title,
                "reviewBody": review.body,
                "author": { "@type": "Person", "name": review.author },
                "datePublished": crate::kernel::time::iso_date(review.created_at),
                "reviewRating": { "@type": "Rating", "ratingValue": review.rating, "bestRating": 5, "worstRating": 1 },
            })
        })
        .collect();
    let document = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": name,
        "sku": sku,
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": average,
            "reviewCount": summary.count,
            "bestRating": 5,
            "worstRating": 1,
        },
        "review": reviews,
    });
    Some(
        document
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::time::Millis;
    use crate::reviews::ReviewStatus;
    use std::collections::BTreeMap;

    fn summary(average: Option<f64>) -> ReviewSummary {
        ReviewSummary {
            count: 2,
            average,
            histogram: [1, 1, 0, 0, 0],
            criteria: BTreeMap::new(),
            criteria_asked: Vec::new(),
        }
    }

    fn review(body: &str) -> Review {
        Review {
            id: 1,
            rating: 5,
            title: "Great".into(),
            body: body.into(),
            author: "Wei".into(),
            created_at: Millis::ZERO,
            verified: true,
            edited: false,
            status: ReviewStatus::Published,
            rejection_reason: None,
            helpful: 0,
            not_helpful: 0,
            criteria: BTreeMap::new(),
            author_tier: None,
            reply: None,
            photos: Vec::new(),
        }
    }

    #[test]
    fn describes_the_rating_and_the_reviews() {
        let text =
            product_json_ld("Teapot", "KIT-1", &summary(Some(4.5)), &[review("Lovely")]).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["aggregateRating"]["ratingValue"], json!(4.5));
        assert_eq!(value["aggregateRating"]["reviewCount"], json!(2));
        assert_eq!(value["review"][0]["reviewRating"]["ratingValue"], json!(5));
        assert_eq!(value["review"][0]["datePublished"], json!("1970-01-01"));
        assert!(product_json_ld("Teapot", "KIT-1", &summary(None), &[]).is_none());
    }

    #[test]
    fn shopper_text_cannot_close_the_script_element() {
        let body = "</script><script>alert(1)</script> & <!--";
        let text =
            product_json_ld("Teapot", "KIT-1", &summary(Some(5.0)), &[review(body)]).unwrap();
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["review"][0]["reviewBody"], json!(body));
    }
}
