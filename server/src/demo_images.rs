//! Product and category pictures for the demo data: drawn as SVG from the name, so the demo needs no image files
//! and no network.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

fn hash(text: &str) -> u64 {
    // FNV-1a: small and stable, so a product keeps its picture.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn escape(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

/// The SVG picture for `name`: a soft gradient and a few shapes whose colours and layout come from the name.
pub fn draw(name: &str, label: &str) -> String {
    let h = hash(name);
    let hue = h % 360;
    let accent = (hue + 40 + (h >> 9) % 80) % 360;
    let shape = (h >> 17) % 3;
    let (cx, cy, r) = (
        160 + (h >> 21) % 40,
        150 + (h >> 27) % 40,
        70 + (h >> 33) % 30,
    );
    let figure = match shape {
        0 => format!(r#"<circle cx="{cx}" cy="{cy}" r="{r}" fill="hsl({accent} 70% 55%)"/>"#),
        1 => format!(
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="28" fill="hsl({accent} 65% 55%)"/>"#,
            cx - r,
            cy - r,
            2 * r,
            2 * r
        ),
        _ => format!(
            r#"<path d="M{cx} {} L{} {} L{} {} Z" fill="hsl({accent} 70% 55%)"/>"#,
            cy - r,
            cx + r,
            cy + r,
            cx - r,
            cy + r
        ),
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 320" role="img"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue} 60% 92%)"/><stop offset="1" stop-color="hsl({hue} 55% 80%)"/></linearGradient></defs><rect width="320" height="320" fill="url(#g)"/>{figure}<circle cx="{}" cy="{}" r="26" fill="hsl({hue} 50% 40% / .35)"/><text x="160" y="296" font-family="system-ui,sans-serif" font-size="18" text-anchor="middle" fill="hsl({hue} 40% 25%)">{}</text></svg>"##,
        cx + r - 10,
        cy - r + 10,
        escape(label)
    )
}

/// `GET /demo-img/{sku}.svg` and `GET /demo-img/category/{slug}.svg`.
pub async fn image(Path(path): Path<String>) -> Response {
    let (name, label) = match path.strip_prefix("category/") {
        Some(slug) => (slug, ""),
        None => (path.as_str(), path.as_str()),
    };
    let Some(name) = name
        .strip_suffix(".svg")
        .filter(|n| !n.is_empty() && n.len() <= 64)
    else {
        return (StatusCode::NOT_FOUND, "no such image").into_response();
    };
    let label = label.strip_suffix(".svg").unwrap_or(label);
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        draw(name, label),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_name_draws_the_same_picture_and_labels_are_escaped() {
        assert_eq!(draw("KIT-0001", "KIT-0001"), draw("KIT-0001", "KIT-0001"));
        assert_ne!(draw("KIT-0001", ""), draw("KIT-0002", ""));
        assert!(!draw("x", "<script>").contains("<script>"));
    }
}
