//! Prometheus metrics: request counts and latencies per route, and so per server function.

use app::identity::throttle::client_address;
use app::kernel::error::{AppError, ErrorCode};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
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

/// The server's metrics registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    throttled: Family<RouteLabels, Counter>,
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
        Self {
            registry: Arc::new(registry),
            requests,
            latency,
            throttled,
        }
    }
}

impl Metrics {
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
    State((metrics, access)): State<(Metrics, MetricsAccess)>,
    request: Request,
) -> Response {
    if let Err(error) = access.check(&request) {
        return crate::api::ApiError(error).into_response();
    }
    (
        [(
            http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}
