//! The merchant API and the shopper identity check, through the whole router, on SQLite and PostgreSQL.

mod support;

use app::flows::tier_growth::TierGrowth;
use app::identity::token::{StoreSecret, issue};
use app::identity::{HASHED_GUEST_SESSION_PATH, MyAccount, StartGuestSession, Viewer};
use app::kernel::time::Millis;
use app::orders::MyOrders;
use app::store::testing::{self, count};
use axum::body::Body;
use http::{Request, StatusCode, header};
use leptos::server_fn::ServerFn;
use serde_json::{Value, json};
use server::RouterOptions;
use sha2::Digest;
use support::*;
use tower::ServiceExt;

#[tokio::test]
async fn a_missing_or_wrong_api_key_is_refused_and_changes_nothing() {
    for shop in shops().await {
        let body = json!({"categories": [{"slug": "kitchen", "name": "Kitchen"}]}).to_string();
        let no_key = Request::put("/api/v1/categories")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .unwrap();
        let (status, error) = send(&shop.router, no_key).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
        let wrong_key = Request::put("/api/v1/categories")
            .header(header::AUTHORIZATION, "Bearer not-the-key")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(
            send(&shop.router, wrong_key).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(count(&shop.store.db, "categories").await, 0);
    }
}

#[tokio::test]
async fn each_kind_of_bad_input_gets_a_field_level_4xx_and_changes_nothing() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let before = footprint(&shop).await;
        let mut no_sku = teapot("C");
        no_sku.as_object_mut().unwrap().remove("sku");
        let mut negative = teapot("C");
        negative["price_minor"] = json!(-1);
        let mut unknown_currency = teapot("C");
        unknown_currency["currency"] = json!("XQQ");
        let mut misspelt = teapot("C");
        misspelt["prise_minor"] = json!(1);
        // method, path, body, then the status, code and field the answer must have
        type Case = (
            &'static str,
            &'static str,
            Value,
            StatusCode,
            &'static str,
            Option<&'static str>,
        );
        let cases: Vec<Case> = vec![
            (
                "PUT",
                "/api/v1/products",
                json!({"products": [teapot("C"), no_sku]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("products[1].sku"),
            ),
            (
                "PUT",
                "/api/v1/products",
                json!({"products": [teapot("C"), negative]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("products[1].price_minor"),
            ),
            (
                "PUT",
                "/api/v1/products",
                json!({"products": [unknown_currency]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("products[0].currency"),
            ),
            (
                "PUT",
                "/api/v1/products",
                json!({"products": [misspelt]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("products[0].prise_minor"),
            ),
            (
                "PUT",
                "/api/v1/products",
                json!({"products": [teapot("C"), teapot("C")]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("products[1]"),
            ),
            (
                "PUT",
                "/api/v1/products",
                json!({"products": []}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("products"),
            ),
            (
                "POST",
                "/api/v1/prices",
                json!({"prices": [{"sku": "A", "price_minor": 1, "currency": "CNY"}, {"sku": "ZZZ", "price_minor": 1, "currency": "CNY"}]}),
                StatusCode::NOT_FOUND,
                "not_found",
                Some("prices[1].sku"),
            ),
            (
                "POST",
                "/api/v1/stock",
                json!({"stock": [{"sku": "A", "stock": -5}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("stock[0].stock"),
            ),
            (
                "POST",
                "/api/v1/events",
                json!({"events": [{"shopper_id": "alice", "sku": "A", "kind": "teleported"}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("events[0].kind"),
            ),
            (
                "POST",
                "/api/v1/events",
                json!({"events": [{"shopper_id": "nobody", "sku": "A", "kind": "viewed"}]}),
                StatusCode::NOT_FOUND,
                "not_found",
                Some("events[0].shopper_id"),
            ),
            (
                "PUT",
                "/api/v1/shoppers",
                json!({"shoppers": [{"shopper_id": "x y", "display_name": "X"}]}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some("shoppers[0].shopper_id"),
            ),
        ];
        for (method, path, body, status, code, field) in cases {
            let (got_status, error) = send(&shop.router, json_request(method, path, &body)).await;
            assert_eq!(
                (got_status, error["code"].as_str(), error["field"].as_str()),
                (status, Some(code), field),
                "{method} {path} {body}: {error}"
            );
            assert!(
                !error["message"].as_str().unwrap_or_default().is_empty(),
                "{error}"
            );
        }

        let malformed = authorized("PUT", "/api/v1/products")
            .body(Body::from("{\"products\": ["))
            .unwrap();
        let (status, error) = send(&shop.router, malformed).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("malformed"))
        );

        let not_json = Request::put("/api/v1/products")
            .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
            .body(Body::from("sku=A"))
            .unwrap();
        assert_eq!(
            send(&shop.router, not_json).await.0,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );

        let huge = json!({"products": [{"sku": "BIG", "category": "kitchen", "title": "x".repeat(3 << 20), "price_minor": 1, "currency": "CNY", "stock": 1}]});
        let (status, error) =
            send(&shop.router, json_request("PUT", "/api/v1/products", &huge)).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
        );

        let too_many: Vec<Value> = (0..1001).map(|i| teapot(&format!("M{i}"))).collect();
        let (status, error) = send(
            &shop.router,
            json_request("PUT", "/api/v1/products", &json!({"products": too_many})),
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("products"))
        );

        let (status, error) = send(
            &shop.router,
            json_request("POST", "/api/v1/nothing-here", &json!({})),
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );

        // A path id that is no number, and a method the endpoint does not take: the same JSON shape.
        let (status, error) = send(
            &shop.router,
            json_request("POST", "/api/v1/reviews/abc/approve", &json!({})),
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str(), error["field"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("bad_request"),
                Some("review_id")
            ),
            "{error}"
        );
        let (status, error) = send(
            &shop.router,
            json_request("DELETE", "/api/v1/products", &json!({})),
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")),
            "{error}"
        );

        assert_eq!(footprint(&shop).await, before);
    }
}

#[tokio::test]
async fn a_retried_order_is_recorded_once_and_refunds_need_their_own_key() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let order = json!({"order_id": "O-1", "shopper_id": "alice", "currency": "CNY", "shipping_minor": 500,
            "lines": [{"sku": "A", "quantity": 2, "unit_price_minor": 12900}]});
        let with_key = |key: &str, path: &str, body: &Value| {
            authorized("POST", path)
                .header("idempotency-key", key)
                .body(Body::from(body.to_string()))
                .unwrap()
        };

        let (status, error) =
            send(&shop.router, json_request("POST", "/api/v1/orders", &order)).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key"))
        );

        let (status, first) = send(&shop.router, with_key("k-1", "/api/v1/orders", &order)).await;
        assert_eq!(
            (status, &first["total_minor"], &first["replayed"]),
            (StatusCode::CREATED, &json!(26300), &json!(false))
        );
        let (status, again) = send(&shop.router, with_key("k-1", "/api/v1/orders", &order)).await;
        assert_eq!((status, &again["replayed"]), (StatusCode::OK, &json!(true)));
        assert_eq!(count(&shop.store.db, "orders").await, 1);

        let mut changed = order.clone();
        changed["order_id"] = json!("O-2");
        assert_eq!(
            send(&shop.router, with_key("k-1", "/api/v1/orders", &changed))
                .await
                .0,
            StatusCode::CONFLICT
        );

        let refund = json!({"amount_minor": 26300});
        let (status, refunded) = send(
            &shop.router,
            with_key("r-1", "/api/v1/orders/O-1/refunds", &refund),
        )
        .await;
        assert_eq!(
            (status, &refunded["status"]),
            (StatusCode::CREATED, &json!("refunded"))
        );
        let (status, _) = send(
            &shop.router,
            with_key(
                "r-2",
                "/api/v1/orders/O-1/refunds",
                &json!({"amount_minor": 1}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(count(&shop.store.db, "refunds").await, 1);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    let shop = shops().await.remove(0);
    let request = Request::get("/api/v1/openapi.json")
        .body(Body::empty())
        .unwrap();
    let (status, document) = send(&shop.router, request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/products",
        "/api/v1/prices",
        "/api/v1/stock",
        "/api/v1/categories",
        "/api/v1/shoppers",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}/refunds",
        "/api/v1/events",
        "/api/v1/reviews",
        "/api/v1/reviews/{review_id}/history",
        "/api/v1/reviews/{review_id}/approve",
        "/api/v1/reviews/{review_id}/reject",
        "/api/v1/reviews/{review_id}/restore",
        "/api/v1/reviews/{review_id}/reply",
        "/api/v1/questions",
        "/api/v1/questions/{question_id}/answer",
        "/api/v1/questions/{question_id}/publish",
        "/api/v1/questions/{question_id}/reject",
        "/api/v1/answers/{answer_id}",
        "/api/v1/wishlists/most-wished",
        "/api/v1/alerts/report",
        "/api/v1/alerts/failed",
        "/api/v1/alerts/failed/resend",
        "/api/v1/shoppers/{shopper_id}/tier",
        "/api/v1/tiers",
        "/api/v1/tiers/rules",
        "/api/v1/tiers/preview",
        "/api/v1/products/{sku}/rating",
    ] {
        assert!(
            document["paths"][path].is_object(),
            "{path} is missing from the document"
        );
    }
    assert!(
        document["components"]["schemas"]["ProductInput"]["properties"]["price_minor"].is_object()
    );
    let mut references = Vec::new();
    collect_references(&document, &mut references);
    assert!(references.len() > 20, "{references:?}");
    for reference in references {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference} points outside the schemas"));
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{reference} is not defined"
        );
    }
}

/// Every `$ref` in an OpenAPI document.
fn collect_references(value: &Value, references: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(reference)) => references.push(reference.clone()),
                    _ => collect_references(inner, references),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, references)),
        _ => {}
    }
}

fn account_request(token: Option<&str>) -> Request<Body> {
    shopper_request(MyAccount::PATH, token)
}

fn shopper_request(path: &str, token: Option<&str>) -> Request<Body> {
    let mut request =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(token) = token {
        request = request.header(app::identity::TOKEN_HEADER, token);
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_loaders_server_functions_answer_at_their_own_paths_and_at_the_hashed_ones_earlier_widgets_ask()
 {
    use app::reviews::{HASHED_STAR_RATINGS_PATH, ProductReviews, StarRatings};
    use app::wishlist::{
        ChangeWishlist, HASHED_CHANGE_WISHLIST_PATH, HASHED_WISHLIST_STATES_PATH, MyWishlist,
        WishlistStates,
    };
    // The embed loader asks by the paths it names; widgets of builds before them, still open in a page, by the hash.
    assert_eq!(StartGuestSession::PATH, "/api/start_guest_session");
    assert_eq!(StarRatings::PATH, "/api/star_ratings");
    assert_eq!(WishlistStates::PATH, "/api/wishlist_states");
    assert_eq!(ChangeWishlist::PATH, "/api/change_wishlist");
    assert_eq!(
        HASHED_GUEST_SESSION_PATH,
        MyAccount::PATH.replace("my_account", "start_guest_session"),
        "server_fn's default path, as the module's other functions keep it"
    );
    assert_eq!(
        HASHED_STAR_RATINGS_PATH,
        ProductReviews::PATH.replace("product_reviews", "star_ratings"),
        "server_fn's default path, as the module's other functions keep it"
    );
    for (hashed, name) in [
        (HASHED_WISHLIST_STATES_PATH, "wishlist_states"),
        (HASHED_CHANGE_WISHLIST_PATH, "change_wishlist"),
    ] {
        assert_eq!(
            hashed,
            MyWishlist::PATH.replace("my_wishlist", name),
            "server_fn's default path, as the module's other functions keep it"
        );
    }
    let called: Vec<_> = app::embed::CALLED_BY_LOADER
        .iter()
        .map(|called| (called.path, called.hashed))
        .collect();
    assert_eq!(
        called,
        [
            (StartGuestSession::PATH, HASHED_GUEST_SESSION_PATH),
            (StarRatings::PATH, HASHED_STAR_RATINGS_PATH),
            (WishlistStates::PATH, HASHED_WISHLIST_STATES_PATH),
            (ChangeWishlist::PATH, HASHED_CHANGE_WISHLIST_PATH),
        ]
    );
    for shop in shops().await {
        stock_the_shop(&shop).await;
        for path in [StartGuestSession::PATH, HASHED_GUEST_SESSION_PATH] {
            let (status, issued) = send(&shop.router, shopper_request(path, None)).await;
            assert_eq!(status, StatusCode::OK, "{path}: {issued}");
            assert!(
                issued["token"]
                    .as_str()
                    .is_some_and(|token| token.starts_with("v1.g.")),
                "{path}: {issued}"
            );
        }
        for path in [StarRatings::PATH, HASHED_STAR_RATINGS_PATH] {
            // As the loader asks: the SKUs numbered, an unknown one left out of the answer.
            let request = server_fn_request(path, "skus[0]=A&skus[1]=NO-SUCH", None);
            let (status, stars) = send(&shop.router, request).await;
            assert_eq!(
                (status, stars),
                (
                    StatusCode::OK,
                    json!([{"sku": "A", "count": 0, "average": null}])
                ),
                "{path}"
            );
            let (status, error) =
                send(&shop.router, server_fn_request(path, "skus[0]=a%20b", None)).await;
            assert_eq!(
                (status, error["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("skus[0]")),
                "{path}: {error}"
            );
        }
        let secret = StoreSecret::new(SECRET).unwrap();
        let far = app::kernel::time::now().as_seconds() + 3600;
        let guest = issue(&secret, &Viewer::Guest("g-hearts".into()), far);
        let heart = |path: &str, form: &str, token: Option<&str>| {
            let mut request = server_fn_request(path, form, None);
            if let Some(token) = token {
                request
                    .headers_mut()
                    .insert(app::identity::TOKEN_HEADER, token.parse().unwrap());
            }
            request
        };
        let holds = |state: &Value| -> Vec<bool> {
            state["lists"]
                .as_array()
                .unwrap()
                .iter()
                .map(|list| list[1].as_bool().unwrap())
                .collect()
        };
        for (states, change) in [
            (WishlistStates::PATH, ChangeWishlist::PATH),
            (HASHED_WISHLIST_STATES_PATH, HASHED_CHANGE_WISHLIST_PATH),
        ] {
            // As the loader's compact heart saves into the default list (no `list_id`) and reads the states back.
            let (status, saved) =
                send(&shop.router, heart(change, "sku=A&save=true", Some(&guest))).await;
            assert_eq!(
                (status, holds(&saved)),
                (StatusCode::OK, vec![true]),
                "{change}: {saved}"
            );
            let (status, answer) = send(
                &shop.router,
                heart(states, "skus[0]=A&skus[1]=NO-SUCH", Some(&guest)),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{states}: {answer}");
            assert_eq!(holds(&answer[0]), vec![true], "{states}: {answer}");
            assert_eq!(holds(&answer[1]), vec![false], "{states}: {answer}");
            let list = saved["lists"][0][0]["id"].as_i64().unwrap();
            let (status, removed) = send(
                &shop.router,
                heart(
                    change,
                    &format!("sku=A&list_id={list}&save=false"),
                    Some(&guest),
                ),
            )
            .await;
            assert_eq!(
                (status, holds(&removed)),
                (StatusCode::OK, vec![false]),
                "{change}: {removed}"
            );
            let (status, error) = send(
                &shop.router,
                heart(change, "sku=NO-SUCH&save=true", Some(&guest)),
            )
            .await;
            assert_eq!(
                (status, error["translation"]["key"].as_str()),
                (StatusCode::NOT_FOUND, Some("error.product_unavailable")),
                "{change}: {error}"
            );
            let (status, error) = send(&shop.router, heart(change, "sku=A&save=true", None)).await;
            assert_eq!(
                (status, error["translation"]["key"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("error.sign_in_or_guest")),
                "{change}: {error}"
            );
        }
    }
}

#[tokio::test]
async fn a_shopper_reads_their_own_account_and_orders_and_no_one_elses() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        for (key, order_id, shopper) in [("k-a", "A-1", "alice"), ("k-b", "B-1", "bob")] {
            let order = json!({"order_id": order_id, "shopper_id": shopper, "currency": "CNY",
                "lines": [{"sku": "A", "quantity": 1, "unit_price_minor": 12900}]});
            let request = authorized("POST", "/api/v1/orders")
                .header("idempotency-key", key)
                .body(Body::from(order.to_string()))
                .unwrap();
            assert_eq!(send(&shop.router, request).await.0, StatusCode::CREATED);
        }
        let secret = StoreSecret::new(SECRET).unwrap();
        let far = app::kernel::time::now().as_seconds() + 3600;
        let alice = issue(&secret, &Viewer::Shopper("alice".into()), far);
        let (status, orders) =
            send(&shop.router, shopper_request(MyOrders::PATH, Some(&alice))).await;
        assert_eq!(
            (
                status,
                orders[0]["order_id"].as_str(),
                orders.as_array().map(Vec::len)
            ),
            (StatusCode::OK, Some("A-1"), Some(1)),
            "{orders}"
        );
        let guest = issue(&secret, &Viewer::Guest("g-1".into()), far);
        let (status, error) =
            send(&shop.router, shopper_request(MyOrders::PATH, Some(&guest))).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized")),
            "{error}"
        );

        let (status, account) = send(
            &shop.router,
            account_request(Some(&issue(&secret, &Viewer::Shopper("alice".into()), far))),
        )
        .await;
        assert_eq!(
            (status, account["display_name"].as_str()),
            (StatusCode::OK, Some("Alice")),
            "{account}"
        );

        let forged = issue(
            &StoreSecret::new("some-other-secret-that-is-long-enough-42").unwrap(),
            &Viewer::Shopper("bob".into()),
            far,
        );
        let expired = issue(&secret, &Viewer::Shopper("bob".into()), 1);
        let guest = issue(&secret, &Viewer::Guest("g-1".into()), far);
        for (token, code) in [
            (None, "unauthorized"),
            (Some(forged.as_str()), "unauthorized"),
            (Some(expired.as_str()), "token_expired"),
            (Some(guest.as_str()), "unauthorized"),
        ] {
            let (status, error) = send(&shop.router, account_request(token)).await;
            assert_eq!(
                (status, error["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some(code)),
                "{error}"
            );
            assert!(error.get("display_name").is_none());
        }
    }
}

/// A browser's CORS preflight for a widget's call from a page of `origin`.
fn preflight(origin: &str) -> Request<Body> {
    Request::options(MyAccount::PATH)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            format!("content-type,{}", app::identity::TOKEN_HEADER),
        )
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn only_the_configured_store_origins_may_call_widgets_and_never_with_cookies() {
    let store = testing::all().await.remove(0);
    let options = RouterOptions {
        allowed_origins: vec!["https://shop.example".into()],
        ..RouterOptions::default()
    };
    let router = server::router(state_of(&store), options, pages()).unwrap();

    let response = router
        .clone()
        .oneshot(preflight("https://shop.example"))
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.to_str().unwrap()),
        Some("https://shop.example")
    );
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap();
    assert!(allowed.contains(app::identity::TOKEN_HEADER), "{allowed}");
    assert!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none()
    );

    for stranger in [
        "https://evil.example",
        "null",
        "https://shop.example.evil.example",
    ] {
        let response = router.clone().oneshot(preflight(stranger)).await.unwrap();
        assert!(
            response
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none(),
            "{stranger} was let in"
        );
    }

    for refused in [
        vec!["*".to_owned()],
        vec!["null".to_owned()],
        vec!["https://shop.example/".to_owned()],
    ] {
        let options = RouterOptions {
            allowed_origins: refused.clone(),
            ..RouterOptions::default()
        };
        let error = server::router(state_of(&store), options, pages()).unwrap_err();
        assert!(error.contains("allowed origin"), "{refused:?}: {error}");
    }
}

#[tokio::test]
async fn no_server_function_answers_a_get() {
    let shop = shops().await.remove(0);
    stock_the_shop(&shop).await;
    let paths: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(
        paths.len() > 20,
        "too few server functions found: {paths:?}"
    );
    let before = footprint(&shop).await;
    for (path, method) in paths {
        assert_eq!(method, http::Method::POST, "{path}");
        let response = shop
            .router
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "GET {path}"
        );
    }
    assert_eq!(footprint(&shop).await, before);
}

#[tokio::test]
async fn health_and_metrics_are_served() {
    let shop = shops().await.remove(0);
    let (status, body) = send(
        &shop.router,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, Value::String("ok".into())));
    let (status, body) = send(&shop.router, local_metrics_request()).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().unwrap().to_owned();
    assert!(
        text.contains(
            "rapport_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    for line in [
        "rapport_outbox_messages{state=\"due\"} 0",
        "rapport_outbox_messages{state=\"failed\"} 0",
        "rapport_outbox_messages_oldest_due_seconds 0.0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    assert!(
        text.contains("rapport_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

/// bob's review of A: not a verified purchase, so it waits for moderation.
async fn pending_review(shop: &Shop) -> i64 {
    stock_the_shop(shop).await;
    let input = app::reviews::ReviewInput {
        rating: 2,
        title: "Drips".into(),
        body: "The spout drips on the table.".into(),
        ..Default::default()
    };
    app::reviews::ssr::write_review(
        &shop.store.db,
        "bob",
        "A",
        &input,
        &Default::default(),
        &TierGrowth,
        app::kernel::time::now(),
    )
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn a_stores_server_reads_a_products_rating_and_json_ld_without_a_key_and_caches_it() {
    for shop in shops().await {
        let id = pending_review(&shop).await;
        let rating = |sku: &str, tag: Option<&str>| {
            let mut request = Request::get(format!("/api/v1/products/{sku}/rating"));
            if let Some(tag) = tag {
                request = request.header(header::IF_NONE_MATCH, tag);
            }
            request.body(Body::empty()).unwrap()
        };
        // A pending review counts for nothing yet: no stars, no markup.
        let (status, unrated) = send(&shop.router, rating("A", None)).await;
        assert_eq!(status, StatusCode::OK, "{unrated}");
        assert_eq!(
            (&unrated["count"], &unrated["average"], &unrated["json_ld"]),
            (&json!(0), &Value::Null, &Value::Null)
        );

        let (status, _) = send(
            &shop.router,
            json_request("POST", &format!("/api/v1/reviews/{id}/approve"), &json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let response = shop
            .router
            .clone()
            .oneshot(rating("A", None))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, max-age=300"
        );
        let tag = response.headers()[header::ETAG]
            .to_str()
            .unwrap()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let rated: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (&rated["count"], &rated["average"]),
            (&json!(1), &json!(2.0))
        );
        assert_eq!(rated["histogram"], json!([0, 0, 0, 1, 0]));
        let json_ld: Value = serde_json::from_str(rated["json_ld"].as_str().unwrap()).unwrap();
        assert_eq!(json_ld["aggregateRating"]["ratingValue"], json!(2.0));
        assert_eq!(json_ld["aggregateRating"]["reviewCount"], json!(1));

        // The same answer again sends no body (the server still reads the rating to compare); a changed one has a new tag.
        let again = shop
            .router
            .clone()
            .oneshot(rating("A", Some(&tag)))
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], tag.as_str());
        let stale = shop
            .router
            .clone()
            .oneshot(rating("A", Some("\"old\"")))
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::OK);

        let (status, error) = send(&shop.router, rating("NO-SUCH", None)).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::NOT_FOUND, Some("sku"))
        );
        let (status, error) = send(&shop.router, rating("bad%20sku", None)).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("sku")),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_merchant_moderates_reviews_through_the_api() {
    for shop in shops().await {
        let id = pending_review(&shop).await;
        let list = |queue: &str| {
            authorized("GET", &format!("/api/v1/reviews?queue={queue}"))
                .body(Body::empty())
                .unwrap()
        };
        let (status, pending) = send(&shop.router, list("pending")).await;
        assert_eq!(status, StatusCode::OK, "{pending}");
        assert_eq!(pending["reviews"][0]["review"]["id"], json!(id));
        assert_eq!(pending["reviews"][0]["sku"], json!("A"));

        let (status, error) = send(&shop.router, list("someday")).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")),
            "{error}"
        );
        let (status, _) = send(
            &shop.router,
            authorized("GET", "/api/v1/reviews?limit=0")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        let reject =
            |body: Value| json_request("POST", &format!("/api/v1/reviews/{id}/reject"), &body);
        let (status, error) = send(&shop.router, reject(json!({"reason": ""}))).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
        );
        let (status, review) = send(
            &shop.router,
            reject(json!({"reason": "Not about the product"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{review}");
        assert_eq!(review["status"], json!("rejected"));
        assert_eq!(review["rejection_reason"], json!("Not about the product"));
        let (status, error) = send(&shop.router, reject(json!({"reason": "Again"}))).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::CONFLICT, Some("conflict"))
        );

        let decide = |action: &str, review: i64| {
            authorized("POST", &format!("/api/v1/reviews/{review}/{action}"))
                .body(Body::empty())
                .unwrap()
        };
        let (status, _) = send(&shop.router, decide("approve", id)).await;
        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "a rejected review is restored, not approved"
        );
        let (status, review) = send(&shop.router, decide("restore", id)).await;
        assert_eq!(
            (status, review["status"].as_str()),
            (StatusCode::OK, Some("published"))
        );
        let (status, error) = send(&shop.router, decide("restore", 999_999)).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );

        let (status, history) = send(
            &shop.router,
            authorized("GET", &format!("/api/v1/reviews/{id}/history"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let entries: Vec<String> = history["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["actor"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                )
            })
            .collect();
        let key: String = sha2::Sha256::digest(KEY.as_bytes())[..4]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(
            entries,
            [
                "shopper:bob written".to_owned(),
                format!("api-key:{key} rejected"),
                format!("api-key:{key} restored"),
            ]
        );

        let (status, _) = send(
            &shop.router,
            Request::get("/api/v1/reviews").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the queue needs an API key"
        );

        let reply =
            |body: Value| json_request("PUT", &format!("/api/v1/reviews/{id}/reply"), &body);
        for (bad, field) in [
            (json!({"body": "  "}), Some("body")),
            (json!({"body": "x".repeat(2001)}), Some("body")),
            (json!({"text": "Hello"}), None),
        ] {
            let (status, error) = send(&shop.router, reply(bad.clone())).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad} {error}");
            if field.is_some() {
                assert_eq!(error["field"].as_str(), field, "{error}");
            }
        }
        let (status, review) = send(&shop.router, reply(json!({"body": "Thank you, Bob."}))).await;
        assert_eq!(status, StatusCode::OK, "{review}");
        assert_eq!(review["reply"]["body"], json!("Thank you, Bob."));
        assert_eq!(review["reply"]["edited"], json!(false));
        let (status, error) = send(
            &shop.router,
            json_request(
                "PUT",
                "/api/v1/reviews/999999/reply",
                &json!({"body": "Hi"}),
            ),
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::NOT_FOUND, Some("review_id"))
        );
        let take_down = authorized("DELETE", &format!("/api/v1/reviews/{id}/reply"))
            .body(Body::empty())
            .unwrap();
        let (status, review) = send(&shop.router, take_down).await;
        assert_eq!((status, &review["reply"]), (StatusCode::OK, &Value::Null));
        let (_, queue) = send(&shop.router, list("published")).await;
        let versions: Vec<Value> = queue["reviews"][0]["reply_history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|version| version["body"].clone())
            .collect();
        assert_eq!(versions, [json!("Thank you, Bob."), Value::Null]);
    }
}

fn server_fn_request(path: &str, form: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(form.to_owned())).unwrap()
}

#[tokio::test]
async fn only_a_signed_in_merchant_reaches_the_moderation_desk() {
    use app::identity::merchant::MerchantSignIn;
    use app::reviews::{ModerateReview, ModerationPage};
    for shop in shops().await {
        let id = pending_review(&shop).await;
        let queue = "queue=pending&shown=20";

        let (status, error) = send(
            &shop.router,
            server_fn_request(ModerationPage::PATH, queue, None),
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
        // A shopper's token, even in the cookie's place, is not a merchant session.
        let secret = StoreSecret::new(SECRET).unwrap();
        let shopper = issue(
            &secret,
            &Viewer::Shopper("alice".into()),
            app::kernel::time::now().as_seconds() + 60,
        );
        let (status, _) = send(
            &shop.router,
            server_fn_request(
                ModerationPage::PATH,
                queue,
                Some(&format!("rapport_merchant={shopper}")),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let (status, error) = send(
            &shop.router,
            server_fn_request(
                MerchantSignIn::PATH,
                "name=Mei&key=wrong-key&next=%2Fmerchant%2Freviews",
                None,
            ),
        )
        .await;
        assert_eq!(
            (status, error["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );

        let response = shop
            .router
            .clone()
            .oneshot(server_fn_request(
                MerchantSignIn::PATH,
                &format!("name=Mei&key={KEY}&next=%2Fmerchant%2Freviews"),
                None,
            ))
            .await
            .unwrap();
        assert!(response.status().is_success() || response.status().is_redirection());
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|value| value.to_str().ok())
            .expect("a session cookie")
            .to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        let session = cookie.split(';').next().unwrap().to_owned();

        let (status, page) = send(
            &shop.router,
            server_fn_request(ModerationPage::PATH, queue, Some(&session)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["merchant"], json!("Mei"));
        assert_eq!(page["items"][0]["review"]["id"], json!(id));

        let (status, error) = send(
            &shop.router,
            server_fn_request(
                ModerateReview::PATH,
                &format!("review_id={id}&decision=delete"),
                Some(&session),
            ),
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("decision"))
        );
        let (status, review) = send(
            &shop.router,
            server_fn_request(
                ModerateReview::PATH,
                &format!("review_id={id}&decision=approve"),
                Some(&session),
            ),
        )
        .await;
        assert_eq!(
            (status, review["status"].as_str()),
            (StatusCode::OK, Some("published")),
            "{review}"
        );
        let history = app::reviews::ssr::moderation_history(&shop.store.db, id)
            .await
            .unwrap();
        assert_eq!(history.last().unwrap().actor, "merchant:Mei");
    }
}

#[tokio::test]
async fn merchants_read_the_most_wished_products() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let policy = Default::default();
        for (viewer, sku) in [
            (Viewer::Shopper("alice".into()), "B"),
            (Viewer::Shopper("bob".into()), "B"),
            (Viewer::Guest("g-1".into()), "B"),
            (Viewer::Shopper("alice".into()), "A"),
        ] {
            app::wishlist::ssr::save(
                &shop.store.db,
                &viewer,
                sku,
                None,
                &policy,
                app::kernel::time::now(),
            )
            .await
            .unwrap();
        }
        let get = |query: &str| {
            authorized("GET", &format!("/api/v1/wishlists/most-wished{query}"))
                .body(Body::empty())
                .unwrap()
        };
        let (status, body) = send(&shop.router, get("?limit=1")).await;
        assert_eq!(
            (status, body),
            (
                StatusCode::OK,
                json!({"products": [{"sku": "B", "title": "Teapot", "savers": 3}]})
            )
        );
        let (status, error) = send(&shop.router, get("?limit=500")).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
        );
    }
}

#[tokio::test]
async fn one_click_unsubscribe_stops_an_alert_at_once_and_a_forged_link_changes_nothing() {
    use app::alerts::ssr::{AlertRequest, subscribe};
    use app::alerts::{AlertKind, PriceRule};
    use app::identity::token::{issue_tracking, issue_unsubscribe};
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let db = &shop.store.db;
        let policy = app::alerts::rules::AlertPolicy {
            email: true,
            ..Default::default()
        };
        let request = AlertRequest {
            kind: AlertKind::PriceDrop,
            rule: PriceRule::AnyDrop,
            email: None,
        };
        let alert = subscribe(
            db,
            &Viewer::Shopper("alice".into()),
            "A",
            &request,
            "en",
            &policy,
            Millis(1_000),
        )
        .await
        .unwrap();
        let (status, _) = send(
            &shop.router,
            json_request(
                "POST",
                "/api/v1/prices",
                &json!({"prices": [{"sku": "A", "price_minor": 1_000, "currency": "CNY"}]}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let statuses = || async {
            sqlx::query_scalar::<_, String>("SELECT status FROM notices WHERE channel = 'email'")
                .fetch_all(db.reader())
                .await
                .unwrap()
        };
        assert_eq!(statuses().await, ["queued"]);

        let one_click = |token: &str| {
            Request::post(format!("/alerts/unsubscribe/{token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("List-Unsubscribe=One-Click"))
                .unwrap()
        };
        let forged = issue_unsubscribe(
            &StoreSecret::new("another-secret-that-is-also-long-enough").unwrap(),
            alert.id,
        );
        let (status, error) = send(&shop.router, one_click(&forged)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error["message"].as_str().unwrap().contains("not valid"));
        assert_eq!(
            statuses().await,
            ["queued"],
            "a forged link changes nothing"
        );

        let link = issue_unsubscribe(&StoreSecret::new(SECRET).unwrap(), alert.id);
        for _ in 0..2 {
            let (status, body) = send(&shop.router, one_click(&link)).await;
            assert_eq!(
                (status, body),
                (StatusCode::OK, Value::String("unsubscribed".into()))
            );
        }
        assert_eq!(
            statuses().await,
            ["withdrawn"],
            "what was queued is not sent"
        );
        let alert_status: String = sqlx::query_scalar("SELECT status FROM alerts WHERE id = $1")
            .bind(alert.id)
            .fetch_one(db.reader())
            .await
            .unwrap();
        assert_eq!(alert_status, "cancelled");

        // The storefront page's button (no List-Unsubscribe field) comes back to the page.
        let from_page = Request::post(format!("/alerts/unsubscribe/{link}"))
            .body(Body::empty())
            .unwrap();
        let response = shop.router.clone().oneshot(from_page).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            format!("/alerts/unsubscribe/{link}")
        );

        // The tracked product link counts the click and sends the shopper on.
        let click = |token: &str| {
            Request::get(format!("/alerts/click/{token}"))
                .body(Body::empty())
                .unwrap()
        };
        let notice: i64 = sqlx::query_scalar("SELECT id FROM notices WHERE channel = 'email'")
            .fetch_one(db.reader())
            .await
            .unwrap();
        let tracking = issue_tracking(&StoreSecret::new(SECRET).unwrap(), notice);
        let (status, _) = send(
            &shop.router,
            click(&issue_tracking(
                &StoreSecret::new("another-secret-that-is-also-long-enough").unwrap(),
                notice,
            )),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a forged link counts nothing"
        );
        let response = shop.router.clone().oneshot(click(&tracking)).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[header::LOCATION], "/p/A");
        let clicked: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE clicked_at IS NOT NULL")
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert_eq!(clicked, 1);
        let (status, _) = send(&shop.router, click("not-a-token")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The merchant's report counts it all: the alert's one notice (an email, shown in the inbox too) was
        // withdrawn by the unsubscribe, so nothing was sent, but its link was clicked. A notice given up on is
        // listed with its error.
        let (status, report) = send(
            &shop.router,
            authorized("GET", "/api/v1/alerts/report")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            report["products"][0],
            json!({"sku": "A", "title": "Teapot", "price_alerts": 0, "stock_alerts": 0, "notices_sent": 0,
                   "notices_queued": 0, "notices_failed": 0, "notices_clicked": 1})
        );
        let (status, error) = send(
            &shop.router,
            authorized("GET", "/api/v1/alerts/failed?limit=0")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
        );
    }
}

#[tokio::test]
async fn merchants_run_the_tier_programme_and_checkout_reads_a_shoppers_tier() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let (status, rules) = send(
            &shop.router,
            authorized("GET", "/api/v1/tiers/rules")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!((status, &rules["version"]), (StatusCode::OK, &json!(0)));
        let mut proposed = rules["rules"].clone();
        proposed["return_window_days"] = json!(0);

        // Bad rule sets: refused naming the field, nothing saved.
        for (change, field) in [
            (
                ("tiers", 2, "threshold_minor", json!(1)),
                "tiers[2].threshold_minor",
            ),
            (
                ("tiers", 0, "threshold_minor", json!(100)),
                "tiers[0].threshold_minor",
            ),
            (
                ("tiers", 1, "threshold_minor", json!(-100)),
                "tiers[1].threshold_minor",
            ),
            (
                ("tiers", 3, "names", json!({"en": "Diamond"})),
                "tiers[3].names.zh-CN",
            ),
        ] {
            let ((list, index, key, value), expected) = (change, field);
            let mut bad = proposed.clone();
            bad[list][index][key] = value;
            let (status, error) = send(
                &shop.router,
                json_request("PUT", "/api/v1/tiers/rules", &bad),
            )
            .await;
            assert_eq!(
                (status, error["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(expected))
            );
        }
        let mut unknown_field = proposed.clone();
        unknown_field["colour_scheme"] = json!("dark");
        let (status, _) = send(
            &shop.router,
            json_request("PUT", "/api/v1/tiers/rules", &unknown_field),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(count(&shop.store.db, "tier_rules").await, 0);

        // A preview changes nothing; saving makes version 1.
        let (status, preview) = send(
            &shop.router,
            json_request("POST", "/api/v1/tiers/preview", &proposed),
        )
        .await;
        assert_eq!((status, &preview["members"]), (StatusCode::OK, &json!(2)));
        assert_eq!(count(&shop.store.db, "tier_rules").await, 0);
        let (status, saved) = send(
            &shop.router,
            json_request("PUT", "/api/v1/tiers/rules", &proposed),
        )
        .await;
        assert_eq!(
            (status, &saved["version"]),
            (StatusCode::CREATED, &json!(1))
        );

        // An order past Silver's ¥1,000 moves Alice up at once; checkout reads her tier and its benefits.
        let order = json!({"order_id": "O-1", "shopper_id": "alice", "currency": "CNY",
            "lines": [{"sku": "A", "quantity": 8, "unit_price_minor": 12900}]});
        let request = authorized("POST", "/api/v1/orders")
            .header("idempotency-key", "o-1")
            .body(Body::from(order.to_string()))
            .unwrap();
        assert_eq!(send(&shop.router, request).await.0, StatusCode::CREATED);
        let (status, standing) = send(
            &shop.router,
            authorized("GET", "/api/v1/shoppers/alice/tier")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(standing["rank"], json!(1));
        assert_eq!(standing["growth"]["amount_minor"], json!(103_200));
        assert_eq!(standing["rules"]["tiers"][1]["code"], json!("silver"));
        assert!(standing["rules"]["tiers"][1]["benefits"][0]["code"].is_string());

        let (status, error) = send(
            &shop.router,
            authorized("GET", "/api/v1/shoppers/nobody/tier")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::NOT_FOUND, Some("shopper_id"))
        );

        let (status, overview) = send(
            &shop.router,
            authorized("GET", "/api/v1/tiers")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(overview["distribution"][0]["members"], json!(1));
        assert_eq!(overview["distribution"][1]["members"], json!(1));
    }
}

#[tokio::test]
async fn downloads_are_compressed_for_clients_that_accept_it() {
    let shop = shops().await.remove(0);
    let document = |encoding: Option<&str>| {
        let mut request = Request::get("/api/v1/openapi.json");
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        request.body(Body::empty()).unwrap()
    };
    let (status, headers, plain) = send_for_headers(&shop.router, document(None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_ENCODING), None);
    assert!(plain["openapi"].is_string());
    for (accepted, used) in [("br, gzip", "br"), ("gzip", "gzip")] {
        let (status, headers, _) = send_for_headers(&shop.router, document(Some(accepted))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            Some(used)
        );
    }
    // Plain-text answers such as the health check are not worth it.
    let health = Request::get("/healthz")
        .header(header::ACCEPT_ENCODING, "br")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = send_for_headers(&shop.router, health).await;
    assert_eq!(headers.get(header::CONTENT_ENCODING), None);
}

#[tokio::test]
async fn a_merchant_answers_publishes_and_turns_down_questions_through_the_api() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let db = &shop.store.db;
        let policy = app::questions::rules::QuestionPolicy::default();
        let now = app::kernel::time::now();
        let mut asked = Vec::new();
        for body in ["Does it whistle?", "Is it dishwasher-safe?", "Call me?"] {
            asked.push(
                app::questions::ssr::ask(db, "alice", "A", body, &policy, now)
                    .await
                    .unwrap()
                    .id,
            );
        }
        let list = |query: &str| {
            authorized("GET", &format!("/api/v1/questions{query}"))
                .body(Body::empty())
                .unwrap()
        };
        let (status, waiting) = send(&shop.router, list("")).await;
        assert_eq!(status, StatusCode::OK, "{waiting}");
        assert_eq!(waiting["questions"].as_array().unwrap().len(), 3);
        assert_eq!(
            waiting["questions"][0]["question"]["body"],
            json!("Does it whistle?")
        );
        assert_eq!(waiting["questions"][0]["sku"], json!("A"));
        for bad in [
            "?queue=someday",
            "?limit=0",
            "?offset=-1",
            "?limit=abc",
            "?colour=red",
        ] {
            let (status, error) = send(&shop.router, list(bad)).await;
            assert_eq!(
                (status, error["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")),
                "{bad}: {error}"
            );
        }

        let answer = |id: i64, body: Value| {
            json_request("PUT", &format!("/api/v1/questions/{id}/answer"), &body)
        };
        for bad in [
            json!({"body": " "}),
            json!({}),
            json!({"body": "Yes.", "extra": 1}),
            json!({"body": "a".repeat(2001)}),
        ] {
            let (status, error) = send(&shop.router, answer(asked[0], bad.clone())).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {error}");
        }
        let (status, error) = send(&shop.router, answer(999_999, json!({"body": "Yes."}))).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::NOT_FOUND, Some("question_id"))
        );
        let (status, given) = send(
            &shop.router,
            answer(asked[0], json!({"body": "Yes, loudly."})),
        )
        .await;
        assert_eq!(
            (status, &given["by_shop"]),
            (StatusCode::OK, &json!(true)),
            "{given}"
        );

        let decide = |id: i64, what: &str, body: Value| {
            json_request("POST", &format!("/api/v1/questions/{id}/{what}"), &body)
        };
        let (status, decided) = send(&shop.router, decide(asked[1], "publish", json!({}))).await;
        assert_eq!(
            (status, &decided),
            (StatusCode::OK, &json!({"status": "published"}))
        );
        let (status, _) = send(&shop.router, decide(asked[1], "publish", json!({}))).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = send(
            &shop.router,
            decide(asked[2], "reject", json!({"reason": ""})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, decided) = send(
            &shop.router,
            decide(asked[2], "reject", json!({"reason": "No phone numbers."})),
        )
        .await;
        assert_eq!(
            (status, &decided),
            (StatusCode::OK, &json!({"status": "rejected"}))
        );
        let (status, _) = send(&shop.router, answer(asked[2], json!({"body": "Sure."}))).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, error) = send(
            &shop.router,
            authorized("POST", "/api/v1/questions/abc/publish")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("question_id")),
            "{error}"
        );

        for (queue, expected) in [
            ("answered", asked[0]),
            ("unanswered", asked[1]),
            ("rejected", asked[2]),
        ] {
            let (_, found) = send(&shop.router, list(&format!("?queue={queue}"))).await;
            assert_eq!(
                found["questions"][0]["question"]["id"],
                json!(expected),
                "{queue}: {found}"
            );
        }
        // The asker heard of the shop's answer by email, once.
        assert_eq!(count(db, "messages").await, 1);

        let remove = |id: i64| {
            authorized("DELETE", &format!("/api/v1/answers/{id}"))
                .body(Body::empty())
                .unwrap()
        };
        let id = given["id"].as_i64().unwrap();
        let (status, _) = send(&shop.router, remove(id)).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, error) = send(&shop.router, remove(id)).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::NOT_FOUND, Some("answer_id"))
        );
        let (_, unanswered) = send(&shop.router, list("?queue=unanswered")).await;
        assert_eq!(unanswered["questions"].as_array().unwrap().len(), 2);
    }
}

#[tokio::test]
async fn the_merchant_reads_the_suppressed_addresses_and_lifts_one_and_bad_requests_are_refused() {
    use app::messages::ssr::suppress;
    for shop in shops().await {
        let db = &shop.store.db;
        suppress(
            db,
            "gone@example.com",
            "550 5.1.1 mailbox unavailable",
            Millis(1_000),
        )
        .await
        .unwrap();
        suppress(db, "moved@example.com", "551 user not local", Millis(2_000))
            .await
            .unwrap();
        let get = |path: &str| authorized("GET", path).body(Body::empty()).unwrap();
        let (status, list) = send(&shop.router, get("/api/v1/email-suppressions")).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 2);
        assert_eq!(list["suppressions"][0]["email"], "moved@example.com");
        assert_eq!(
            list["suppressions"][1]["reason"],
            "550 5.1.1 mailbox unavailable"
        );
        let (_, second) = send(
            &shop.router,
            get("/api/v1/email-suppressions?limit=1&offset=1"),
        )
        .await;
        assert_eq!(second["suppressions"].as_array().unwrap().len(), 1);
        assert_eq!(second["suppressions"][0]["email"], "gone@example.com");

        let delete = |path: &str| authorized("DELETE", path).body(Body::empty()).unwrap();
        for (request, status, field) in [
            (
                get("/api/v1/email-suppressions?limit=0"),
                422,
                Some("limit"),
            ),
            (
                get("/api/v1/email-suppressions?offset=-1"),
                422,
                Some("offset"),
            ),
            (get("/api/v1/email-suppressions?page=2"), 422, Some("query")),
            (
                delete("/api/v1/email-suppressions/not-an-address"),
                422,
                Some("email"),
            ),
            (
                delete("/api/v1/email-suppressions/else@example.com"),
                404,
                Some("email"),
            ),
        ] {
            let (got, body) = send(&shop.router, request).await;
            assert_eq!(
                (got.as_u16(), body["field"].as_str()),
                (status, field),
                "{body}"
            );
        }
        let unsigned = Request::delete("/api/v1/email-suppressions/gone@example.com")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&shop.router, unsigned).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            count(db, "email_suppressions").await,
            2,
            "nothing refused changed anything"
        );

        let (status, _) = send(
            &shop.router,
            delete("/api/v1/email-suppressions/Gone@Example.com"),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, list) = send(&shop.router, get("/api/v1/email-suppressions")).await;
        assert_eq!(list["total"], 1);
    }
}

#[tokio::test]
async fn the_store_reports_an_order_delivered_and_a_report_that_cannot_be_is_refused() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let order = json!({"order_id": "F-1", "shopper_id": "alice", "currency": "CNY",
            "placed_at": "2026-11-01T08:00:00Z",
            "lines": [{"sku": "A", "quantity": 1, "unit_price_minor": 12900}]});
        let request = authorized("POST", "/api/v1/orders")
            .header("idempotency-key", "k-f-1")
            .body(Body::from(order.to_string()))
            .unwrap();
        assert_eq!(send(&shop.router, request).await.0, StatusCode::CREATED);
        let report = |order: &str, body: Value| {
            json_request("POST", &format!("/api/v1/orders/{order}/fulfilment"), &body)
        };
        for (request, status, field) in [
            (
                report("F-2", json!({"status": "delivered"})),
                404,
                Some("order_id"),
            ),
            (report("F-1", json!({"status": "lost"})), 422, None),
            (
                report(
                    "F-1",
                    json!({"status": "delivered", "at": "2026-10-01T00:00:00Z"}),
                ),
                422,
                Some("at"),
            ),
            (
                report(
                    "F-1",
                    json!({"status": "delivered", "at": "2999-01-01T00:00:00Z"}),
                ),
                422,
                Some("at"),
            ),
            (
                report("F-1", json!({"status": "shipped", "carrier": "x"})),
                422,
                None,
            ),
        ] {
            let (got, body) = send(&shop.router, request).await;
            assert_eq!(got.as_u16(), status, "{body}");
            if field.is_some() {
                assert_eq!(body["field"].as_str(), field, "{body}");
            }
        }
        let (status, state) = send(
            &shop.router,
            report(
                "F-1",
                json!({"status": "delivered", "at": "2026-11-03T10:00:00Z"}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{state}");
        assert_eq!(
            state,
            json!({"order_id": "F-1", "shipped_at": "2026-11-03T10:00:00.000Z",
                "delivered_at": "2026-11-03T10:00:00.000Z"})
        );
    }
}

#[tokio::test]
async fn the_store_reports_an_order_unpaid_then_pays_it_and_bad_reports_are_refused() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let db = &shop.store.db;
        let unpaid = json!({"shopper_id": "alice", "currency": "CNY", "placed_at": "2026-11-01T08:00:00Z",
            "lines": [{"sku": "A", "quantity": 2, "unit_price_minor": 12900}], "shipping_minor": 1000,
            "payment_url": "https://shop.example/pay/U-1"});
        let put = |order: &str, body: &Value| {
            json_request("PUT", &format!("/api/v1/unpaid-orders/{order}"), body)
        };
        let get = |path: &str| authorized("GET", path).body(Body::empty()).unwrap();
        let delete = |path: &str| authorized("DELETE", path).body(Body::empty()).unwrap();

        let (status, state) = send(&shop.router, put("U-1", &unpaid)).await;
        assert_eq!(status, StatusCode::CREATED, "{state}");
        assert_eq!(
            state,
            json!({"order_id": "U-1", "shopper_id": "alice",
                "total": {"amount_minor": 26800, "currency": "CNY"},
                "payment_url": "https://shop.example/pay/U-1",
                "placed_at": "2026-11-01T08:00:00.000Z", "reminded_at": null})
        );
        assert_eq!(
            send(&shop.router, put("U-1", &unpaid)).await.0,
            StatusCode::OK
        );
        assert_eq!(
            send(&shop.router, get("/api/v1/unpaid-orders/U-1")).await,
            (StatusCode::OK, state)
        );

        let with = |field: &str, value: Value| {
            let mut body = unpaid.clone();
            body[field] = value;
            body
        };
        let mut missing_url = unpaid.clone();
        missing_url.as_object_mut().unwrap().remove("payment_url");
        for (request, status, field) in [
            (put("U-2", &missing_url), 422, None),
            (
                put("U-2", &with("payment_url", json!("/pay"))),
                422,
                Some("payment_url"),
            ),
            (
                put("U-2", &with("placed_at", json!("2999-01-01T00:00:00Z"))),
                422,
                Some("placed_at"),
            ),
            (
                put("U-2", &with("shopper_id", json!("nobody"))),
                404,
                Some("shopper_id"),
            ),
            (put("U-2", &with("coupon", json!("X"))), 422, None),
            (put("U-1", &with("shopper_id", json!("bob"))), 409, None),
            (get("/api/v1/unpaid-orders/U-2"), 404, Some("order_id")),
            (delete("/api/v1/unpaid-orders/U-2"), 404, Some("order_id")),
        ] {
            let (got, body) = send(&shop.router, request).await;
            assert_eq!(got.as_u16(), status, "{body}");
            if field.is_some() {
                assert_eq!(body["field"].as_str(), field, "{body}");
            }
        }
        assert_eq!(
            count(db, "unpaid_orders").await,
            1,
            "nothing refused changed anything"
        );
        assert_eq!(
            count(db, "orders").await,
            0,
            "an unpaid order is no purchase"
        );

        let paid = json!({"order_id": "U-1", "shopper_id": "alice", "currency": "CNY",
            "lines": [{"sku": "A", "quantity": 2, "unit_price_minor": 12900}], "shipping_minor": 1000});
        let request = authorized("POST", "/api/v1/orders")
            .header("idempotency-key", "pay-U-1")
            .body(Body::from(paid.to_string()))
            .unwrap();
        assert_eq!(send(&shop.router, request).await.0, StatusCode::CREATED);
        assert_eq!(
            send(&shop.router, get("/api/v1/unpaid-orders/U-1")).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&shop.router, put("U-1", &unpaid)).await.0,
            StatusCode::CONFLICT
        );
        assert_eq!(
            send(&shop.router, put("U-3", &unpaid)).await.0,
            StatusCode::CREATED
        );
        assert_eq!(
            send(&shop.router, delete("/api/v1/unpaid-orders/U-3"))
                .await
                .0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(count(db, "unpaid_orders").await, 0);
    }
}

#[tokio::test]
async fn the_store_sends_a_cart_a_price_drop_in_it_queues_an_email_and_bad_carts_are_refused() {
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let db = &shop.store.db;
        let put = |shopper: &str, body: &Value| {
            json_request("PUT", &format!("/api/v1/carts/{shopper}"), body)
        };
        let get = |path: &str| authorized("GET", path).body(Body::empty()).unwrap();
        let delete = |path: &str| authorized("DELETE", path).body(Body::empty()).unwrap();
        let cart = json!({"lines": [{"sku": "A", "quantity": 2}]});

        let (status, state) = send(&shop.router, put("alice", &cart)).await;
        assert_eq!(status, StatusCode::OK, "{state}");
        assert_eq!(state["shopper_id"], "alice");
        assert_eq!(
            state["lines"][0]["watched_price"],
            json!({"amount_minor": 12900, "currency": "CNY"})
        );
        assert_eq!(state["lines"][0]["quantity"], 2);
        assert_eq!(
            send(&shop.router, get("/api/v1/carts/alice")).await,
            (StatusCode::OK, state)
        );

        let before = footprint(&shop).await;
        for (request, status, field) in [
            (
                put("alice", &json!({"lines": [{"sku": "NOPE", "quantity": 1}]})),
                404,
                Some("lines[0].sku"),
            ),
            (
                put("alice", &json!({"lines": [{"sku": "A", "quantity": 0}]})),
                422,
                Some("lines[0].quantity"),
            ),
            (
                put(
                    "alice",
                    &json!({"lines": [{"sku": "A", "quantity": 1}, {"sku": "A", "quantity": 1}]}),
                ),
                422,
                Some("lines[1]"),
            ),
            (put("alice", &json!({"items": []})), 422, None),
            (put("nobody", &cart), 404, Some("shopper_id")),
            (get("/api/v1/carts/nobody"), 404, Some("shopper_id")),
            (delete("/api/v1/carts/nobody"), 404, Some("shopper_id")),
        ] {
            let (got, body) = send(&shop.router, request).await;
            assert_eq!(got.as_u16(), status, "{body}");
            if field.is_some() {
                assert_eq!(body["field"].as_str(), field, "{body}");
            }
        }
        assert_eq!(
            footprint(&shop).await,
            before,
            "nothing refused changed anything"
        );
        let unkeyed = Request::put("/api/v1/carts/alice")
            .header("content-type", "application/json")
            .body(Body::from(cart.to_string()))
            .unwrap();
        assert_eq!(
            send(&shop.router, unkeyed).await.0,
            StatusCode::UNAUTHORIZED
        );

        let drop = json!({"prices": [{"sku": "A", "price_minor": 9900, "currency": "CNY"}]});
        assert_eq!(
            send(&shop.router, json_request("POST", "/api/v1/prices", &drop))
                .await
                .0,
            StatusCode::OK
        );
        let queued: Vec<(String, String)> =
            sqlx::query_as("SELECT email, body FROM messages WHERE kind = 'cart_price_drop'")
                .fetch_all(db.reader())
                .await
                .unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].0, "alice@example.com");
        let body: Value = serde_json::from_str(&queued[0].1).unwrap();
        assert_eq!(
            (
                &body["old_price"]["amount_minor"],
                &body["new_price"]["amount_minor"],
                &body["quantity"]
            ),
            (&json!(12900), &json!(9900), &json!(2))
        );
        let (_, state) = send(&shop.router, get("/api/v1/carts/alice")).await;
        assert_eq!(state["lines"][0]["watched_price"]["amount_minor"], 9900);
        assert!(state["lines"][0]["notified_at"].is_string(), "{state}");

        // Bought: it leaves the cart. An emptied cart answers 204, and reads back empty.
        send(
            &shop.router,
            put(
                "alice",
                &json!({"lines": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}]}),
            ),
        )
        .await;
        let paid = json!({"order_id": "O-1", "shopper_id": "alice", "currency": "CNY",
            "lines": [{"sku": "A", "quantity": 1, "unit_price_minor": 9900}]});
        let request = authorized("POST", "/api/v1/orders")
            .header("idempotency-key", "O-1")
            .body(Body::from(paid.to_string()))
            .unwrap();
        assert_eq!(send(&shop.router, request).await.0, StatusCode::CREATED);
        let (_, state) = send(&shop.router, get("/api/v1/carts/alice")).await;
        assert_eq!(state["lines"].as_array().unwrap().len(), 1);
        assert_eq!(state["lines"][0]["sku"], "B");
        assert_eq!(
            send(&shop.router, delete("/api/v1/carts/alice")).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            send(&shop.router, get("/api/v1/carts/alice")).await,
            (StatusCode::OK, json!({"shopper_id": "alice", "lines": []}))
        );
        assert_eq!(count(db, "cart_lines").await, 0);
    }
}

#[tokio::test]
async fn a_shopper_stops_a_kind_of_email_in_one_click_and_chooses_the_others_on_the_preferences_page()
 {
    use app::identity::token::issue_preferences;
    use app::messages::MarketingConsent;
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let db = &shop.store.db;
        let alice = app::identity::ssr::shopper_key(db.reader(), "alice")
            .await
            .unwrap()
            .unwrap();
        let allowed = || async {
            app::messages::ssr::preferences(db, alice, MarketingConsent::OptOut, None)
                .await
                .unwrap()
                .preferences
                .into_iter()
                .map(|preference| (preference.kind.key(), preference.allowed))
                .collect::<Vec<_>>()
        };
        let post = |token: &str, body: &str| {
            Request::post(format!("/email-preferences/{token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.to_owned()))
                .unwrap()
        };
        let secret = StoreSecret::new(SECRET).unwrap();
        let link = issue_preferences(&secret, alice, "unpaid_order");
        let forged = issue_preferences(
            &StoreSecret::new("another-secret-that-is-also-long-enough").unwrap(),
            alice,
            "unpaid_order",
        );
        for (request, status, field) in [
            (post(&forged, "List-Unsubscribe=One-Click"), 404, "token"),
            (
                post(&link, "form=preferences&newsletter=on"),
                422,
                "newsletter",
            ),
            (
                post(&link, "form=preferences&review_request=yes"),
                422,
                "review_request",
            ),
            (post(&link, "review_request=on"), 422, "form"),
            (
                post(
                    &issue_preferences(&secret, alice, "newsletter"),
                    "List-Unsubscribe=One-Click",
                ),
                422,
                "token",
            ),
        ] {
            let (got, body) = send(&shop.router, request).await;
            assert_eq!(
                (got.as_u16(), body["field"].as_str()),
                (status, Some(field)),
                "{body}"
            );
        }
        let everything = [
            ("question_answered", true),
            ("review_request", true),
            ("unpaid_order", true),
            ("cart_price_drop", true),
        ];
        assert_eq!(
            allowed().await,
            everything,
            "nothing refused changed anything"
        );

        for _ in 0..2 {
            let (status, body) =
                send(&shop.router, post(&link, "List-Unsubscribe=One-Click")).await;
            assert_eq!((status, body), (StatusCode::OK, json!("unsubscribed")));
        }
        assert_eq!(
            allowed().await,
            [
                ("question_answered", true),
                ("review_request", true),
                ("unpaid_order", false),
                ("cart_price_drop", true)
            ]
        );

        // The page's form names every kind it ticks: here answers only.
        let (status, headers, _) = send_for_headers(
            &shop.router,
            post(&link, "form=preferences&question_answered=on"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            headers[header::LOCATION],
            format!("/email-preferences/{link}?saved")
        );
        assert_eq!(
            allowed().await,
            [
                ("question_answered", true),
                ("review_request", false),
                ("unpaid_order", false),
                ("cart_price_drop", false)
            ]
        );
    }
}
