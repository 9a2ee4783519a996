//! The Rapport server: configuration, the router (storefront, widgets' server functions, merchant API,
//! health and metrics), demo data and benchmarks. The binary in `main.rs` is a thin command line over this.

pub mod alert_links;
pub mod api;
pub mod bench;
pub mod config;
pub mod delivery;
pub mod demo_images;
pub mod evaluation;
pub mod metrics;
pub mod seed;

use app::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::routing::get;
use http::{HeaderName, HeaderValue, Method};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

/// Everything the router needs beyond the state the server functions see.
#[derive(Clone, Default)]
pub struct RouterOptions {
    /// Store origins allowed to call the widgets' server functions from their pages.
    pub allowed_origins: Vec<String>,
    pub metrics: metrics::Metrics,
}

/// The whole HTTP surface.
pub fn router(state: AppState, options: RouterOptions) -> Result<Router, String> {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let context = move || provide_context(context_state.clone());
    let leptos_options = state.leptos_options.clone();
    let mut storefront = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .with_state(state.clone());
    if !options.allowed_origins.is_empty() {
        storefront = storefront.layer(cors(&options.allowed_origins)?);
    }
    Ok(Router::new()
        .route("/healthz", get(healthz))
        .with_state(state.clone())
        .nest("/api/v1", api::router(state.clone()))
        .route(
            "/metrics",
            get(metrics::render).with_state(options.metrics.clone()),
        )
        .route("/demo-img/{*path}", get(demo_images::image))
        .route(
            "/alerts/click/{token}",
            get(alert_links::click).with_state(state.clone()),
        )
        .route(
            "/alerts/unsubscribe/{token}",
            axum::routing::post(alert_links::unsubscribe).with_state(state.clone()),
        )
        .merge(storefront)
        .layer(axum::middleware::from_fn_with_state(
            options.metrics,
            metrics::track,
        ))
        .layer(TraceLayer::new_for_http()))
}

/// Lets pages of the configured store origins call the widgets' server functions with the token header.
fn cors(origins: &[String]) -> Result<CorsLayer, String> {
    let origins = origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(origin.trim())
                .map_err(|_| format!("\"{origin}\" is not a valid origin"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            http::header::CONTENT_TYPE,
            http::header::ACCEPT,
            HeaderName::from_static(app::identity::TOKEN_HEADER),
        ]))
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (http::StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(state.db.reader()).await {
        Ok(_) => (http::StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            (
                http::StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable",
            )
        }
    }
}
