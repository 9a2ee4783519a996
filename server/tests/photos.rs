//! Review photos through the whole router, on SQLite and PostgreSQL: a shopper uploads a photo and sends it with
//! their review, shoppers see it, a merchant takes it off; every bad file is refused with what is wrong, and leaves
//! neither a row nor a file behind.

mod support;

use app::reviews::{UploadReviewPhoto, WriteProductReview};
use app::store::testing::count;
use axum::body::{Body, HttpBody};
use http::{Request, StatusCode, header};
use leptos::server_fn::ServerFn;
use serde_json::{Value, json};
use std::io::Cursor;
use support::*;

const BOUNDARY: &str = "rapport-test-boundary";

/// The upload as a browser's `FormData` sends it: one `photo` field named `name`, claimed to be `claimed_type`.
fn upload(shopper: Option<&str>, name: &str, claimed_type: &str, bytes: &[u8]) -> Request<Body> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\nContent-Type: {claimed_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let mut request = Request::post(UploadReviewPhoto::PATH).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(shopper) = shopper {
        request = request.header(app::identity::TOKEN_HEADER, token_of(shopper));
    }
    request.body(Body::from(body)).unwrap()
}

/// A photo-like picture of `width` × `height`, encoded as `format`.
fn picture(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    pixels.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Every file kept in the shop's photo directory.
fn kept_files(shop: &Shop) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                walk(&entry.path(), found);
            } else {
                found.push(entry.path());
            }
        }
    }
    let mut found = Vec::new();
    walk(shop.photos.files.root(), &mut found);
    found
}

async fn get(shop: &Shop, path: &str) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let response = tower::ServiceExt::oneshot(
        shop.router.clone(),
        Request::get(path).body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 20 << 20)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

#[tokio::test]
async fn a_shopper_sends_a_photo_with_their_review_and_a_merchant_takes_it_off() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let (status, photo) = send(
            &shop.router,
            upload(
                Some("alice"),
                "teapot.jpg",
                "image/jpeg",
                &picture(2400, 1800, image::ImageFormat::Jpeg),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{photo}");
        assert_eq!(
            (photo["width"].as_u64(), photo["height"].as_u64()),
            (Some(1600), Some(1200))
        );
        let url = photo["url"].as_str().unwrap().to_owned();
        let (status, headers, bytes) = get(&shop, &url).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 1600);
        let (status, _, thumb) = get(&shop, photo["thumb_url"].as_str().unwrap()).await;
        assert_eq!(
            (status, image::load_from_memory(&thumb).unwrap().width()),
            (StatusCode::OK, 320)
        );

        let review = json!({"sku": "A", "review": {"rating": 4, "title": "Pours well", "body": "Ten characters at least.", "photos": [photo["id"]]}});
        let request = Request::post(WriteProductReview::PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .header(app::identity::TOKEN_HEADER, token_of("alice"))
            .body(Body::from(review.to_string()))
            .unwrap();
        let (status, written) = send(&shop.router, request).await;
        assert_eq!(status, StatusCode::OK, "{written}");
        assert_eq!(written["photos"][0]["url"], Value::String(url.clone()));

        let (_, queue) = send(
            &shop.router,
            authorized("GET", "/api/v1/reviews?queue=pending")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        let review_id = queue["reviews"][0]["review"]["id"].as_i64().unwrap();
        assert_eq!(
            queue["reviews"][0]["review"]["photos"][0]["id"],
            photo["id"]
        );
        let path = format!("/api/v1/reviews/{review_id}/photos/{}", photo["id"]);
        let (status, after) = send(
            &shop.router,
            authorized("DELETE", &path).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert_eq!(
            (after["photos"].as_array().map(Vec::len), &after["title"]),
            (Some(0), &json!("Pours well"))
        );
        assert_eq!(
            get(&shop, &url).await.0,
            StatusCode::NOT_FOUND,
            "the file went with its last photo"
        );
        assert!(kept_files(&shop).is_empty());
        let (status, again) = send(
            &shop.router,
            authorized("DELETE", &path).body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(
            (status, &again["field"]),
            (StatusCode::NOT_FOUND, &json!("photo_id"))
        );
    }
}

#[tokio::test]
async fn bad_files_are_refused_with_what_is_wrong_and_nothing_is_kept() {
    let jpeg = picture(800, 600, image::ImageFormat::Jpeg);
    // 50 megapixels of one grey: a small file that would take 150 MB to decode.
    let mut huge = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new_with_quality(
            &mut huge,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::NoFilter,
        ),
        &vec![128u8; 8000 * 6250],
        8000,
        6250,
        image::ExtendedColorType::L8,
    )
    .unwrap();
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "shell.jpg",
            "image/jpeg",
            b"<?php system($_GET['c']); ?>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "JPEG, PNG or WebP",
        ),
        (
            "huge.png",
            "image/png",
            huge,
            StatusCode::UNPROCESSABLE_ENTITY,
            "megapixels",
        ),
        (
            "empty.jpg",
            "image/jpeg",
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
        ),
        (
            "cut.jpg",
            "image/jpeg",
            jpeg[..jpeg.len() / 2].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cut short",
        ),
        (
            "big.jpg",
            "image/jpeg",
            vec![0xFF; 10 * 1024 * 1024 + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "10 MB",
        ),
    ];
    for shop in shops().await {
        stock_the_shop(&shop).await;
        for (name, claimed, bytes, expected, says) in &cases {
            let (status, error) =
                send(&shop.router, upload(Some("alice"), name, claimed, bytes)).await;
            assert_eq!(status, *expected, "{name}: {error}");
            assert!(
                error["message"].as_str().unwrap().contains(says),
                "{name}: {error}"
            );
            assert_eq!(error["field"], json!("photo"), "{name}");
            assert_eq!(count(&shop.store.db, "review_photos").await, 0, "{name}");
            assert!(kept_files(&shop).is_empty(), "{name}");
        }
        let (status, _) = send(&shop.router, upload(None, "a.jpg", "image/jpeg", &jpeg)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a guest without a token");
        let not_a_form = Request::post(UploadReviewPhoto::PATH)
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header(app::identity::TOKEN_HEADER, token_of("alice"))
            .body(Body::from(jpeg.clone()))
            .unwrap();
        let (status, error) = send(&shop.router, not_a_form).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{error}");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("multipart/form-data")
        );
        assert_eq!(count(&shop.store.db, "review_photos").await, 0);
        assert!(kept_files(&shop).is_empty());
        // Forms server_fn's own parser would choke on are refused before it sees them.
        for content_type in [
            "multipart/form-datax; boundary=a",
            "multipart/form-data; boundary=a; junk",
            "multipart/form-data; x=\"; boundary=a\"",
            "multipart/form-data",
        ] {
            let request = Request::post(UploadReviewPhoto::PATH)
                .header(header::CONTENT_TYPE, content_type)
                .header(app::identity::TOKEN_HEADER, token_of("alice"))
                .body(Body::from(jpeg.clone()))
                .unwrap();
            let (status, error) = send(&shop.router, request).await;
            assert_eq!(
                status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{content_type}: {error}"
            );
        }
        // A body past one photo and its form is cut off, whether its length is told at once or not.
        let flood = vec![b'x'; 12 * 1024 * 1024];
        for told in [true, false] {
            let mut request = upload(Some("alice"), "flood.jpg", "image/jpeg", &flood);
            if told {
                let length = request.body().size_hint().exact().unwrap();
                request
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, length.into());
            }
            let (status, error) = send(&shop.router, request).await;
            assert_eq!(
                status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "told {told}: {error}"
            );
            assert!(
                error["message"].as_str().unwrap().contains("10 MB"),
                "{error}"
            );
        }
        // A part that never ends its headers is cut off too, not read into memory to its end.
        let endless = Request::post(UploadReviewPhoto::PATH)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(app::identity::TOKEN_HEADER, token_of("alice"))
            .body(Body::from(
                [format!("--{BOUNDARY}\r\n").into_bytes(), flood.clone()].concat(),
            ))
            .unwrap();
        let (status, error) = send(&shop.router, endless).await;
        assert!(status.is_client_error(), "{status}: {error}");
        assert_eq!(count(&shop.store.db, "review_photos").await, 0);
        assert!(kept_files(&shop).is_empty());
        let (status, _, _) = get(&shop, "/photos/..%2F..%2Fetc%2Fpasswd").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
