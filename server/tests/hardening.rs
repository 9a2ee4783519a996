//! Hardening through the whole router, on SQLite and PostgreSQL: every shopper limit and every unparseable
//! argument answers its 4xx in the one error shape and changes nothing; text pushed through the API stays text in
//! every page; every response carries the security headers.

mod support;

use app::alerts::SubscribeAlert;
use app::identity::StartGuestSession;
use app::identity::merchant::MERCHANT_COOKIE;
use app::identity::merchant::MerchantSignIn;
use app::identity::token::{StoreSecret, issue_merchant};
use app::reviews::{ProductReviews, VoteOnReview, WriteProductReview, WriteReviewByLink};
use app::store::testing::count;
use app::tiers::SaveTierRules;
use app::wishlist::{ChangeWishlist, CreateWishlist};
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use leptos::server_fn::ServerFn;
use serde_json::{Value, json};
use support::*;
use tower::ServiceExt;

/// A widget's call of a server function for `shopper`, its arguments `body` of `content_type`.
fn call_as(path: &str, shopper: &str, content_type: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(app::identity::TOKEN_HEADER, token_of(shopper))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// Arguments as a form, as the widgets send most of them.
fn call(path: &str, shopper: &str, form: &str) -> Request<Body> {
    call_as(path, shopper, "application/x-www-form-urlencoded", form)
}

/// Arguments as JSON (the review form's).
fn call_json(path: &str, shopper: &str, body: &str) -> Request<Body> {
    call_as(path, shopper, "application/json", body)
}

fn review_of(sku: &str) -> String {
    json!({"sku": sku, "review": {"rating": 5, "title": "Pours well", "body": "Ten characters at least."}})
        .to_string()
}

/// Sends a call that must succeed, and returns its answer.
async fn succeeds(shop: &Shop, request: Request<Body>) -> Value {
    let (status, answer) = send(&shop.router, request).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// Asserts a 429 `rate_limited` whose `Retry-After` header and body agree, and returns the seconds to wait.
fn retry_after(status: StatusCode, headers: &HeaderMap, error: &Value) -> u64 {
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{error}"
    );
    let seconds: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(error["retry_after_seconds"], json!(seconds), "{error}");
    seconds
}

/// Rows every shopper action here could write.
async fn shopper_footprint(shop: &Shop) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["reviews", "helpful_votes", "wishlists", "wishlist_items"] {
        counts.push(count(&shop.store.db, table).await);
    }
    counts
}

#[tokio::test]
async fn every_shopper_limit_answers_429_or_409_and_changes_nothing() {
    let tight = |state: &mut server::state::AppState| {
        state.reviews.policy.reviews_per_day = 2;
        state.reviews.policy.votes_per_minute = 2;
        state.reviews.policy.auto_publish.require_verified = false;
        state.wishlists.max_items = 2;
        state.wishlists.max_lists = 2;
    };
    for shop in shops_with(tight).await {
        stock_the_shop(&shop).await;
        let (status, _) = send(
            &shop.router,
            json_request(
                "PUT",
                "/api/v1/products",
                &json!({"products": [teapot("C")]}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        // Bob's third review in a day.
        let mut review_ids = Vec::new();
        for sku in ["A", "B"] {
            let review = succeeds(
                &shop,
                call_json(WriteProductReview::PATH, "bob", &review_of(sku)),
            )
            .await;
            review_ids.push(review["id"].as_i64().unwrap());
        }
        let before = shopper_footprint(&shop).await;
        let (status, headers, error) = send_for_headers(
            &shop.router,
            call_json(WriteProductReview::PATH, "bob", &review_of("C")),
        )
        .await;
        let retry = retry_after(status, &headers, &error);
        assert!(
            (86_000..=86_400).contains(&retry),
            "a day's window: {retry}"
        );
        assert_eq!(shopper_footprint(&shop).await, before);

        // Alice's third vote in a minute.
        for id in &review_ids {
            let vote = format!("review_id={id}&helpful=true");
            succeeds(&shop, call(VoteOnReview::PATH, "alice", &vote)).await;
        }
        let before = shopper_footprint(&shop).await;
        let (status, headers, error) = send_for_headers(
            &shop.router,
            call(
                VoteOnReview::PATH,
                "alice",
                &format!("review_id={}&helpful=false", review_ids[0]),
            ),
        )
        .await;
        let retry = retry_after(status, &headers, &error);
        assert!((1..=60).contains(&retry), "a minute's window: {retry}");
        assert_eq!(shopper_footprint(&shop).await, before);

        // A third item in Alice's default list, and a third list.
        for sku in ["A", "B"] {
            let save = format!("sku={sku}&save=true");
            succeeds(&shop, call(ChangeWishlist::PATH, "alice", &save)).await;
        }
        succeeds(&shop, call(CreateWishlist::PATH, "alice", "name=Gifts")).await;
        let before = shopper_footprint(&shop).await;
        for (path, form) in [
            (ChangeWishlist::PATH, "sku=C&save=true"),
            (CreateWishlist::PATH, "name=More"),
        ] {
            let (status, headers, error) =
                send_for_headers(&shop.router, call(path, "alice", form)).await;
            assert_eq!(
                (status, error["code"].as_str()),
                (StatusCode::CONFLICT, Some("limit_reached")),
                "{path} {form}: {error}"
            );
            assert!(!headers.contains_key(header::RETRY_AFTER));
            assert!(error["message"].as_str().unwrap().contains("at most 2"));
        }
        assert_eq!(shopper_footprint(&shop).await, before);
    }
}

#[tokio::test]
async fn arguments_that_do_not_parse_answer_400_and_change_nothing() {
    let shop = shops().await.remove(0);
    stock_the_shop(&shop).await;
    succeeds(
        &shop,
        call_json(WriteProductReview::PATH, "bob", &review_of("A")),
    )
    .await;
    let before = shopper_footprint(&shop).await;
    let review = |rating: &str| {
        format!(
            r#"{{"sku": "B", "review": {{"rating": {rating}, "title": "T", "body": "Ten characters at least."}}}}"#
        )
    };
    let mut cases = vec![
        call(VoteOnReview::PATH, "alice", "review_id=abc&helpful=true"),
        call(VoteOnReview::PATH, "alice", "review_id=1&helpful=maybe"),
        call(
            VoteOnReview::PATH,
            "alice",
            "review_id=99999999999999999999&helpful=true",
        ),
        call(
            ProductReviews::PATH,
            "alice",
            "sku=A&sort=sideways&verified_only=false&shown=10",
        ),
        call(ChangeWishlist::PATH, "alice", "sku=A&save=perhaps"),
        call_json(WriteProductReview::PATH, "alice", "{not json"),
    ];
    for rating in ["\"abc\"", "2.5", "null", "9223372036854775808"] {
        cases.push(call_json(
            WriteProductReview::PATH,
            "alice",
            &review(rating),
        ));
    }
    for request in cases {
        let described = format!("{} {:?}", request.uri(), request.body());
        let (status, error) = send(&shop.router, request).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{described}: {error}"
        );
        assert!(error["message"].as_str().unwrap().len() > 10, "{error}");
    }
    // A number that parses but is no rating is the rule's to refuse, naming the field.
    let (status, error) = send(
        &shop.router,
        call_json(
            WriteProductReview::PATH,
            "alice",
            &review("9223372036854775807"),
        ),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rating")),
        "{error}"
    );
    // Arguments past what any call needs are refused unread, whether their length is told at once or not.
    let huge =
        json!({"sku": "B", "review": {"rating": 5, "title": "T", "body": "x".repeat(300 * 1024)}})
            .to_string();
    for told in [true, false] {
        let mut request = call_json(WriteProductReview::PATH, "alice", &huge);
        if told {
            request
                .headers_mut()
                .insert(header::CONTENT_LENGTH, huge.len().into());
        }
        let (status, error) = send(&shop.router, request).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")),
            "told {told}: {error}"
        );
    }
    assert_eq!(shopper_footprint(&shop).await, before);
}

#[tokio::test]
async fn a_form_sent_without_javascript_comes_back_to_its_page_which_says_what_was_wrong() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let key = |sql: &'static str| {
            let db = shop.store.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(db.reader())
                    .await
                    .unwrap()
            }
        };
        let alice = key("SELECT id FROM shoppers WHERE external_id = 'alice'").await;
        let a = key("SELECT id FROM products WHERE sku = 'A'").await;
        let link = app::identity::token::issue_review_link(
            &StoreSecret::new(SECRET).unwrap(),
            app::kernel::ids::ShopperKey(alice),
            app::kernel::ids::ProductKey(a),
            app::kernel::time::now().as_seconds() + 86_400,
        );
        let form_page = format!("http://127.0.0.1:3000/review/{link}?stars=4");
        // The browser posts the form as it is, and says it reads HTML; the text is too short to be a review.
        let request = Request::post(WriteReviewByLink::PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, &form_page)
            .body(Body::from(format!(
                "token={link}&rating=4&title=Fine&body=Short"
            )))
            .unwrap();
        let (status, headers, _) = send_for_headers(&shop.router, request).await;
        assert_eq!(status, StatusCode::FOUND);
        let location = headers[header::LOCATION].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(&format!("{form_page}&__path=")) && location.contains("&__err="),
            "{location}"
        );
        let path = location.trim_start_matches("http://127.0.0.1:3000");
        let (status, _, html) = page(&shop, path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("class=\"rapport-error\"") && html.contains("rapport-review-link__form"),
            "the form again, with why it was refused: {html}"
        );
        assert_eq!(count(&shop.store.db, "reviews").await, 0);
    }
}

/// The tier rules in force, as the merchant API gives them.
async fn tier_rules(shop: &Shop) -> Value {
    let request = authorized("GET", "/api/v1/tiers/rules")
        .body(Body::empty())
        .unwrap();
    succeeds(shop, request).await["rules"].clone()
}

/// Keeps `draft` of the tiers page for the merchant Mei, as a post of its form would, and returns its id.
async fn keep_draft(shop: &Shop, draft: &app::tiers::draft::RulesDraft) -> String {
    app::tiers::ssr::keep_draft(&shop.store.db, "Mei", draft, true, app::kernel::time::now())
        .await
        .unwrap()
}

/// Markup that would run if it were written into a page as HTML.
fn payload(n: u32) -> String {
    format!("</title></textarea><script>window.pwned={n}</script>")
}

/// Leptos's server rendering, run by two tests' runtimes at once, now and then stalls one of them (the server has
/// one runtime and never does; the end-to-end tests load these pages in a browser): the page tests take turns.
static RENDERING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn assert_inert(path: &str, html: &str) {
    assert!(
        !html.contains("<script>window.pwned"),
        "{path} writes a pushed text as markup"
    );
    assert!(
        html.contains("&lt;script&gt;window.pwned"),
        "{path} does not show the pushed text"
    );
}

#[tokio::test]
async fn titles_and_names_pushed_through_the_api_stay_text_in_every_page() {
    let _turn = RENDERING.lock().await;
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let category = json!({"categories": [{"slug": "evil", "name": payload(1)}]});
        let product = json!({"products": [{"sku": "EVIL-1", "category": "evil", "title": payload(2),
            "price_minor": 100, "currency": "CNY", "stock": 1}]});
        for (path, body) in [
            ("/api/v1/categories", category),
            ("/api/v1/products", product),
        ] {
            let (status, answer) = send(&shop.router, json_request("PUT", path, &body)).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
        }
        for path in ["/p/EVIL-1", "/c/evil"] {
            let (status, _, html) = page(&shop, path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_inert(path, &html);
            assert!(html.contains("<title>&lt;/title&gt;"), "{path}: the title");
        }

        // A tier named with markup, and markup in the previewed rules, on the merchant's tiers page.
        let mut rules = tier_rules(&shop).await;
        rules["tiers"][0]["names"]["en"] = json!(payload(3));
        let (status, saved) = send(
            &shop.router,
            json_request("PUT", "/api/v1/tiers/rules", &rules),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        let session = issue_merchant(
            &StoreSecret::new(SECRET).unwrap(),
            "Mei",
            app::kernel::time::now().as_seconds() + 3600,
        );
        let cookie = format!("{MERCHANT_COOKIE}={session}");
        // A draft with markup where a code and a number belong: previewing it names the number as wrong.
        let mut draft = app::tiers::draft::RulesDraft::from(&app::tiers::TierRules::default());
        draft.tiers[1].code = payload(4);
        draft.tiers[2].benefits[0].value = payload(5);
        let draft = keep_draft(&shop, &draft).await;
        for path in [
            "/merchant/tiers".to_owned(),
            format!("/merchant/tiers?draft={draft}"),
            format!("/merchant/tiers?draft={}", url_encoded(&payload(6))),
        ] {
            let (status, _, html) = page(&shop, &path, Some(&cookie)).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(
                html.contains("data-testid=\"tiers-form\""),
                "{path}: signed in"
            );
            assert_inert(&path, &html);
            if path.contains("draft=%3C") {
                assert!(
                    html.contains("this draft of the rules is gone"),
                    "a draft that is not there falls back to the rules in force"
                );
            } else if path.contains("draft=") {
                assert!(
                    html.contains("id=\"tiers-2-benefits-0-value-error\""),
                    "the number is named"
                );
            }
        }
    }
}

fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn pages_allow_only_their_own_scripts_and_merchant_pages_no_framing() {
    let _turn = RENDERING.lock().await;
    let shop = shops().await.remove(0);
    stock_the_shop(&shop).await;
    let (status, headers, html) = page(&shop, "/p/A", None).await;
    assert_eq!(status, StatusCode::OK);
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a script nonce");
    assert!(nonce.len() >= 16, "{policy}");
    assert!(policy.contains("script-src 'self' 'nonce-"), "{policy}");
    let scripts = policy
        .split(';')
        .find(|directive| directive.trim().starts_with("script-src"))
        .unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    // Every inline script Rapport writes carries the nonce; the JSON-LD data block runs nothing.
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        if tag.contains("src=") || tag.contains("application/ld+json") {
            continue;
        }
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
    let (_, again, _) = page(&shop, "/p/A", None).await;
    assert_ne!(
        again[header::CONTENT_SECURITY_POLICY],
        headers[header::CONTENT_SECURITY_POLICY],
        "a nonce is used once"
    );

    let (_, headers, _) = page(&shop, "/merchant/tiers", None).await;
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");

    // Pages rendered at the same time each name their own scripts' nonce, error pages included.
    let paths = ["/p/A", "/merchant/tiers", "/c/none-such", "/no-such-page"];
    let renders = (0..24).map(|n| page(&shop, paths[n % paths.len()], None));
    for (n, (_, headers, html)) in futures::future::join_all(renders)
        .await
        .into_iter()
        .enumerate()
    {
        let path = paths[n % paths.len()];
        let policy = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap_or_else(|| panic!("{path} has no policy"))
            .to_str()
            .unwrap();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: its scripts do not carry {nonce}"
        );
    }

    // Every response, pages, API errors and server functions alike, forbids content sniffing.
    for request in [
        Request::get("/p/A").body(Body::empty()).unwrap(),
        Request::get("/api/v1/products")
            .body(Body::empty())
            .unwrap(),
        call(VoteOnReview::PATH, "alice", "review_id=abc&helpful=true"),
        Request::get("/healthz").body(Body::empty()).unwrap(),
    ] {
        let described = request.uri().to_string();
        let (_, headers, _) = send_for_headers(&shop.router, request).await;
        assert_eq!(
            headers[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff",
            "{described}"
        );
        assert_eq!(
            headers[header::REFERRER_POLICY],
            "same-origin",
            "{described}"
        );
    }
}

#[tokio::test]
async fn a_page_of_another_site_cannot_act_with_the_merchants_session() {
    let shop = shops().await.remove(0);
    stock_the_shop(&shop).await;
    let draft = app::tiers::draft::RulesDraft::from(&app::tiers::TierRules::default());
    let form = format!("draft={}", keep_draft(&shop, &draft).await);
    let session = issue_merchant(
        &StoreSecret::new(SECRET).unwrap(),
        "Mei",
        app::kernel::time::now().as_seconds() + 3600,
    );
    let save = |site: &[(&str, &str)]| {
        let mut request = Request::post(SaveTierRules::PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "rapport.example")
            .header(header::COOKIE, format!("{MERCHANT_COOKIE}={session}"));
        for (name, value) in site {
            request = request.header(*name, *value);
        }
        request.body(Body::from(form.clone())).unwrap()
    };
    for cross_site in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "https://evil.example")],
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", "https://shop.rapport.example"),
        ],
    ] {
        let (status, error) = send(&shop.router, save(&cross_site)).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{cross_site:?}: {error}"
        );
        assert_eq!(count(&shop.store.db, "tier_rules").await, 0);
    }
    // The same request from the merchant's own page goes through.
    let response = shop
        .router
        .clone()
        .oneshot(save(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://rapport.example"),
        ]))
        .await
        .unwrap();
    assert!(response.status().is_success() || response.status().is_redirection());
    assert_eq!(count(&shop.store.db, "tier_rules").await, 1);
}

#[tokio::test]
async fn guessing_keys_and_flooding_sign_ups_are_slowed_down() {
    let shop = shops().await.remove(0);
    stock_the_shop(&shop).await;
    let with_key = |key: &str| {
        Request::get("/api/v1/tiers")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .body(Body::empty())
            .unwrap()
    };
    for guess in 0..10 {
        let (status, _) = send(&shop.router, with_key(&format!("guess-{guess}"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The eleventh try is refused even with the right key, so guessing costs time whatever it finds.
    let (status, headers, error) = send_for_headers(&shop.router, with_key(KEY)).await;
    retry_after(status, &headers, &error);
    // The merchant pages' sign-in counts the same guesses.
    let sign_in = Request::post(MerchantSignIn::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "name=Mei&key={KEY}&next=/merchant/tiers"
        )))
        .unwrap();
    let (status, error) = send(&shop.router, sign_in).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{error}");
    let (_, metrics) = send(&shop.router, local_metrics_request()).await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("rapport_throttled_requests_total{method=\"GET\",route=\"/api/v1/tiers\"} 1"),
        "{metrics}"
    );

    // Guest sessions: generous, but not endless.
    let start_guest = || {
        Request::post(StartGuestSession::PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::empty())
            .unwrap()
    };
    let mut guest = String::new();
    for _ in 0..300 {
        let issued = succeeds(&shop, start_guest()).await;
        guest = issued["token"].as_str().unwrap().to_owned();
    }
    let (status, headers, error) = send_for_headers(&shop.router, start_guest()).await;
    retry_after(status, &headers, &error);

    // A guest's alert sign-ups, each sending a confirmation email: five an hour from one client.
    let sign_up = |address: &str| {
        let body = json!({"sku": "A", "kind": "price_drop", "rule": {"rule": "any_drop"},
            "email": address, "locale": "en"});
        Request::post(SubscribeAlert::PATH)
            .header(header::CONTENT_TYPE, "application/json")
            .header(app::identity::TOKEN_HEADER, guest.as_str())
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    for n in 0..5 {
        succeeds(&shop, sign_up(&format!("guest{n}@example.com"))).await;
    }
    let alerts = count(&shop.store.db, "alerts").await;
    let (status, headers, error) =
        send_for_headers(&shop.router, sign_up("guest5@example.com")).await;
    retry_after(status, &headers, &error);
    assert_eq!(count(&shop.store.db, "alerts").await, alerts);
}

#[tokio::test]
async fn behind_a_trusted_proxy_guesses_count_against_the_client_not_the_proxy() {
    let store = app::store::testing::sqlite().await;
    let behind = |trusted: &[&str]| {
        let options = server::RouterOptions {
            trusted_proxies: trusted
                .iter()
                .map(|network| network.parse().unwrap())
                .collect(),
            ..Default::default()
        };
        server::router(support::state_of(&store), options, support::pages()).unwrap()
    };
    // Through the store's load balancer at 10.0.0.2, which appends the address it was reached from.
    let through_proxy = |client: &str, key: &str| {
        let mut request = Request::get("/api/v1/tiers")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header("x-forwarded-for", format!("198.51.100.77, {client}"))
            .body(Body::empty())
            .unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(
            "10.0.0.2:40000".parse::<std::net::SocketAddr>().unwrap(),
        ));
        request
    };
    for (router, other_client_gets) in [
        (behind(&["10.0.0.0/8"]), StatusCode::OK),
        // Untrusted, the proxy is the only client there is: everyone behind it waits.
        (behind(&[]), StatusCode::TOO_MANY_REQUESTS),
    ] {
        for guess in 0..10 {
            let (status, _) = send(
                &router,
                through_proxy("203.0.113.9", &format!("x{guess}-guess")),
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let (status, _) = send(&router, through_proxy("203.0.113.9", KEY)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        let (status, body) = send(&router, through_proxy("203.0.113.10", KEY)).await;
        assert_eq!(status, other_client_gets, "{body}");
    }
}

#[tokio::test]
async fn metrics_answer_this_machine_or_the_holder_of_the_token() {
    let store = app::store::testing::sqlite().await;
    let with_token = |token: Option<&str>| {
        let options = server::RouterOptions {
            metrics_access: server::metrics::MetricsAccess {
                token: token.map(str::to_owned),
            },
            ..Default::default()
        };
        server::router(support::state_of(&store), options, support::pages()).unwrap()
    };
    let from = |peer: &str, bearer: Option<&str>| {
        let mut request = Request::get("/metrics");
        if let Some(bearer) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {bearer}"));
        }
        let mut request = request.body(Body::empty()).unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(
            format!("{peer}:40000")
                .parse::<std::net::SocketAddr>()
                .unwrap(),
        ));
        request
    };
    let open = with_token(None);
    assert_eq!(send(&open, from("127.0.0.1", None)).await.0, StatusCode::OK);
    // Through a proxy on this machine, the connection is local but the client is not.
    let mut proxied = from("127.0.0.1", None);
    proxied
        .headers_mut()
        .insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    assert_eq!(send(&open, proxied).await.0, StatusCode::FORBIDDEN);
    let (status, error) = send(&open, from("203.0.113.9", None)).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let guarded = with_token(Some("scrape-secret-123"));
    for (peer, bearer) in [
        ("203.0.113.9", None),
        ("127.0.0.1", Some("scrape-secret-12")),
        ("203.0.113.9", Some("wrong")),
    ] {
        let (status, error) = send(&guarded, from(peer, bearer)).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
    }
    let (status, body) = send(&guarded, from("203.0.113.9", Some("scrape-secret-123"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.as_str()
            .unwrap()
            .contains("rapport_http_requests_total")
    );
}
