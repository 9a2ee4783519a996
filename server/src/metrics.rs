//! Prometheus metrics: request counts and latencies per route, and so per server function; and, read from the
//! database at each scrape, how the work behind the pages stands: the outbox of notices, the feed's lists and the
//! tier reviews (so every instance on one database reports the same), beside when this instance last refreshed
//! the feed and reviewed tiers itself.

use app::identity::throttle::client_address;
use app::kernel::error::{AppError, ErrorCode};
use app::kernel::time::Millis;
use app::store::Db;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    channel: String,
    state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ListLabels {
    list: String,
}

/// Seconds, or a moment as seconds since 1970.
type Seconds = Gauge<f64, AtomicU64>;

/// The delivery channels and the feed's lists: each gets its series even when it holds nothing, so that a
/// drained outbox reads 0 rather than the last count.
const CHANNELS: [&str; 2] = ["email", "webhook"];
const LISTS: [&str; 3] = ["bought", "interest", "viewed"];

/// The server's metrics registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    throttled: Family<RouteLabels, Counter>,
    store_readable: Gauge,
    outbox: Family<OutboxLabels, Gauge>,
    outbox_oldest_due: Family<ChannelLabels, Seconds>,
    messages: Family<StateLabels, Gauge>,
    messages_oldest_due: Seconds,
    feed_events_behind: Gauge,
    feed_lists: Family<ListLabels, Gauge>,
    feed_full_build: Seconds,
    feed_popularity: Seconds,
    feed_refreshed: Seconds,
    feed_refresh_duration: Seconds,
    tier_members_awaiting: Gauge,
    tier_last_review_date: Seconds,
    tier_reviewed: Seconds,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("rapport");
        let requests = Family::<RequestLabels, Counter>::default();
        // 0.5 ms to about 8 s.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 15))
        });
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        let throttled = Family::<RouteLabels, Counter>::default();
        registry.register(
            "throttled_requests",
            "Requests refused for coming too fast or guessing keys (429), by route",
            throttled.clone(),
        );
        let mut gauge = |name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let store_readable = gauge(
            "store_readable",
            "1 when this scrape could read the outbox, feed and tier state from the database, 0 when it could not",
        );
        let feed_events_behind = gauge(
            "feed_events_behind",
            "Events recorded after the feed's last refresh read, which the next refresh folds in",
        );
        let tier_members_awaiting = gauge(
            "tier_members_awaiting_review",
            "Members not yet reviewed on the last tier review date",
        );
        let mut seconds = |name: &str, help: &str| {
            let gauge = Seconds::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let feed_full_build = seconds(
            "feed_full_build_timestamp_seconds",
            "When the feed's lists were last rebuilt from every event (by any instance); 0 before the first build",
        );
        let feed_popularity = seconds(
            "feed_popularity_timestamp_seconds",
            "When best sellers and trending were last recomputed (by any instance)",
        );
        let feed_refreshed = seconds(
            "feed_refresh_last_timestamp_seconds",
            "When this instance last finished a feed refresh (0: not yet)",
        );
        let feed_refresh_duration = seconds(
            "feed_refresh_last_duration_seconds",
            "How long this instance's last feed refresh took",
        );
        let tier_last_review_date = seconds(
            "tier_last_review_date_timestamp_seconds",
            "The last tier review date the rules set, passed or today",
        );
        let tier_reviewed = seconds(
            "tier_review_last_timestamp_seconds",
            "When this instance last ran the periodic tier review (0: not yet)",
        );
        let messages_oldest_due = seconds(
            "outbox_messages_oldest_due_seconds",
            "How long the longest-due message has waited for a worker (0: none due)",
        );
        let outbox = Family::<OutboxLabels, Gauge>::default();
        registry.register(
            "outbox_notices",
            "Undelivered notices by channel and state: due (waiting for a worker), in_flight (leased to a worker), \
             waiting (a retry's back-off or a price change's hover guard), failed (given up until resent)",
            outbox.clone(),
        );
        let outbox_oldest_due = Family::<ChannelLabels, Seconds>::default();
        registry.register(
            "outbox_oldest_due_seconds",
            "How long the longest-due notice of a channel has waited for a worker (0: none due)",
            outbox_oldest_due.clone(),
        );
        let messages = Family::<StateLabels, Gauge>::default();
        registry.register(
            "outbox_messages",
            "Undelivered messages to shoppers (answers, review requests, unpaid-order reminders) by state: due, \
             in_flight, waiting (a retry's back-off, or marketing held until the shopper's quiet hours end), \
             failed (given up)",
            messages.clone(),
        );
        let feed_lists = Family::<ListLabels, Gauge>::default();
        registry.register(
            "feed_lists",
            "Products holding a stored similarity list, by list",
            feed_lists.clone(),
        );
        Self {
            registry: Arc::new(registry),
            requests,
            latency,
            throttled,
            store_readable,
            outbox,
            outbox_oldest_due,
            messages,
            messages_oldest_due,
            feed_events_behind,
            feed_lists,
            feed_full_build,
            feed_popularity,
            feed_refreshed,
            feed_refresh_duration,
            tier_members_awaiting,
            tier_last_review_date,
            tier_reviewed,
        }
    }
}

/// A moment as Prometheus has it: seconds since 1970.
fn timestamp(at: Millis) -> f64 {
    at.0 as f64 / 1000.0
}

impl Metrics {
    /// Records a feed refresh this instance finished at `at`, which took `took`.
    pub fn feed_refreshed(&self, at: Millis, took: std::time::Duration) {
        self.feed_refreshed.set(timestamp(at));
        self.feed_refresh_duration.set(took.as_secs_f64());
    }

    /// Records a periodic tier review this instance finished at `at`.
    pub fn tiers_reviewed(&self, at: Millis) {
        self.tier_reviewed.set(timestamp(at));
    }

    /// Reads the outbox, feed and tier state from the database into their gauges; on a failure, says so in
    /// `store_readable` and keeps the last values.
    async fn read_store(&self, db: &Db, now: Millis) {
        let readable = match self.try_read_store(db, now).await {
            Ok(()) => 1,
            Err(error) => {
                tracing::warn!(%error, "metrics: cannot read the outbox, feed and tier state");
                0
            }
        };
        self.store_readable.set(readable);
    }

    async fn try_read_store(&self, db: &Db, now: Millis) -> Result<(), app::store::StoreError> {
        let outbox = app::alerts::ssr::outbox_state(db, now).await?;
        let feed = app::feed::ssr::feed_state(db).await?;
        let tiers = app::tiers::ssr::review_state(db, now).await?;
        for channel in CHANNELS {
            let state = outbox
                .iter()
                .find(|state| state.channel == channel)
                .cloned()
                .unwrap_or_default();
            for (name, count) in [
                ("due", state.due),
                ("in_flight", state.in_flight),
                ("waiting", state.waiting),
                ("failed", state.failed),
            ] {
                self.outbox
                    .get_or_create(&OutboxLabels {
                        channel: channel.to_owned(),
                        state: name.to_owned(),
                    })
                    .set(count);
            }
            self.outbox_oldest_due
                .get_or_create(&ChannelLabels {
                    channel: channel.to_owned(),
                })
                .set(
                    state
                        .oldest_due
                        .map_or(0.0, |waited| waited.0 as f64 / 1000.0),
                );
        }
        let messages = app::messages::ssr::outbox_state(db, now).await?;
        for (name, count) in [
            ("due", messages.due),
            ("in_flight", messages.in_flight),
            ("waiting", messages.waiting),
            ("failed", messages.failed),
        ] {
            self.messages
                .get_or_create(&StateLabels {
                    state: name.to_owned(),
                })
                .set(count);
        }
        self.messages_oldest_due.set(
            messages
                .oldest_due
                .map_or(0.0, |waited| waited.0 as f64 / 1000.0),
        );
        self.feed_events_behind.set(feed.events_behind);
        for list in LISTS {
            let products = feed
                .lists
                .iter()
                .find(|(name, _)| name == list)
                .map_or(0, |(_, products)| *products);
            self.feed_lists
                .get_or_create(&ListLabels {
                    list: list.to_owned(),
                })
                .set(products);
        }
        self.feed_full_build
            .set(feed.full_build_at.map_or(0.0, timestamp));
        self.feed_popularity
            .set(feed.popularity_at.map_or(0.0, timestamp));
        self.tier_members_awaiting.set(tiers.awaiting);
        self.tier_last_review_date
            .set(timestamp(tiers.last_review_at));
        Ok(())
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

/// Counts and times every routed request. Unmatched paths share one label, so scanners cannot bloat the series.
pub async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .latency
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    if response.status() == http::StatusCode::TOO_MANY_REQUESTS {
        metrics
            .throttled
            .get_or_create(&RouteLabels {
                method: method.clone(),
                route: route.clone(),
            })
            .inc();
    }
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// Who may read the metrics, which name every route and how busy the store is: with a token configured, whoever
/// sends it as `Authorization: Bearer <token>`; without one, only this machine (a Prometheus beside the server).
#[derive(Clone, Default)]
pub struct MetricsAccess {
    pub token: Option<String>,
}

impl MetricsAccess {
    fn check(&self, request: &Request) -> Result<(), AppError> {
        match &self.token {
            Some(token) => {
                let presented = request
                    .headers()
                    .get(http::header::AUTHORIZATION)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.strip_prefix("Bearer "))
                    .unwrap_or_default();
                if same(presented.trim().as_bytes(), token.as_bytes()) {
                    Ok(())
                } else {
                    Err(AppError::unauthorized(
                        "send the metrics token as Authorization: Bearer <token>",
                    ))
                }
            }
            None => {
                // A request a proxy on this machine passed on comes from the loopback too: only a direct one counts.
                let proxied = ["forwarded", "x-forwarded-for"]
                    .iter()
                    .any(|name| request.headers().contains_key(*name));
                let local = !proxied
                    && client_address(request.extensions())
                        .is_some_and(|address| address.to_canonical().is_loopback());
                if local {
                    Ok(())
                } else {
                    Err(AppError::new(
                        ErrorCode::Forbidden,
                        "metrics are served to this machine only; set --metrics-token to read them from elsewhere",
                    ))
                }
            }
        }
    }
}

/// Compares in time that does not depend on where the first difference is, so the token cannot be guessed byte by
/// byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

pub async fn render(
    State((metrics, access, db)): State<(Metrics, MetricsAccess, Db)>,
    request: Request,
) -> Response {
    if let Err(error) = access.check(&request) {
        return crate::api::ApiError(error).into_response();
    }
    metrics.read_store(&db, app::kernel::time::now()).await;
    (
        [(
            http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}
