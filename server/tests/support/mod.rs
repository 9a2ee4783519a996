//! What the router tests share: a shop on each backend, requests to the merchant API, and a stocked catalogue.
// Each test file uses a part of this module; the rest would warn as unused there.
#![allow(dead_code)]

use app::identity::merchant::MerchantKeys;
use app::identity::token::StoreSecret;
use app::store::testing::{self, TestDb, count};
use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Request, StatusCode, header};
use leptos::prelude::LeptosOptions;
use serde_json::{Value, json};
use server::RouterOptions;
use server::state::AppState;
use std::time::Duration;
use tower::ServiceExt;

pub const KEY: &str = "test-merchant-key";
pub const SECRET: &str = "a-test-secret-that-is-long-enough-0123";

/// A day-long token the store signed for `shopper`, as its pages hand to the widgets.
pub fn token_of(shopper: &str) -> String {
    let a_day_on = app::kernel::time::now().as_seconds() + 86_400;
    app::identity::token::issue(
        &StoreSecret::new(SECRET).unwrap(),
        &app::identity::Viewer::Shopper(shopper.into()),
        a_day_on,
    )
}

/// A loopback port nothing listens on now, for a server process of a test.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Shop {
    pub store: TestDb,
    pub router: Router,
    /// Where the shop keeps review photos: a directory of its own, removed with the shop.
    pub photos: app::reviews::ssr::ReviewPhotos,
    _photo_dir: tempfile::TempDir,
}

/// The storefront's pages, found once for the whole test binary: finding them while another test renders a page
/// would leave that page waiting forever (see [`server::Pages`]).
pub fn pages() -> &'static server::Pages {
    static PAGES: std::sync::OnceLock<server::Pages> = std::sync::OnceLock::new();
    PAGES.get_or_init(server::Pages::of_app)
}

pub async fn shops() -> Vec<Shop> {
    shops_with(|_| {}).await
}

/// A shop on each backend, with its state changed by `configure` first (tighter limits, say).
pub async fn shops_with(configure: impl Fn(&mut AppState)) -> Vec<Shop> {
    let mut shops = Vec::new();
    for store in testing::all().await {
        let mut state = state_of(&store);
        let photo_dir = tempfile::tempdir().unwrap();
        state.photos = app::reviews::ssr::ReviewPhotos::new(
            app::store::files::Files::on_disk(photo_dir.path()),
            2,
        );
        configure(&mut state);
        shops.push(Shop {
            photos: state.photos.clone(),
            router: server::router(state, RouterOptions::default(), pages()).unwrap(),
            store,
            _photo_dir: photo_dir,
        });
    }
    shops
}

pub fn state_of(store: &TestDb) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder().output_name("rapport").build(),
        db: store.db.clone(),
        identity: app::identity::ssr::Identity {
            secret: StoreSecret::new(SECRET).unwrap(),
            merchant_keys: MerchantKeys::new(&[KEY.to_owned()]),
            throttles: Default::default(),
            demo: false,
        },
        public_url: app::kernel::context::PublicUrl("https://rapport.example".into()),
        reviews: app::reviews::ssr::Reviews {
            policy: Default::default(),
            then: std::sync::Arc::new(app::flows::tier_growth::TierGrowth),
            badges: std::sync::Arc::new(app::flows::tier_badges::TierBadges),
        },
        photos: app::reviews::ssr::ReviewPhotos::new(
            app::store::files::Files::on_disk(
                std::env::temp_dir().join(format!("rapport-test-photos-{}", rand::random::<u64>())),
            ),
            2,
        ),
        questions: app::questions::ssr::Questions {
            policy: Default::default(),
            purchases: std::sync::Arc::new(app::flows::verified_buyers::OrderedProducts),
            then: std::sync::Arc::new(app::flows::answer_notices::AnswerNotices),
        },
        shop_name: app::kernel::context::ShopName("Test Shop".into()),
        marketing: Default::default(),
        carts: app::carts::ssr::Carts {
            then: std::sync::Arc::new(app::flows::cart_price_drops::CartsLeft),
        },
        cart_drops: app::flows::cart_price_drops::CartDropPolicy {
            marketing: app::messages::ssr::MarketingRules {
                quiet_hours: None,
                ..Default::default()
            },
            ..Default::default()
        },
        wishlists: Default::default(),
        // A store that sends alert emails (the delivery tests deliver them to a real SMTP server).
        alerts: app::alerts::rules::AlertPolicy {
            email: true,
            ..Default::default()
        },
        feed: Default::default(),
        insights: app::insights::ssr::Insights::new(
            app::insights::ssr::InsightsPolicy {
                currency: "CNY".into(),
            },
            std::sync::Arc::new(app::flows::tier_values::TierValues),
            std::sync::Arc::new(app::flows::order_values::OrdersValued),
        ),
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let (status, _, body) = send_for_headers(router, request).await;
    (status, body)
}

/// [`send`], with the response's headers.
pub async fn send_for_headers(
    router: &Router,
    request: Request<Body>,
) -> (StatusCode, HeaderMap, Value) {
    // A request that never answers fails its test here rather than holding up the whole run.
    let response = tokio::time::timeout(Duration::from_secs(60), router.clone().oneshot(request))
        .await
        .expect("no answer within 60 s")
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
    )
}

/// A GET of a page or download, with `cookie` when given: its status, headers and body as text (a JSON body as its
/// text too).
pub async fn page(
    shop: &Shop,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let (status, headers, body) =
        send_for_headers(&shop.router, request.body(Body::empty()).unwrap()).await;
    let body = match body {
        Value::String(text) => text,
        other => other.to_string(),
    };
    (status, headers, body)
}

/// A merchant-API request with the right key and a JSON content type.
pub fn authorized(method: &str, path: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
}

pub fn json_request(method: &str, path: &str, body: &Value) -> Request<Body> {
    authorized(method, path)
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub fn teapot(sku: &str) -> Value {
    json!({"sku": sku, "category": "kitchen", "title": "Teapot", "price_minor": 12900, "currency": "CNY", "stock": 3})
}

pub async fn stock_the_shop(shop: &Shop) {
    let categories = json!({"categories": [{"slug": "kitchen", "name": "Kitchen", "translations": {"zh-CN": "厨房"}}]});
    assert_eq!(
        send(
            &shop.router,
            json_request("PUT", "/api/v1/categories", &categories)
        )
        .await
        .0,
        StatusCode::OK
    );
    let (status, body) = send(
        &shop.router,
        json_request(
            "PUT",
            "/api/v1/products",
            &json!({"products": [teapot("A"), teapot("B")]}),
        ),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"created": 2, "updated": 0}))
    );
    let shoppers = json!({"shoppers": [{"shopper_id": "alice", "display_name": "Alice", "email": "alice@example.com"}, {"shopper_id": "bob", "display_name": "Bob"}]});
    assert_eq!(
        send(
            &shop.router,
            json_request("PUT", "/api/v1/shoppers", &shoppers)
        )
        .await
        .0,
        StatusCode::OK
    );
}

/// Rows in every table a request could touch, to show that a rejected request changed nothing.
pub async fn footprint(shop: &Shop) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "categories",
        "products",
        "price_history",
        "stock_history",
        "shoppers",
        "orders",
        "order_lines",
        "refunds",
        "shopper_events",
        "cart_lines",
        "review_follow_ups",
    ] {
        counts.push(count(&shop.store.db, table).await);
    }
    counts
}

/// `GET /metrics` as a Prometheus on this machine sends it.
pub fn local_metrics_request() -> Request<Body> {
    let mut request = Request::get("/metrics").body(Body::empty()).unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(
        "127.0.0.1:50000".parse::<std::net::SocketAddr>().unwrap(),
    ));
    request
}
