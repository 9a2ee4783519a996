//! Alert emails through a real SMTP server on loopback (aiosmtpd, started by each test), delivered by real
//! `server work` processes: every notice arrives once even when a worker is killed with messages in flight,
//! two workers on one PostgreSQL database never send the same notice, and two servers with two workers on one
//! database, written to through both, do each part of the work once; an address refused for good is suppressed.

mod support;

use app::alerts::rules::AlertPolicy;
use app::alerts::ssr::{AlertRequest, subscribe};
use app::alerts::{AlertKind, PriceRule};
use app::catalog::PriceChange;
use app::catalog::ssr::change_prices;
use app::flows::catalog_alerts::CatalogAlerts;
use app::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use app::identity::Viewer;
use app::kernel::time::Millis;
use app::store::Db;
use app::store::testing::{self, TestDb};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{SECRET, free_port};

/// The secret the merchant's webhook calls are signed with.
const HOOK_SECRET: &str = "the-merchant-webhook-secret-0123456789";

/// Waits up to a minute for `done`, checking every 50 ms.
async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The SMTP server: a child process that writes each accepted message into `dir`.
struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Sink {
    async fn start(dir: &Path, hold_after: Option<usize>) -> Sink {
        Sink::launch(dir, hold_after, &[]).await
    }

    /// A server that refuses `addresses` for good ("550 5.1.1"), leaving a `.refused` file for each refusal.
    async fn refusing(dir: &Path, addresses: &[&str]) -> Sink {
        Sink::launch(dir, None, addresses).await
    }

    async fn launch(dir: &Path, hold_after: Option<usize>, refused: &[&str]) -> Sink {
        let port = free_port();
        let _ = std::fs::remove_file(dir.join("ready"));
        // Debian's Python, which has the python3-aiosmtpd package (a `python3` earlier on PATH may not).
        let mut command = Command::new("/usr/bin/python3");
        command
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py"))
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir)
            .stdout(Stdio::null());
        if let Some(hold) = hold_after {
            command.args(["--hold-after", &hold.to_string()]);
        }
        for address in refused {
            command.args(["--refuse", address]);
        }
        let child = command
            .spawn()
            .expect("python3 with aiosmtpd (Debian: python3-aiosmtpd) runs the test SMTP server");
        let ready = dir.join("ready");
        eventually("the SMTP server listens", async || ready.exists()).await;
        Sink {
            child,
            port,
            dir: dir.to_owned(),
        }
    }

    /// The files the server wrote with this extension, in the order written.
    fn files(&self, extension: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == extension))
            .collect();
        files.sort();
        files
    }

    /// How many times a recipient was refused.
    fn refusals(&self) -> usize {
        self.files("refused").len()
    }

    /// Every message received so far, raw.
    fn messages(&self) -> Vec<String> {
        self.files("eml")
            .iter()
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `server work` process delivering to the sink.
fn worker(database_url: &str, sink: &Sink) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--database-url",
            database_url,
            "--store-secret",
            SECRET,
            "--smtp-url",
            &format!("smtp://127.0.0.1:{}", sink.port),
            "--public-url",
            "https://shop.example",
            "--mail-from",
            "Rapport Test Shop <alerts@shop.example>",
            "--delivery-lease-seconds",
            "1",
            "--log",
            "warn",
            "work",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("start a worker")
}

/// Serves the merchant's webhook endpoint `hook` on a loopback port; returns its address.
async fn serve_webhook(hook: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rapport-hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await });
    url
}

/// Calls the merchant's webhook receives, headers and body, in order.
type Calls = std::sync::Arc<std::sync::Mutex<Vec<(http::HeaderMap, String)>>>;

/// A merchant's webhook endpoint that answers every call with 200 and records it; its address and the calls.
async fn recording_webhook() -> (String, Calls) {
    let received = Calls::default();
    let record = received.clone();
    let hook = axum::Router::new().route(
        "/rapport-hook",
        axum::routing::post(move |headers: http::HeaderMap, body: String| {
            let record = record.clone();
            async move {
                record.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    (serve_webhook(hook).await, received)
}

/// A `server work` process calling the webhook at `url`, with `extra` settings.
fn webhook_worker(database_url: &str, url: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--database-url",
            database_url,
            "--store-secret",
            SECRET,
            "--alert-webhook-url",
            url,
            "--alert-webhook-secret",
            HOOK_SECRET,
        ])
        .args(extra)
        .args(["--log", "error", "work"])
        .stdout(Stdio::null())
        .spawn()
        .expect("start a webhook worker")
}

/// A header of a raw message, unfolded.
fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next().unwrap_or_default();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// An RFC 2047 header value as text: lettre writes non-ASCII words as `=?utf-8?b?…?=`; the space between two
/// encoded words is not part of the text.
fn decoded(value: &str) -> String {
    use base64::Engine;
    let mut text = String::new();
    let mut after_encoded = false;
    for word in value.split_whitespace() {
        let encoded = word
            .strip_prefix("=?utf-8?b?")
            .and_then(|w| w.strip_suffix("?="));
        if !(text.is_empty() || after_encoded && encoded.is_some()) {
            text.push(' ');
        }
        match encoded {
            Some(inner) => text.push_str(
                &String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(inner)
                        .unwrap(),
                )
                .unwrap(),
            ),
            None => text.push_str(word),
        }
        after_encoded = encoded.is_some();
    }
    text
}

/// `subscribers` shoppers with a price-drop alert on one product, whose price then drops: that many emails are
/// queued (and as many inbox notices, delivered at once).
async fn queue_price_drop_emails(db: &Db, subscribers: usize) -> BTreeSet<String> {
    let policy = AlertPolicy {
        email: true,
        ..AlertPolicy::default()
    };
    queue_price_drop(db, subscribers, &policy, "email").await
}

/// `shopper` sets a price-drop alert on `sku`, for any drop.
async fn watch_for_drops(db: &Db, shopper: &str, sku: &str, policy: &AlertPolicy) {
    let request = AlertRequest {
        kind: AlertKind::PriceDrop,
        rule: PriceRule::AnyDrop,
        email: None,
    };
    subscribe(
        db,
        &Viewer::Shopper(shopper.to_owned()),
        sku,
        &request,
        "en",
        policy,
        Millis(1_000),
    )
    .await
    .unwrap();
}

/// `subscribers` price-drop alerts on one product whose price then drops; the ids of the notices queued on
/// `channel`.
async fn queue_price_drop(
    db: &Db,
    subscribers: usize,
    policy: &AlertPolicy,
    channel: &str,
) -> BTreeSet<String> {
    add_kitchen(db).await;
    add_products(db, &[product_input("KIT-1", 10_000, 5)]).await;
    for index in 0..subscribers {
        let shopper = format!("shopper-{index:03}");
        add_shopper(db, &shopper).await;
        watch_for_drops(db, &shopper, "KIT-1", policy).await;
    }
    let drop = PriceChange {
        sku: "KIT-1".into(),
        price_minor: 8_000,
        currency: "CNY".into(),
    };
    change_prices(db, &[drop], &CatalogAlerts(policy), Millis(2_000))
        .await
        .unwrap();
    sqlx::query_scalar::<_, i64>("SELECT id FROM notices WHERE channel = $1 ORDER BY id")
        .bind(channel)
        .fetch_all(db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|id| id.to_string())
        .collect()
}

async fn emails_sent(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE channel = 'email' AND status = 'sent'")
        .fetch_one(db.reader())
        .await
        .unwrap()
}

/// The notice ids of the received messages, in arrival order.
fn delivered_ids(sink: &Sink) -> Vec<String> {
    sink.messages()
        .iter()
        .map(|message| header(message, "X-Rapport-Notice").expect("X-Rapport-Notice header"))
        .collect()
}

#[tokio::test]
async fn every_email_arrives_once_though_the_worker_is_killed_with_messages_in_flight() {
    let store = testing::sqlite().await;
    let queued = queue_price_drop_emails(&store.db, 12).await;
    let mail = tempfile::tempdir().unwrap();

    // The server accepts five messages and then holds every further one: the worker, which sends several at
    // once, waits for their answers. It is killed once the five are recorded, with the rest in flight.
    let holding = Sink::start(mail.path(), Some(5)).await;
    let mut first = worker(&store.url, &holding);
    let held = mail.path().join("holding");
    eventually("a sixth message is in flight", async || held.exists()).await;
    eventually("the accepted messages are recorded", async || {
        emails_sent(&store.db).await == 5
    })
    .await;
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(delivered_ids(&holding).len(), 5);
    drop(holding);

    // A restarted server and worker: the rest of the batch, the held message included, once each.
    let sink = Sink::start(mail.path(), None).await;
    let mut second = worker(&store.url, &sink);
    eventually("every email is sent", async || {
        emails_sent(&store.db).await == 12
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();

    let ids = delivered_ids(&sink);
    assert_eq!(ids.len(), 12, "no email twice: {ids:?}");
    assert_eq!(ids.iter().cloned().collect::<BTreeSet<_>>(), queued);

    let message = &sink.messages()[0];
    assert_eq!(
        decoded(&header(message, "Subject").unwrap()),
        "Price drop: Teapot KIT-1 is now CN¥80.00"
    );
    assert_eq!(
        header(message, "From").as_deref(),
        Some("\"Rapport Test Shop\" <alerts@shop.example>")
    );
    assert!(header(message, "To").unwrap().ends_with("@example.com"));
    let unsubscribe = header(message, "List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with("<https://shop.example/alerts/unsubscribe/v1.u."),
        "{unsubscribe}"
    );
    assert_eq!(
        header(message, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let id = header(message, "X-Rapport-Notice").unwrap();
    assert_eq!(
        header(message, "Message-ID"),
        Some(format!("<notice-{id}@shop.example>")),
        "a stable Message-ID lets mail systems drop a duplicate"
    );
    assert!(
        header(message, "Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    assert!(message.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(message.contains("Content-Type: text/html; charset=utf-8"));
    assert!(message.contains("https://shop.example/alerts/click/"));
}

#[tokio::test]
async fn a_server_set_to_queue_only_leaves_the_emails_to_a_worker() {
    let store = testing::sqlite().await;
    queue_price_drop_emails(&store.db, 3).await;
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--database-url",
            &store.url,
            "--store-secret",
            SECRET,
            "--smtp-url",
            &format!("smtp://127.0.0.1:{}", sink.port),
            "--serve-delivers",
            "false",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--log",
            "warn",
            "serve",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("start a server");
    let health = format!("http://127.0.0.1:{port}/healthz");
    eventually("the server answers", async || {
        reqwest::get(&health)
            .await
            .is_ok_and(|answer| answer.status().is_success())
    })
    .await;
    // A delivering server polls every second: three seconds of serving would have sent them.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(emails_sent(&store.db).await, 0);
    assert!(sink.messages().is_empty());
    let metrics = format!("http://127.0.0.1:{port}/metrics");
    let scrape = async || reqwest::get(&metrics).await.unwrap().text().await.unwrap();
    let queued = scrape().await;
    for line in [
        "rapport_store_readable 1",
        "rapport_outbox_notices{channel=\"email\",state=\"due\"} 3",
        "rapport_outbox_notices{channel=\"email\",state=\"in_flight\"} 0",
        "rapport_outbox_notices{channel=\"webhook\",state=\"due\"} 0",
    ] {
        assert!(queued.lines().any(|l| l == line), "{line} in\n{queued}");
    }
    let oldest = queued
        .lines()
        .find_map(|l| l.strip_prefix("rapport_outbox_oldest_due_seconds{channel=\"email\"} "))
        .and_then(|seconds| seconds.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("the oldest due email's age in\n{queued}"));
    assert!(
        oldest >= 3.0,
        "due since before the server started: {oldest}"
    );

    let mut work = worker(&store.url, &sink);
    eventually("the worker sends every email", async || {
        emails_sent(&store.db).await == 3
    })
    .await;
    let drained = scrape().await;
    for line in [
        "rapport_outbox_notices{channel=\"email\",state=\"due\"} 0",
        "rapport_outbox_oldest_due_seconds{channel=\"email\"} 0.0",
    ] {
        assert!(drained.lines().any(|l| l == line), "{line} in\n{drained}");
    }
    for child in [&mut server, &mut work] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert_eq!(delivered_ids(&sink).len(), 3);
}

#[tokio::test]
async fn two_workers_on_one_postgres_database_send_each_email_once() {
    let Some(store) = testing::postgres().await else {
        return;
    };
    let store: TestDb = store;
    // More than one batch (100), so that both workers claim at the same time.
    let queued = queue_price_drop_emails(&store.db, 250).await;
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let mut workers = [worker(&store.url, &sink), worker(&store.url, &sink)];
    eventually("every email is sent", async || {
        emails_sent(&store.db).await == 250
    })
    .await;
    for worker in &mut workers {
        worker.kill().unwrap();
        worker.wait().unwrap();
    }
    let ids = delivered_ids(&sink);
    assert_eq!(ids.len(), 250, "no email twice");
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), queued);
    let senders: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT claimed_by) FROM notices WHERE channel = 'email' AND status = 'sent'",
    )
    .fetch_one(store.db.reader())
    .await
    .unwrap();
    assert_eq!(senders, 2, "both workers delivered");
}

#[tokio::test]
async fn the_merchants_webhook_gets_every_notice_once_signed_with_the_shared_secret() {
    let store = testing::sqlite().await;
    let policy = AlertPolicy {
        webhook: true,
        ..AlertPolicy::default()
    };
    let queued = queue_price_drop(&store.db, 5, &policy, "webhook").await;

    // The merchant's endpoint: records what it receives.
    let (url, received) = recording_webhook().await;
    let mut worker = webhook_worker(&store.url, &url, &[]);
    let sent = async || {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM notices WHERE channel = 'webhook' AND status = 'sent'",
        )
        .fetch_one(store.db.reader())
        .await
        .unwrap()
    };
    eventually("every webhook notice is sent", async || sent().await == 5).await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    let calls = received.lock().unwrap().clone();
    let mut ids = BTreeSet::new();
    for (headers, body) in &calls {
        let header = |name: &str| headers[name].to_str().unwrap().to_owned();
        let signature = header("x-rapport-signature");
        let timestamp: i64 = signature
            .strip_prefix("t=")
            .and_then(|rest| rest.split(',').next())
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            signature,
            server::delivery::webhook_signature(HOOK_SECRET, timestamp, body),
            "the merchant can verify the call"
        );
        let payload: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(payload["id"].to_string(), header("x-rapport-notice"));
        assert_eq!(
            (
                &payload["kind"],
                &payload["sku"],
                &payload["old_price_minor"],
                &payload["new_price_minor"]
            ),
            (
                &"price_drop".into(),
                &"KIT-1".into(),
                &10_000.into(),
                &8_000.into()
            )
        );
        assert!(
            payload["shopper_id"]
                .as_str()
                .unwrap()
                .starts_with("shopper-")
        );
        ids.insert(header("x-rapport-notice"));
    }
    assert_eq!(calls.len(), 5, "each notice once");
    assert_eq!(ids, queued);
}

#[tokio::test]
async fn a_failing_webhook_is_retried_with_backoff_until_the_attempts_run_out() {
    use axum::http::{HeaderMap, StatusCode};
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};
    let store = testing::sqlite().await;
    let policy = AlertPolicy {
        webhook: true,
        ..AlertPolicy::default()
    };
    let queued: Vec<String> = queue_price_drop(&store.db, 2, &policy, "webhook")
        .await
        .into_iter()
        .collect();
    let (recovers, stays_down) = (queued[0].clone(), queued[1].clone());

    // The merchant's endpoint is down: it answers 503 to every call, except that it recovers for the first
    // notice on its third attempt.
    let calls: Arc<Mutex<BTreeMap<String, Vec<Instant>>>> = Arc::default();
    let record = calls.clone();
    let first = recovers.clone();
    let hook = axum::Router::new().route(
        "/rapport-hook",
        axum::routing::post(move |headers: HeaderMap| {
            let record = record.clone();
            let first = first.clone();
            async move {
                let notice = headers["x-rapport-notice"].to_str().unwrap().to_owned();
                let mut calls = record.lock().unwrap();
                let attempts = calls.entry(notice.clone()).or_default();
                attempts.push(Instant::now());
                if notice == first && attempts.len() == 3 {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                }
            }
        }),
    );
    let url = serve_webhook(hook).await;
    let mut worker = webhook_worker(
        &store.url,
        &url,
        &[
            "--alert-max-attempts",
            "3",
            "--delivery-first-retry-seconds",
            "1",
        ],
    );
    let status = async |id: &str| {
        sqlx::query_scalar::<_, String>("SELECT status FROM notices WHERE id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(store.db.reader())
            .await
            .unwrap()
    };
    eventually("one notice is sent and the other given up on", async || {
        status(&recovers).await == "sent" && status(&stays_down).await == "failed"
    })
    .await;
    // A failed notice is not tried again.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    let calls = calls.lock().unwrap().clone();
    for id in [&recovers, &stays_down] {
        let attempts = &calls[id];
        assert_eq!(attempts.len(), 3, "notice {id}: three attempts");
        // 1 s, then 2 s, each at most 20% earlier for jitter.
        let waits: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(waits[0] >= Duration::from_millis(800), "{waits:?}");
        assert!(waits[1] >= Duration::from_millis(1_600), "{waits:?}");
    }
    let failed = app::alerts::ssr::failed_notices(&store.db, 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1, "the merchant sees the notice given up on");
    assert_eq!(failed[0].id.to_string(), stays_down);
    assert_eq!(failed[0].attempts, 3);
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("503"),
        "{:?}",
        failed[0].last_error
    );
}

/// A `server serve` process on `database_url` that queues emails for workers, and refreshes the feed every
/// second; its JSON log (with when it holds the feed's refresh lock) goes to `log`.
fn instance(database_url: &str, port: u16, sink: &Sink, log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--database-url",
            database_url,
            "--store-secret",
            SECRET,
            "--api-keys",
            support::KEY,
            "--smtp-url",
            &format!("smtp://127.0.0.1:{}", sink.port),
            "--serve-delivers",
            "false",
            "--feed-refresh-seconds",
            "1",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--log",
            "warn,app::feed=debug",
            "--log-format",
            "json",
            "serve",
        ])
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("start a server")
}

/// Sends a merchant API write to the server on `port`; it must succeed.
async fn post(
    client: &reqwest::Client,
    port: u16,
    path: &str,
    key: Option<&str>,
    body: &serde_json::Value,
) {
    let mut request = client
        .post(format!("http://127.0.0.1:{port}/api/v1{path}"))
        .bearer_auth(support::KEY)
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let answer = request.send().await.unwrap();
    let status = answer.status();
    assert!(
        status.is_success(),
        "{path}: {status} {}",
        answer.text().await.unwrap()
    );
}

/// The spans in which an instance's log says it held the feed's refresh lock, as (taken, to be released) in ms.
fn refresh_lock_spans(log: &Path) -> Vec<(i64, i64)> {
    let mut spans = Vec::new();
    let mut taken = None;
    for entry in std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
    {
        let at = || {
            app::kernel::time::parse_rfc3339(entry["timestamp"].as_str().unwrap())
                .unwrap()
                .0
        };
        match entry["fields"]["message"].as_str() {
            Some("feed refresh lock taken") => taken = Some(at()),
            Some("feed refresh lock to be released") => {
                spans.push((taken.take().expect("taken before released"), at()))
            }
            _ => {}
        }
    }
    spans
}

/// Child processes, killed when the test ends, even by a failed assertion.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test]
async fn two_servers_and_two_workers_on_one_postgres_database_share_the_work_and_do_each_part_once()
{
    let Some(store) = testing::postgres().await else {
        return;
    };
    let store: TestDb = store;
    let db = &store.db;
    // 40 shoppers each watch the price of 10 products.
    add_kitchen(db).await;
    let products: Vec<String> = (0..10).map(|n| format!("P-{n}")).collect();
    add_products(
        db,
        &products
            .iter()
            .map(|sku| product_input(sku, 10_000, 5))
            .collect::<Vec<_>>(),
    )
    .await;
    let policy = AlertPolicy {
        email: true,
        ..AlertPolicy::default()
    };
    for index in 0..40 {
        let shopper = format!("shopper-{index:02}");
        add_shopper(db, &shopper).await;
        for sku in &products {
            watch_for_drops(db, &shopper, sku, &policy).await;
        }
    }
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let logs = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port()];
    let processes = Processes(vec![
        instance(&store.url, ports[0], &sink, &logs.path().join("a.log")),
        instance(&store.url, ports[1], &sink, &logs.path().join("b.log")),
        worker(&store.url, &sink),
        worker(&store.url, &sink),
    ]);
    let client = &reqwest::Client::new();
    for port in ports {
        let health = format!("http://127.0.0.1:{port}/healthz");
        eventually("both servers answer", async || {
            client
                .get(&health)
                .send()
                .await
                .is_ok_and(|answer| answer.status().is_success())
        })
        .await;
    }
    // Price changes and orders go to both servers at once, as two of a store's machines, or a client retrying
    // on the other server, might send them.
    let mut load: Vec<futures::future::LocalBoxFuture<()>> = Vec::new();
    for sku in &products {
        let body =
            serde_json::json!({"prices": [{"sku": sku, "price_minor": 8_000, "currency": "CNY"}]});
        load.push(Box::pin(async move {
            futures::future::join(
                post(client, ports[0], "/prices", None, &body),
                post(client, ports[1], "/prices", None, &body),
            )
            .await;
        }));
    }
    for n in 0..100 {
        let order = serde_json::json!({"order_id": format!("O-{n:03}"), "shopper_id": format!("shopper-{:02}", n % 40),
            "currency": "CNY", "lines": [{"sku": products[n % 10], "quantity": 1, "unit_price_minor": 8_000}]});
        let key = format!("order-{n:03}");
        load.push(Box::pin(async move {
            futures::future::join(
                post(client, ports[0], "/orders", Some(&key), &order),
                post(client, ports[1], "/orders", Some(&key), &order),
            )
            .await;
        }));
    }
    for chunk in 0..50 {
        let events: Vec<_> = (0..10)
            .map(|n| {
                serde_json::json!({"shopper_id": format!("shopper-{:02}", (chunk + n) % 40),
                "sku": products[(chunk * 3 + n) % 10], "kind": "viewed"})
            })
            .collect();
        // Events carry no key: a batch sent twice would be two batches, so each goes to one server.
        let body = serde_json::json!({ "events": events });
        load.push(Box::pin(async move {
            post(client, ports[chunk % 2], "/events", None, &body).await;
        }));
    }
    futures::future::join_all(load).await;

    eventually("the workers send every email", async || {
        emails_sent(db).await == 400
    })
    .await;
    eventually("the feed has read every event", async || {
        app::feed::ssr::feed_state(db).await.unwrap().events_behind == 0
    })
    .await;
    // Each instance refreshes every second and finds the other's refresh busy now and then: wait until both have
    // had a turn, so that the spans below are compared across instances.
    let (a_log, b_log) = (logs.path().join("a.log"), logs.path().join("b.log"));
    eventually("both instances have refreshed the feed", async || {
        !refresh_lock_spans(&a_log).is_empty() && !refresh_lock_spans(&b_log).is_empty()
    })
    .await;
    drop(processes);

    let notices =
        sqlx::query_scalar::<_, i64>("SELECT id FROM notices WHERE channel = 'email' ORDER BY id")
            .fetch_all(db.reader())
            .await
            .unwrap();
    assert_eq!(
        notices.len(),
        400,
        "one email per alert, though each drop reached both servers"
    );
    let delivered = delivered_ids(&sink);
    assert_eq!(delivered.len(), 400, "no email twice");
    assert_eq!(
        delivered.into_iter().collect::<BTreeSet<_>>(),
        notices.iter().map(i64::to_string).collect::<BTreeSet<_>>()
    );
    assert_eq!(testing::count(db, "orders").await, 100, "each order once");
    let views: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM shopper_events WHERE kind = 'viewed'")
            .fetch_one(db.reader())
            .await
            .unwrap();
    assert_eq!(views, 500, "no event lost");

    let (a, b) = (refresh_lock_spans(&a_log), refresh_lock_spans(&b_log));
    for (a_taken, a_released) in &a {
        for (b_taken, b_released) in &b {
            assert!(
                a_released <= b_taken || b_released <= a_taken,
                "both held the refresh lock: {a_taken}..{a_released} and {b_taken}..{b_released}"
            );
        }
    }
}

#[tokio::test]
async fn the_asker_gets_one_email_per_answer_with_the_question_the_answer_and_a_link_to_all_answers()
 {
    use app::flows::answer_notices::AnswerNotices;
    use app::questions::rules::QuestionPolicy;
    use app::questions::ssr as questions;
    let store = testing::sqlite().await;
    let db = &store.db;
    add_kitchen(db).await;
    add_products(db, &[product_input("A", 1_000, 5)]).await;
    add_shopper(db, "asker").await;
    let now = app::kernel::time::now();
    let asked = questions::ask(
        db,
        "asker",
        "A",
        "Does it whistle?",
        &QuestionPolicy::default(),
        now,
    )
    .await
    .unwrap();
    questions::answer_as_shop(
        db,
        asked.id,
        "Yes, <loudly> & clearly.",
        &AnswerNotices,
        now,
    )
    .await
    .unwrap();
    // The shop changes its answer: the same answer, so no second email.
    questions::answer_as_shop(db, asked.id, "Yes, loudly.", &AnswerNotices, now)
        .await
        .unwrap();
    let sent = async || -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE status = 'sent'")
            .fetch_one(db.reader())
            .await
            .unwrap()
    };

    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let mut work = worker(&store.url, &sink);
    eventually("the email is sent", async || sent().await == 1).await;
    // A worker polls every second: two more seconds of work would have sent a second one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    work.kill().unwrap();
    work.wait().unwrap();

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(header(message, "To").as_deref(), Some("asker@example.com"));
    assert_eq!(
        decoded(&header(message, "Subject").unwrap()),
        "Your question about Teapot A has an answer"
    );
    let id = header(message, "X-Rapport-Message").expect("X-Rapport-Message header");
    assert!(
        header(message, "Message-ID")
            .is_some_and(|value| value == format!("<message-{id}@shop.example>")),
        "a stable Message-ID in\n{message}"
    );
    for words in [
        "You asked about Teapot A:",
        "Does it whistle?",
        "Rapport Demo Store answered:",
        "Yes, <loudly> & clearly.",
        "Yes, &#60;loudly&#62; &#38; clearly.",
    ] {
        assert!(message.contains(words), "{words} in\n{message}");
    }
    assert!(
        tracked_destinations(&unquoted(message))
            .contains(&"https://shop.example/p/A#questions".to_owned()),
        "{message}"
    );
}

/// Where the tracked links (`/m/c/…`) of an email go, as the store signed them.
fn tracked_destinations(email: &str) -> Vec<String> {
    let secret = app::identity::token::StoreSecret::new(SECRET).unwrap();
    email
        .split("https://shop.example/m/c/")
        .skip(1)
        .map(|rest| {
            let token: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .collect();
            app::identity::token::verify_message_click(&secret, &token)
                .unwrap_or_else(|error| panic!("{token}: {error:?}"))
                .1
        })
        .collect()
}

#[tokio::test]
async fn an_address_refused_for_good_is_suppressed_and_nothing_more_is_sent_to_it() {
    use app::messages::ssr as messages;
    use app::messages::{Answerer, MessageBody, QuestionAnswered};
    let store = testing::sqlite().await;
    let db = &store.db;
    let queued = queue_price_drop_emails(db, 3).await;
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::refusing(mail.path(), &["shopper-001@example.com"]).await;
    let mut work = worker(&store.url, &sink);
    let status = |sql: &'static str| async move {
        sqlx::query_as::<_, (String, Option<String>)>(sql)
            .fetch_one(db.reader())
            .await
            .unwrap()
    };
    eventually("two emails sent and one refused", async || {
        emails_sent(db).await == 2
            && status(
                "SELECT n.status, n.last_error FROM notices n JOIN alerts a ON a.id = n.alert_id \
                 JOIN shoppers s ON s.id = a.shopper_id WHERE n.channel = 'email' AND s.external_id = 'shopper-001'",
            )
            .await
            .0 == "failed"
    })
    .await;
    assert_eq!(sink.refusals(), 1, "refused for good: not tried again");
    let (_, error) = status(
        "SELECT n.status, n.last_error FROM notices n JOIN alerts a ON a.id = n.alert_id \
         JOIN shoppers s ON s.id = a.shopper_id WHERE n.channel = 'email' AND s.external_id = 'shopper-001'",
    )
    .await;
    assert!(error.unwrap().contains("550"));
    let delivered = delivered_ids(&sink);
    assert_eq!(delivered.len(), 2);
    assert!(delivered.iter().all(|id| queued.contains(id)));
    let listed = messages::suppressions(db, 10, 0).await.unwrap();
    assert_eq!(listed.suppressions.len(), 1);
    assert_eq!(listed.suppressions[0].email, "shopper-001@example.com");
    assert!(
        listed.suppressions[0]
            .reason
            .contains("mailbox unavailable"),
        "{listed:?}"
    );

    // A message for the same shopper later: failed at once, without asking the SMTP server again.
    let shopper = app::identity::ssr::shopper_key(db.reader(), "shopper-001")
        .await
        .unwrap()
        .unwrap();
    let answer = MessageBody::QuestionAnswered(QuestionAnswered {
        sku: "KIT-1".into(),
        product_title: "Teapot".into(),
        product_url: None,
        question: "Does it pour well?".into(),
        answer: "It does.".into(),
        answered_by: Answerer::Shop,
    });
    let mut tx = db.write().await.unwrap();
    assert!(
        messages::queue(
            &mut tx,
            shopper,
            "q-1",
            &answer,
            &Default::default(),
            Millis(3_000)
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();
    eventually("the message is given up", async || {
        status("SELECT status, last_error FROM messages").await.0 == "failed"
    })
    .await;
    let (_, error) = status("SELECT status, last_error FROM messages").await;
    assert!(error.unwrap().contains("suppression list"));
    assert_eq!(sink.refusals(), 1);
    assert_eq!(sink.messages().len(), 2);
    work.kill().unwrap();
    work.wait().unwrap();
}

/// A quoted-printable body as text: soft line breaks joined, `=XX` bytes decoded.
fn unquoted(message: &str) -> String {
    let joined = message.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[index], hex) {
            (b'=', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[tokio::test]
async fn a_review_request_and_its_one_reminder_arrive_with_five_star_links_for_each_product() {
    use app::messages::ssr as messages;
    use app::messages::{MessageBody, RequestedReview, ReviewRequest};
    let store = testing::sqlite().await;
    let db = &store.db;
    add_kitchen(db).await;
    add_products(db, &[product_input("A", 1_000, 5)]).await;
    add_shopper(db, "buyer").await;
    let shopper = app::identity::ssr::shopper_key(db.reader(), "buyer")
        .await
        .unwrap()
        .unwrap();
    for (key, reminder) in [("order:1", false), ("order:1:reminder", true)] {
        let body = MessageBody::ReviewRequest(ReviewRequest {
            order_id: "O-1".into(),
            products: vec![RequestedReview {
                sku: "A".into(),
                title: "Teapot A".into(),
                link: "v1.w.signed".into(),
            }],
            reminder,
        });
        let mut tx = db.write().await.unwrap();
        assert!(
            messages::queue(
                &mut tx,
                shopper,
                key,
                &body,
                &Default::default(),
                Millis(3_000)
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
    }
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let mut work = worker(&store.url, &sink);
    eventually("both emails are sent", async || sink.messages().len() == 2).await;
    work.kill().unwrap();
    work.wait().unwrap();

    let mut subjects = Vec::new();
    for message in sink.messages() {
        let text = unquoted(&message);
        let destinations = tracked_destinations(&text);
        for stars in 1..=5 {
            let link = format!("https://shop.example/review/v1.w.signed?stars={stars}");
            assert!(destinations.contains(&link), "{link} in {text}");
        }
        assert!(text.contains("Teapot A"));
        let subject = decoded(&header(&message, "Subject").unwrap());
        if subject.starts_with("A reminder") {
            assert!(
                text.contains("This is the only reminder for this order"),
                "{text}"
            );
        }
        subjects.push(subject);
    }
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "A reminder: how is your order O-1?",
            "How is your order O-1?"
        ]
    );
}

#[tokio::test]
async fn an_unpaid_orders_reminder_arrives_with_what_was_ordered_the_total_and_the_payment_page() {
    use app::flows::unpaid_reminders::queue_unpaid_reminders;
    let store = testing::sqlite().await;
    let db = &store.db;
    add_kitchen(db).await;
    add_products(
        db,
        &[product_input("A", 1_000, 5), product_input("B", 2_500, 5)],
    )
    .await;
    add_shopper(db, "buyer").await;
    let now = app::kernel::time::now();
    let lines = [("A", 2, 1_000), ("B", 1, 2_500)];
    let payment = "https://shop.example/checkout/U-7/pay";
    report_unpaid_a_day_ago(db, "U-7", "buyer", &lines, 800, payment, now).await;
    let queued = queue_unpaid_reminders(db, &at_any_hour(), now)
        .await
        .unwrap();
    assert_eq!(queued, 1);
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let mut work = worker(&store.url, &sink);
    eventually("the reminder is sent", async || sink.messages().len() == 1).await;
    work.kill().unwrap();
    work.wait().unwrap();

    let message = &sink.messages()[0];
    assert_eq!(
        decoded(&header(message, "Subject").unwrap()),
        "Your order U-7 is waiting for payment"
    );
    let text = unquoted(message);
    for expected in [
        "Teapot A × 2",
        "Teapot B × 1",
        "Total: CN¥53.00",
        "This is the only reminder for this order",
        "Choose which emails you get from",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    // The button goes through Rapport, which counts the click and sends the shopper to the store's payment page;
    // the image counts the open.
    let address = |prefix: &str| {
        let at = text
            .find(prefix)
            .unwrap_or_else(|| panic!("{prefix} in {text}"));
        text[at..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .next()
            .unwrap()
            .trim_start_matches("https://shop.example")
            .to_owned()
    };
    let (click, image) = (
        address("https://shop.example/m/c/"),
        address("https://shop.example/m/o/"),
    );
    let router = server::router(
        support::state_of(&store),
        server::RouterOptions::default(),
        support::pages(),
    )
    .unwrap();
    let get = |path: String| {
        let router = router.clone();
        async move {
            use tower::ServiceExt;
            router
                .oneshot(
                    http::Request::get(path)
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap()
        }
    };
    let marks = || async {
        sqlx::query_as::<_, (Option<i64>, Option<i64>)>(
            "SELECT opened_at, clicked_at FROM messages",
        )
        .fetch_one(db.reader())
        .await
        .unwrap()
    };
    assert_eq!(marks().await, (None, None));
    let pixel = get(image).await;
    assert_eq!(pixel.status(), http::StatusCode::OK);
    assert_eq!(pixel.headers()[http::header::CONTENT_TYPE], "image/gif");
    assert_eq!(
        pixel.headers()[http::header::CACHE_CONTROL],
        "no-store, private"
    );
    let (opened, clicked) = marks().await;
    assert!(opened.is_some() && clicked.is_none());
    let followed = get(click.clone()).await;
    assert_eq!(followed.status(), http::StatusCode::SEE_OTHER);
    assert_eq!(
        followed.headers()[http::header::LOCATION],
        "https://shop.example/checkout/U-7/pay"
    );
    let (again, clicked) = marks().await;
    assert_eq!(again, opened, "the first open stands");
    assert!(clicked.is_some());
    // A link whose address was changed is no link of the store's.
    let forged = click.replacen("/m/c/v1.c.", "/m/c/v1.c.A", 1);
    assert_eq!(get(forged).await.status(), http::StatusCode::NOT_FOUND);
    // One click in the mail client stops unpaid-order reminders (RFC 8058), through the preferences link.
    let unsubscribe = header(message, "List-Unsubscribe").unwrap();
    assert!(
        unsubscribe.starts_with("<https://shop.example/email-preferences/v1.p."),
        "{unsubscribe}"
    );
    assert_eq!(
        header(message, "List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
}

#[tokio::test]
async fn a_price_drop_in_a_cart_arrives_with_the_saving_the_lowest_price_and_a_link_to_the_product()
{
    use app::flows::cart_price_drops::{CartDropPolicy, CartPriceDrops};
    let store = testing::sqlite().await;
    let db = &store.db;
    add_kitchen(db).await;
    add_products(db, &[product_input("A", 1_000, 5)]).await;
    add_shopper(db, "buyer").await;
    let now = app::kernel::time::now();
    app::carts::carted(db, &Viewer::Shopper("buyer".into()), "A", 2, now)
        .await
        .unwrap();
    let alerts = AlertPolicy::default();
    let mut policy = CartDropPolicy::default();
    policy.marketing.quiet_hours = None;
    let flows = (
        CatalogAlerts(&alerts),
        CartPriceDrops {
            alerts: &alerts,
            policy: &policy,
        },
    );
    let drop = PriceChange {
        sku: "A".into(),
        price_minor: 800,
        currency: "CNY".into(),
    };
    change_prices(db, &[drop], &flows, now).await.unwrap();
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let mut work = worker(&store.url, &sink);
    eventually("the price drop is sent", async || {
        sink.messages().len() == 1
    })
    .await;
    work.kill().unwrap();
    work.wait().unwrap();

    let message = &sink.messages()[0];
    assert_eq!(
        decoded(&header(message, "Subject").unwrap()),
        "Cheaper now in your cart: Teapot A is CN¥8.00"
    );
    let text = unquoted(message);
    for expected in [
        "Teapot A, which is in your cart at",
        "is now CN¥8.00 (was CN¥10.00)",
        "Lowest price in the previous 30 days: CN¥10.00.",
        "With 2 in your cart, that is CN¥4.00 less.",
        "because this product is in your cart at",
        "Choose which emails you get from",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let at = text
        .find("https://shop.example/m/c/")
        .expect("a tracked link");
    let click = text[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap()
        .trim_start_matches("https://shop.example")
        .to_owned();
    use tower::ServiceExt;
    let followed = server::router(
        support::state_of(&store),
        server::RouterOptions::default(),
        support::pages(),
    )
    .unwrap()
    .oneshot(
        http::Request::get(click)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(followed.status(), http::StatusCode::SEE_OTHER);
    assert_eq!(
        followed.headers()[http::header::LOCATION],
        "https://shop.example/p/A",
        "the storefront's page, the catalogue having none of its own"
    );
}

#[tokio::test]
async fn every_reminder_arrives_once_though_the_worker_is_killed_with_some_in_flight() {
    use app::flows::unpaid_reminders::queue_unpaid_reminders;
    let store = testing::sqlite().await;
    let db = &store.db;
    add_kitchen(db).await;
    add_products(db, &[product_input("A", 1_000, 5)]).await;
    let now = app::kernel::time::now();
    for n in 0..12 {
        let shopper = format!("buyer-{n}");
        add_shopper(db, &shopper).await;
        let payment = format!("https://shop.example/pay/U-{n}");
        let order = format!("U-{n}");
        report_unpaid_a_day_ago(db, &order, &shopper, &[("A", 1, 1_000)], 0, &payment, now).await;
    }
    assert_eq!(
        queue_unpaid_reminders(db, &at_any_hour(), now)
            .await
            .unwrap(),
        12
    );
    let sent = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM messages WHERE status = 'sent'")
            .fetch_one(db.reader())
            .await
            .unwrap()
    };
    let mail = tempfile::tempdir().unwrap();

    // The server accepts five and holds the sixth; the worker is killed with the rest in flight.
    let holding = Sink::start(mail.path(), Some(5)).await;
    let mut first = worker(&store.url, &holding);
    let held = mail.path().join("holding");
    eventually("a sixth message is in flight", async || held.exists()).await;
    eventually("the accepted messages are recorded", async || {
        sent().await == 5
    })
    .await;
    first.kill().unwrap();
    first.wait().unwrap();
    drop(holding);

    let sink = Sink::start(mail.path(), None).await;
    let mut second = worker(&store.url, &sink);
    eventually("every reminder is sent", async || sent().await == 12).await;
    second.kill().unwrap();
    second.wait().unwrap();

    // Each message once, under its own stable Message-ID: the held one, sent again, repeats its id.
    let ids: Vec<String> = sink
        .messages()
        .iter()
        .map(|message| header(message, "X-Rapport-Message").expect("X-Rapport-Message header"))
        .collect();
    assert_eq!(ids.len(), 12, "no reminder twice: {ids:?}");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 12);
    for message in sink.messages() {
        let id = header(&message, "X-Rapport-Message").unwrap();
        assert_eq!(
            header(&message, "Message-ID"),
            Some(format!("<message-{id}@shop.example>"))
        );
    }
}

/// Reports `order_id` placed 25 hours before `now` and not paid, with `lines` (SKU, quantity, unit price): its
/// reminder is due.
async fn report_unpaid_a_day_ago(
    db: &Db,
    order_id: &str,
    shopper: &str,
    lines: &[(&str, i64, i64)],
    shipping_minor: i64,
    payment_url: &str,
    now: Millis,
) {
    let order = app::orders::UnpaidOrderInput {
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: lines
            .iter()
            .map(
                |(sku, quantity, unit_price_minor)| app::orders::OrderLineInput {
                    sku: (*sku).into(),
                    quantity: *quantity,
                    unit_price_minor: *unit_price_minor,
                },
            )
            .collect(),
        shipping_minor,
        tax_minor: 0,
        placed_at: Some(app::kernel::time::to_rfc3339(now - Millis::hours(25))),
        payment_url: payment_url.into(),
    };
    app::orders::ssr::record_unpaid(db, order_id, &order, now)
        .await
        .unwrap();
}

/// Unpaid-order reminders as the store sends them by default, but at any hour: the tests run at night too.
fn at_any_hour() -> app::flows::unpaid_reminders::UnpaidReminderPolicy {
    let mut policy = app::flows::unpaid_reminders::UnpaidReminderPolicy::default();
    policy.marketing.quiet_hours = None;
    policy
}

#[tokio::test]
async fn a_shopper_who_stopped_opening_marketing_email_gets_it_through_the_merchants_webhook() {
    use app::messages::ssr::{self as messages, MarketingRules, NewMessage};
    use app::messages::{MessageBody, UnpaidOrderReminder};
    let store = testing::sqlite().await;
    let db = &store.db;
    add_shopper(db, "quiet").await;
    let shopper = app::identity::ssr::shopper_key(db.reader(), "quiet")
        .await
        .unwrap()
        .unwrap();
    let reminder = |order: &str| NewMessage {
        shopper,
        dedupe_key: format!("unpaid:{order}"),
        body: MessageBody::UnpaidOrder(UnpaidOrderReminder {
            order_id: order.into(),
            total: app::kernel::money::Money::new(1_000, "CNY"),
            payment_url: format!("https://shop.example/pay/{order}"),
            products: Vec::new(),
        }),
    };
    let rules = MarketingRules {
        quiet_hours: None,
        unopened_limit: Some(1),
        webhook: true,
        ..MarketingRules::default()
    };
    let now = app::kernel::time::now();
    // An earlier reminder was emailed and never opened.
    let mut tx = db.write().await.unwrap();
    messages::queue_many(&mut tx, &[reminder("U-1")], &rules, now - Millis::days(3))
        .await
        .unwrap();
    sqlx::query("UPDATE messages SET status = 'sent', sent_at = $1, tracked = 1")
        .bind(now - Millis::days(3))
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        messages::queue_many(&mut tx, &[reminder("U-2")], &rules, now)
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();

    let (url, received) = recording_webhook().await;
    let mail = tempfile::tempdir().unwrap();
    let sink = Sink::start(mail.path(), None).await;
    let smtp = format!("smtp://127.0.0.1:{}", sink.port);
    let mut worker = webhook_worker(&store.url, &url, &["--smtp-url", &smtp]);
    eventually("the webhook gets the reminder", async || {
        !received.lock().unwrap().is_empty()
    })
    .await;
    eventually("it is recorded sent", async || {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM messages WHERE status = 'sent'")
            .fetch_one(db.reader())
            .await
            .unwrap()
            == 2
    })
    .await;
    worker.kill().unwrap();
    worker.wait().unwrap();

    assert!(sink.messages().is_empty(), "no email went");
    let calls = received.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let (headers, body) = &calls[0];
    let signature = headers["x-rapport-signature"].to_str().unwrap();
    let timestamp: i64 = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        signature,
        server::delivery::webhook_signature(HOOK_SECRET, timestamp, body)
    );
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["type"], "message");
    assert_eq!(payload["kind"], "unpaid_order");
    assert_eq!(payload["reason"], "stopped_opening_email");
    assert_eq!(payload["shopper_id"], "quiet");
    assert_eq!(payload["email"], "quiet@example.com");
    assert_eq!(payload["message"]["order_id"], "U-2");
    assert_eq!(
        headers["x-rapport-message"].to_str().unwrap(),
        payload["id"].to_string()
    );
}
