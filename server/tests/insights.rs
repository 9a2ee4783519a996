//! The merchant's customer figures through the whole router, on SQLite and PostgreSQL: the API's JSON and CSV,
//! the customers page and its downloads, and what each refuses.

mod support;

use app::identity::merchant::MERCHANT_COOKIE;
use app::identity::token::{StoreSecret, issue_merchant};
use axum::body::Body;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use support::*;

/// Five orders in the first quarter of 2026 and one the year before: alice orders three times, bob once.
async fn orders(shop: &Shop) {
    stock_the_shop(shop).await;
    for (id, shopper, day, quantity) in [
        ("o1", "alice", "2025-12-20", 1),
        ("o2", "alice", "2026-01-10", 2),
        ("o3", "alice", "2026-03-01", 1),
        ("o4", "bob", "2026-02-14", 3),
    ] {
        let order = json!({
            "order_id": id, "shopper_id": shopper, "currency": "CNY",
            "lines": [{"sku": "A", "quantity": quantity, "unit_price_minor": 10000}],
            "placed_at": format!("{day}T08:00:00Z"),
        });
        let request = authorized("POST", "/api/v1/orders")
            .header("idempotency-key", format!("key-{id}"))
            .body(Body::from(order.to_string()))
            .unwrap();
        let (status, body) = send(&shop.router, request).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

const QUARTER: &str = "from=2026-01-01&to=2026-03-31";

/// The cookie of an hour-long merchant session, as signing in on the merchant's page sets it.
fn merchant_cookie() -> String {
    let session = issue_merchant(
        &StoreSecret::new(SECRET).unwrap(),
        "Mei",
        app::kernel::time::now().as_seconds() + 3600,
    );
    format!("{MERCHANT_COOKIE}={session}")
}

fn get(path: &str) -> Request<Body> {
    authorized("GET", path).body(Body::empty()).unwrap()
}

fn segment(report: &Value, code: &str) -> i64 {
    report["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["segment"] == code)
        .unwrap()["customers"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_api_answers_a_quarters_figures_and_a_segments_customers() {
    for shop in shops().await {
        orders(&shop).await;
        let (status, report) = send(
            &shop.router,
            get(&format!("/api/v1/insights/customers?{QUARTER}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(
            report["period"],
            json!({"first_day": "2026-01-01", "last_day": "2026-03-31"})
        );
        assert_eq!(report["currency"], "CNY");
        // Two customers: alice, last on 1 March, 2 orders, 30,000; bob, 14 February, 1 order, 30,000. Alice
        // scores R5 F5 M1 (FM 3): loyal; bob R1 F1 M1: lost.
        assert_eq!(segment(&report, "loyal"), 1);
        assert_eq!(segment(&report, "lost"), 1);
        assert_eq!(
            report["repeat"],
            json!({"customers": 2, "repeat_customers": 1, "orders": 3, "returning_orders": 2,
                   "second_orders": 1, "median_days_to_second": 21.0})
        );
        assert_eq!(
            report["months"][0],
            json!({"month": "2026-01", "new_customers": 0, "new_orders": 0, "new_value_minor": 0,
                   "returning_customers": 1, "returning_orders": 1, "returning_value_minor": 20000})
        );

        let (status, page) = send(
            &shop.router,
            get(&format!(
                "/api/v1/insights/segments/loyal?{QUARTER}&per_page=10"
            )),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 1);
        assert_eq!(page["members"][0]["shopper_id"], "alice");
        assert_eq!(page["members"][0]["email"], "alice@example.com");
        assert_eq!(
            page["members"][0]["rfm"],
            json!({"recency": 5, "frequency": 5, "monetary": 1})
        );

        let (status, headers, csv) = send_for_headers(
            &shop.router,
            get(&format!("/api/v1/insights/segments/lost/csv?{QUARTER}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let csv = csv.as_str().unwrap();
        assert!(
            csv.starts_with("shopper_id,email,display_name,last_order_at,"),
            "{csv}"
        );
        assert!(
            csv.contains("\r\nbob,,Bob,2026-02-14T08:00:00.000Z,1,30000,CNY,1,1,1\r\n"),
            "{csv}"
        );
    }
}

#[tokio::test]
async fn the_api_refuses_what_it_cannot_read_with_a_4xx_naming_it() {
    for shop in shops().await {
        orders(&shop).await;
        let before = footprint(&shop).await;
        let unsigned = Request::get("/api/v1/insights/customers")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&shop.router, unsigned).await.0,
            StatusCode::UNAUTHORIZED
        );
        for (path, status, field) in [
            (
                "/api/v1/insights/customers?from=2026-04-01&to=2026-03-31",
                422,
                "from",
            ),
            (
                "/api/v1/insights/customers?from=2020-01-01&to=2026-03-31",
                422,
                "from",
            ),
            ("/api/v1/insights/customers?to=31.03.2026", 422, "to"),
            (
                "/api/v1/insights/customers?compare=last_week",
                422,
                "compare",
            ),
            ("/api/v1/insights/customers?limit=5", 422, "query"),
            ("/api/v1/insights/segments/whales", 404, "segment"),
            ("/api/v1/insights/segments/loyal?page=0", 422, "page"),
            (
                "/api/v1/insights/segments/loyal?per_page=1001",
                422,
                "per_page",
            ),
            ("/api/v1/insights/segments/loyal?per_page=ten", 422, "query"),
            (
                "/api/v1/insights/segments/loyal/csv?from=2026-02-30",
                422,
                "from",
            ),
        ] {
            let (got, body) = send(&shop.router, get(path)).await;
            assert_eq!(
                (got.as_u16(), body["field"].as_str()),
                (status, Some(field)),
                "{path}: {body}"
            );
            assert!(
                body["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{path}"
            );
        }
        assert_eq!(footprint(&shop).await, before);
    }
}

#[tokio::test]
async fn the_customers_page_and_its_downloads_are_the_merchants_alone() {
    for shop in shops().await {
        orders(&shop).await;
        let cookie = merchant_cookie();

        let (status, _, html) = page(&shop, "/merchant/customers", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(
            html.contains("rapport-merchant-sign-in"),
            "a visitor is asked to sign in"
        );
        assert!(!html.contains("insights-segments"));

        let (status, _, html) = page(
            &shop,
            &format!("/merchant/customers?{QUARTER}"),
            Some(&cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("data-testid=\"insights-segments\""), "{html}");
        assert!(html.contains("<tr data-segment=\"loyal\">"));
        assert!(html.contains("role=\"img\""), "the charts are drawn");
        assert!(
            html.contains("value=\"2026-01-01\""),
            "the form holds the period shown"
        );

        let (status, _, html) = page(
            &shop,
            "/merchant/customers?from=2026-04-01&to=2026-03-31",
            Some(&cookie),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("the first day comes after the last day"),
            "{html}"
        );
        assert!(
            html.contains("data-testid=\"insights-period\""),
            "the form again, to mend"
        );

        let (status, _, html) = page(&shop, "/merchant", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("href=\"/merchant/customers\""));

        let table = format!("/merchant/customers.csv?table=months&{QUARTER}");
        assert_eq!(page(&shop, &table, None).await.0, StatusCode::UNAUTHORIZED);
        let (status, headers, csv) = page(&shop, &table, Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"customers-months-2026-01-01-2026-03-31.csv\""
        );
        assert_eq!(
            csv.lines().nth(2),
            Some("2026-02,1,1,30000,0,0,0,CNY"),
            "bob is new in February: {csv}"
        );
        let (status, _, csv) = page(
            &shop,
            &format!("/merchant/customers/loyal.csv?{QUARTER}"),
            Some(&cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(csv.lines().count(), 2, "{csv}");
        for (path, status) in [
            (
                format!("/merchant/customers.csv?table=orders&{QUARTER}"),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "/merchant/customers/whales.csv".to_owned(),
                StatusCode::NOT_FOUND,
            ),
            (
                "/merchant/customers/loyal.csv?from=soon".to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            assert_eq!(page(&shop, &path, Some(&cookie)).await.0, status, "{path}");
        }
    }
}

#[tokio::test]
async fn widgets_at_work_answers_the_api_the_page_and_its_downloads_and_refuses_what_it_cannot_read()
 {
    for shop in shops().await {
        orders(&shop).await;
        let before = footprint(&shop).await;
        let (status, report) = send(
            &shop.router,
            get(&format!(
                "/api/v1/insights/widgets?{QUARTER}&compare=year_before"
            )),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["comparison"], "year_before");
        assert_eq!(
            report["previous"],
            json!({"first_day": "2025-01-01", "last_day": "2025-03-31"})
        );
        let kinds: Vec<&str> = report["figures"]["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["price_drop", "back_in_stock", "price_rise"]);
        // Nobody saved, reviewed or was told anything: the quarter's orders follow no widget.
        assert_eq!(report["figures"]["wish_lists"]["saves"], 0);
        assert_eq!(report["figures"]["reviews"]["written"], 0);
        assert_eq!(
            report["figures"]["reviews"]["months"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(report["tiers"]["months"].as_array().unwrap().len(), 3);

        for (path, status, field) in [
            (
                "/api/v1/insights/widgets?from=2026-04-01&to=2026-03-31",
                422,
                "from",
            ),
            ("/api/v1/insights/widgets?to=", 422, "to"),
            ("/api/v1/insights/widgets?compare=week", 422, "compare"),
            ("/api/v1/insights/widgets?table=alerts", 422, "query"),
        ] {
            let (got, body) = send(&shop.router, get(path)).await;
            assert_eq!(
                (got.as_u16(), body["field"].as_str()),
                (status, Some(field)),
                "{path}: {body}"
            );
        }
        let unsigned = Request::get("/api/v1/insights/widgets")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&shop.router, unsigned).await.0,
            StatusCode::UNAUTHORIZED
        );

        let cookie = merchant_cookie();
        let (status, _, html) = page(&shop, "/merchant/widgets", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(html.contains("rapport-merchant-sign-in"), "{html}");
        let (status, _, html) = page(
            &shop,
            &format!("/merchant/widgets?{QUARTER}"),
            Some(&cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        for part in [
            "work-alerts",
            "work-headlines",
            "work-reviews",
            "work-tiers",
        ] {
            assert!(html.contains(&format!("data-testid=\"{part}\"")), "{part}");
        }
        assert!(html.contains("<tr data-kind=\"back_in_stock\">"));
        let (status, _, html) = page(&shop, "/merchant", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("href=\"/merchant/widgets\""));

        let table = format!("/merchant/widgets.csv?table=alerts&{QUARTER}");
        assert_eq!(page(&shop, &table, None).await.0, StatusCode::UNAUTHORIZED);
        let (status, headers, csv) = page(&shop, &table, Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"widgets-alerts-2026-01-01-2026-03-31.csv\""
        );
        assert_eq!(
            csv.lines().collect::<Vec<_>>(),
            [
                "kind,alerts_started,alerts_confirmed,notices,emailed,seen,clicked,purchases,value_minor,currency",
                "price_drop,0,0,0,0,0,0,0,0,CNY",
                "back_in_stock,0,0,0,0,0,0,0,0,CNY",
                "price_rise,0,0,0,0,0,0,0,0,CNY",
            ]
        );
        let (status, _, csv) = page(
            &shop,
            &format!("/merchant/widgets.csv?table=reviews&{QUARTER}"),
            Some(&cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(csv.lines().nth(1), Some("2026-01,0,0,0,0,0,0"), "{csv}");
        assert_eq!(
            page(
                &shop,
                &format!("/merchant/widgets.csv?table=orders&{QUARTER}"),
                Some(&cookie)
            )
            .await
            .0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(footprint(&shop).await, before);
    }
}

/// A beacon as the feed's widgets send it: the form a browser's `URLSearchParams` writes, brackets escaped.
fn beacon(path: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body: String = form
        .iter()
        .map(|(name, value)| format!("{}={}", name.replace('[', "%5B").replace(']', "%5D"), value))
        .collect::<Vec<_>>()
        .join("&");
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn the_feeds_beacons_reach_the_merchants_figures_and_bad_ones_are_refused_with_a_4xx() {
    use app::feed::{CardClicked, CardsShown};
    use leptos::server_fn::ServerFn;
    for shop in shops().await {
        stock_the_shop(&shop).await;
        let alice = token_of("alice");
        let shown = [
            ("token", alice.as_str()),
            ("shelf", "trending"),
            ("skus[0]", "A"),
            ("skus[1]", "B"),
        ];
        let (status, body) = send(&shop.router, beacon(CardsShown::PATH, &shown)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let click = [
            ("token", alice.as_str()),
            ("shelf", "trending"),
            ("sku", "B"),
        ];
        let (status, body) = send(&shop.router, beacon(CardClicked::PATH, &click)).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let counted =
            || async { app::store::testing::count(&shop.store.db, "feed_card_events").await };
        assert_eq!(counted().await, 3);
        for (path, form, status, field) in [
            (
                CardClicked::PATH,
                vec![("token", "forged"), ("shelf", "trending"), ("sku", "B")],
                401,
                None,
            ),
            (
                CardClicked::PATH,
                vec![
                    ("token", alice.as_str()),
                    ("shelf", "front-page"),
                    ("sku", "B"),
                ],
                422,
                Some("shelf"),
            ),
            (
                CardClicked::PATH,
                vec![
                    ("token", alice.as_str()),
                    ("shelf", "trending"),
                    ("sku", "ZZ"),
                ],
                404,
                Some("sku"),
            ),
            (
                CardsShown::PATH,
                vec![
                    ("token", alice.as_str()),
                    ("shelf", "trending"),
                    ("skus[0]", "A"),
                    ("skus[1]", "A"),
                ],
                422,
                Some("skus[1]"),
            ),
        ] {
            let (got, body) = send(&shop.router, beacon(path, &form)).await;
            assert_eq!(
                (got.as_u16(), body["field"].as_str()),
                (status, field),
                "{form:?}: {body}"
            );
        }
        assert_eq!(counted().await, 3, "nothing refused was recorded");

        let today = app::kernel::time::iso_date(app::kernel::time::now());
        let (status, report) = send(
            &shop.router,
            get(&format!("/api/v1/insights/widgets?from={today}&to={today}")),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let trending = report["figures"]["feed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["shelf"] == "trending")
            .unwrap()
            .clone();
        assert_eq!(
            trending,
            json!({"shelf": "trending", "impressions": 2, "clicks": 1, "click_through": 50.0})
        );

        let cookie = merchant_cookie();
        let (status, _, csv) = page(
            &shop,
            &format!("/merchant/widgets.csv?table=feed&from={today}&to={today}"),
            Some(&cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        assert!(csv.contains("\r\ntrending,2,1,50\r\n"), "{csv}");
        let (status, _, html) = page(
            &shop,
            &format!("/merchant/widgets?from={today}&to={today}"),
            Some(&cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("data-shelf=\"trending\""), "{html}");
        assert!(
            !html.contains("data-shelf=\"recommended\""),
            "shelves that showed nothing are left out"
        );
    }
}

#[tokio::test]
async fn the_merchant_previews_every_kind_of_email_in_both_languages_and_no_one_else_does() {
    for shop in shops().await {
        let (status, headers, _) = page(&shop, "/merchant/emails?lang=zh-CN", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers[http::header::LOCATION], "/merchant?lang=zh-CN");

        let cookie = merchant_cookie();
        let (status, _, html) = page(&shop, "/merchant/emails?lang=en", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        for subject in [
            "Your question about Glass teapot, 1 litre has an answer",
            "How is your order 1001?",
            "A reminder: how is your order 1001?",
            "Your order 1002 is waiting for payment",
            "Cheaper now in your cart: Glass teapot, 1 litre is CN¥99.00",
        ] {
            assert!(html.contains(subject), "{subject} in {html}");
        }
        // Each email's HTML is shown in a sandboxed frame, escaped into its srcdoc; links go through /m/c/.
        assert_eq!(html.matches("<iframe").count(), 5);
        assert!(html.contains("sandbox"));
        assert!(html.contains("/m/c/v1.c."));
        assert!(
            !html.contains("/m/o/"),
            "no open-counting image in a preview"
        );

        let (_, _, chinese) = page(&shop, "/merchant/emails?lang=zh-CN", Some(&cookie)).await;
        assert!(chinese.contains("您的订单 1002 尚未付款"), "{chinese}");
        assert!(chinese.contains("购物车中的商品降价了"), "{chinese}");
        assert!(chinese.contains("lang=\"zh-CN\""));
    }
}
