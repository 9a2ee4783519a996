//! The Rapport server: configuration, the router (storefront, widgets' server functions, merchant API,
//! health and metrics) and the delivery of alert notices. The binary in `main.rs` is a thin command line over
//! this; demo data, benchmarks and the feed's evaluation live in the `tools` crate.

pub mod alert_links;
pub mod api;
pub mod config;
pub mod delivery;
pub mod demo_images;
pub mod email_links;
pub mod email_previews;
pub mod emails;
pub mod merchant_downloads;
pub mod metrics;
pub mod photos;
pub mod retired_builds;
pub mod state;

use crate::state::AppState;
use app::identity::merchant::{MerchantSignIn, MerchantSignOut, is_cross_site, session_in};
use app::identity::throttle::{ClientAddress, Network, forwarded_client};
use app::kernel::error::{AppError, ErrorCode};
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderName, HeaderValue, Method};
use leptos::server_fn::ServerFn;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

/// Everything the router needs beyond the state the server functions see.
#[derive(Clone, Default)]
pub struct RouterOptions {
    /// Store origins allowed to call the widgets' server functions from their pages.
    pub allowed_origins: Vec<String>,
    pub metrics: metrics::Metrics,
    pub draining: Draining,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<Network>,
    pub metrics_access: metrics::MetricsAccess,
}

/// Set once the server has been asked to stop: it still answers, but closes each connection after its response
/// and fails its health check, so that clients and load balancers move away before the listener closes. A request
/// sent on a kept-alive connection at the moment it is closed would otherwise get no answer at all.
#[derive(Clone, Default)]
pub struct Draining(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn started(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The storefront's page routes, found by running the app once.
///
/// Made once per process, before any page is served: while leptos finds them it suppresses the loading of every
/// resource in the process (a global flag), so a page rendering at that moment would wait forever
/// (leptos-rs/leptos#4773). Tests that build many routers share one `Pages`.
#[derive(Clone)]
pub struct Pages(Vec<leptos_axum::AxumRouteListing>);

impl Pages {
    pub fn of_app() -> Self {
        Self(generate_route_list(App))
    }
}

/// The whole HTTP surface.
pub fn router(state: AppState, options: RouterOptions, pages: &Pages) -> Result<Router, String> {
    let routes = pages.0.clone();
    let context_state = state.clone();
    let context = move || context_state.provide();
    let leptos_options = state.leptos_options.clone();
    let mut storefront =
        Router::new().leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos_options.clone())
        });
    for called in app::embed::CALLED_BY_LOADER {
        let context = context.clone();
        storefront = storefront.route(
            called.hashed,
            axum::routing::post(move |request| {
                at_its_named_path(called.path, request, context.clone())
            }),
        );
    }
    let mut storefront = storefront
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .with_state(state.clone());
    storefront = storefront
        .layer(axum::middleware::map_response(server_fn_error_status))
        .layer(axum::middleware::from_fn(server_function_bodies));
    if !options.allowed_origins.is_empty() {
        storefront = storefront.layer(cors(&options.allowed_origins)?);
    }
    let draining = options.draining.clone();
    Ok(Router::new()
        .route("/healthz", get(healthz))
        .with_state(state.clone())
        .nest("/api/v1", api::router(state.clone()))
        .route(
            "/metrics",
            get(metrics::render).with_state((
                options.metrics.clone(),
                options.metrics_access.clone(),
                state.db.clone(),
            )),
        )
        .route("/demo-img/{*path}", get(demo_images::image))
        .route(
            "/photos/{key}",
            get(photos::photo).with_state(state.clone()),
        )
        .route(
            "/merchant/customers.csv",
            get(merchant_downloads::customers_table).with_state(state.clone()),
        )
        .route(
            "/merchant/customers/{file}",
            get(merchant_downloads::segment).with_state(state.clone()),
        )
        .route(
            "/merchant/emails",
            get(email_previews::previews).with_state(state.clone()),
        )
        .route(
            "/merchant/widgets.csv",
            get(merchant_downloads::widgets_table).with_state(state.clone()),
        )
        .route(
            "/alerts/click/{token}",
            get(alert_links::click).with_state(state.clone()),
        )
        .route(
            "/alerts/unsubscribe/{token}",
            axum::routing::post(alert_links::unsubscribe).with_state(state.clone()),
        )
        .route(
            "/email-preferences/{token}",
            axum::routing::post(email_links::preferences).with_state(state.clone()),
        )
        .route(
            "/m/o/{file}",
            get(email_links::opened).with_state(state.clone()),
        )
        .route(
            "/m/c/{token}",
            get(email_links::clicked).with_state(state.clone()),
        )
        .merge(storefront)
        .layer(axum::middleware::from_fn_with_state(
            options.metrics,
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(
            refuse_cross_site_merchant_requests,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(page_security_policy))
        .layer(axum::middleware::from_fn_with_state(
            draining,
            close_when_draining,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(options.trusted_proxies),
            find_client,
        ))
        .layer(axum::middleware::from_fn(site_file_caching))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(compressible)))
        .layer(TraceLayer::new_for_http()))
}

/// The file of the built site naming the folder the storefront's bundle is published in (`pkg/<hash>`, written
/// by `rapport-tools publish-assets`).
pub const STOREFRONT_BUILD: &str = "pkg/build";

/// Where the pages find the storefront's bundle under `site_root`: the published folder [`STOREFRONT_BUILD`]
/// names, or `pkg` for a site built without publishing (no such file). A file naming no published folder is an
/// error: the pages would link a bundle that is not there.
pub fn storefront_pkg_dir(site_root: &std::path::Path) -> Result<String, String> {
    let file = site_root.join(STOREFRONT_BUILD);
    let named = match std::fs::read_to_string(&file) {
        Ok(named) => named,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok("pkg".to_owned()),
        Err(error) => return Err(format!("{}: {error}", file.display())),
    };
    let named = named.trim();
    let published = named.strip_prefix("pkg/").is_some_and(content_hash);
    if !published {
        return Err(format!(
            "{}: {named:?} is not a published bundle's folder (pkg/ and 16 hex digits); build the site again",
            file.display()
        ));
    }
    if !site_root.join(named).is_dir() {
        return Err(format!(
            "{} names {named}, which the site lacks; build the site again",
            file.display()
        ));
    }
    Ok(named.to_owned())
}

/// Whether a part of a site path is a published build's content hash (16 hex digits: `rapport-tools
/// publish-assets`).
pub(crate) fn content_hash(part: &str) -> bool {
    part.len() == 16 && part.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// How the built site's files are kept by browsers, by their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SiteFile {
    /// Named by its content, or in a folder so named (`rapport-tools publish-assets`): a release brings a new
    /// name, so it is kept a year.
    Hashed,
    /// Linked from stores' pages (the embed loader, the theme defaults): its URL stays, so it is kept a few
    /// minutes, then checked again with its ETag.
    Pasted,
    /// Keeps its name across releases (a bundle built without publishing, the elements' manifest and
    /// declarations): checked again each time, so a browser never pairs an old glue file with a new WASM.
    Named,
}

impl SiteFile {
    fn of(path: &str) -> Option<Self> {
        // A 16-hex-digit part of the name (`rapport.<hash>.css`) or a folder so named (a published build).
        let hashed = path.split(['/', '.']).any(content_hash);
        if (path.starts_with("/widgets/") || path.starts_with("/pkg/")) && hashed {
            Some(Self::Hashed)
        } else if matches!(path, "/embed.js" | "/rapport-theme.css") {
            Some(Self::Pasted)
        } else if path.starts_with("/pkg/")
            || path.starts_with("/widgets/")
            || matches!(path, "/custom-elements.json" | "/rapport-widgets.d.ts")
        {
            Some(Self::Named)
        } else {
            None
        }
    }
}

/// Long enough that a store page's next views reuse the loader and theme, short enough that a release reaches every
/// page soon.
const PASTED_CACHE: &str = "public, max-age=300";
const HASHED_CACHE: &str = "public, max-age=31536000, immutable";
/// The loader and the theme are a few kilobytes; each is read whole to tag it.
const MAX_PASTED_BYTES: usize = 1024 * 1024;

/// Caches the built site's files as [`SiteFile`] says, and answers a browser asking again whether its copy is
/// current (`If-None-Match` with the ETag of a file stores link to, or `If-Modified-Since`) with 304 and no body; the static-file
/// handler does not see those headers. The widgets' TypeScript declarations are text: the handler takes `.ts` for
/// a video.
async fn site_file_caching(request: axum::extract::Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let Some(kind) = SiteFile::of(&path) else {
        return next.run(request).await;
    };
    let declarations = path.ends_with(".d.ts");
    let asked_since = request
        .headers()
        .get(http::header::IF_MODIFIED_SINCE)
        .cloned();
    let asked_tag = request.headers().get(http::header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.status() != http::StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match kind {
        SiteFile::Pasted => {
            let bytes = match axum::body::to_bytes(body, MAX_PASTED_BYTES).await {
                Ok(bytes) => bytes,
                Err(error) => {
                    tracing::error!(%error, path, "a site file could not be read");
                    return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            };
            // Weak: the same tag names the file however the compression layer then encodes it.
            let tag = format!("W/\"{}\"", &hex::encode(Sha256::digest(&bytes))[..16]);
            if let Ok(tag) = HeaderValue::from_str(&tag) {
                parts.headers.insert(http::header::ETAG, tag);
            }
            Body::from(bytes)
        }
        SiteFile::Hashed | SiteFile::Named => body,
    };
    let caching = match kind {
        SiteFile::Hashed => HASHED_CACHE,
        SiteFile::Pasted => PASTED_CACHE,
        SiteFile::Named => "no-cache",
    };
    parts.headers.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static(caching),
    );
    if declarations {
        parts.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    // An ETag asked about decides alone (RFC 9110, 13.2.2); else the modification date.
    let unchanged = match (&asked_tag, parts.headers.get(http::header::ETAG)) {
        (Some(asked), Some(tag)) => asked
            .to_str()
            .is_ok_and(|asked| asked.split(',').any(|one| one.trim() == tag)),
        (Some(_), None) => false,
        (None, _) => {
            asked_since.is_some()
                && parts.headers.get(http::header::LAST_MODIFIED) == asked_since.as_ref()
        }
    };
    if unchanged {
        // The same headers (CORS and Vary included, which a store page's cached copy is checked with), no body.
        parts.status = http::StatusCode::NOT_MODIFIED;
        for body_header in [
            http::header::CONTENT_LENGTH,
            http::header::ACCEPT_RANGES,
            http::header::CONTENT_ENCODING,
        ] {
            parts.headers.remove(body_header);
        }
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, body)
}

/// What is worth compressing on the wire, for a client that accepts brotli or gzip: the WASM, scripts, styles and
/// JSON that shoppers' browsers and the merchant's systems download. Pages stream as they render and pictures are
/// compressed already, so they go as they are.
fn compressible(
    _: http::StatusCode,
    _: http::Version,
    headers: &http::HeaderMap,
    _: &http::Extensions,
) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim())
        .is_some_and(|kind| {
            matches!(
                kind,
                "application/wasm"
                    | "text/javascript"
                    | "application/javascript"
                    | "text/css"
                    | "application/json"
                    | "image/svg+xml"
            )
        })
}

/// Behind trusted proxies, records the client's own address for everything that counts per client.
async fn find_client(
    axum::extract::State(trusted): axum::extract::State<std::sync::Arc<Vec<Network>>>,
    mut request: axum::extract::Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if let (Some(peer), false) = (peer, trusted.is_empty()) {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        let client = forwarded_client(peer, &forwarded, &trusted);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

/// While draining: `/healthz` answers 503, and every response asks the client to close its connection (hyper then
/// closes it once the response is sent), so no request is sent on a connection the server is about to drop.
async fn close_when_draining(
    axum::extract::State(draining): axum::extract::State<Draining>,
    request: axum::extract::Request,
    next: Next,
) -> Response {
    if !draining.started() {
        return next.run(request).await;
    }
    let mut response = if request.uri().path() == "/healthz" {
        (http::StatusCode::SERVICE_UNAVAILABLE, "stopping").into_response()
    } else {
        next.run(request).await
    };
    response
        .headers_mut()
        .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Merchant sessions act only from Rapport's own pages: a state-changing request that carries the merchant's
/// session cookie, or signs a merchant in or out, is refused when a page of another site sent it (CSRF), whatever
/// server function or route it names. `SameSite=Strict` on the cookie stays as the second layer.
async fn refuse_cross_site_merchant_requests(
    request: axum::extract::Request,
    next: Next,
) -> Response {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    let for_a_merchant = session_in(request.headers()).is_some()
        || path == MerchantSignIn::PATH
        || path == MerchantSignOut::PATH;
    if changes_state && for_a_merchant && is_cross_site(request.headers()) {
        tracing::warn!(path, "cross-site merchant request refused");
        return api::ApiError(AppError::new(
            ErrorCode::Forbidden,
            "Merchant actions are taken only from Rapport's own merchant pages.",
        ))
        .into_response();
    }
    next.run(request).await
}

/// The Content-Security-Policy of a page: scripts only from this origin, or inline with the response's nonce
/// (Leptos puts it on its hydration scripts), so that text that ever slipped past its escaping still cannot run;
/// WASM may compile; merchant pages may not be framed by any page, shop pages only by this site's own.
fn content_security_policy(nonce: &str, merchant_page: bool) -> String {
    let framing = if merchant_page { "'none'" } else { "'self'" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src * data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {framing}"
    )
}

/// Gives each request a fresh script nonce (the page render takes it from the request, see [`AppState::provide`])
/// and each HTML answer the [`content_security_policy`] naming it, with `X-Frame-Options: DENY` on merchant pages
/// for browsers that predate `frame-ancestors`. Set here rather than through Leptos's `ResponseOptions`, whose
/// headers a page now and then came back without (one render in about thirty under the end-to-end suite), and so
/// that every HTML answer has it, the fallback's error pages included.
async fn page_security_policy(mut request: axum::extract::Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let merchant_page = request.uri().path().starts_with("/merchant");
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !html {
        return response;
    }
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce, merchant_page)) {
        headers.insert(http::header::CONTENT_SECURITY_POLICY, policy);
    }
    if merchant_page {
        headers.insert(
            http::header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        );
    }
    response
}

/// Headers every response carries: browsers must not guess a content type (a JSON error read as HTML), and no
/// other site learns which page a shopper came from (shared wish lists and alert links carry tokens in their URLs).
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(http::header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    response
}

/// The largest server-function error body read back to find its status; error bodies are a few hundred bytes.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// Server functions' bodies, before server_fn reads them (it reads whatever it is sent). Most take a form or JSON of
/// a few kilobytes: past [`SERVER_FUNCTION_BYTES`] the request is a 413. A photo upload is streamed instead: a form
/// that is not multipart with a boundary is a 415 here (server_fn panics on one, as it cannot find where the parts
/// begin; the same parser decides), and the body is cut off past one photo's size and a little form around it,
/// whatever its parts claim (a 413 when its length says so at once).
async fn server_function_bodies(request: axum::extract::Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if request.uri().path() != app::reviews::UploadReviewPhoto::PATH {
        let (parts, body) = request.into_parts();
        return match axum::body::to_bytes(body, SERVER_FUNCTION_BYTES).await {
            Ok(bytes) => {
                next.run(axum::extract::Request::from_parts(parts, Body::from(bytes)))
                    .await
            }
            Err(_) => api::ApiError(AppError::new(
                ErrorCode::TooLarge,
                format!(
                    "the request is larger than the {} KB a call may send",
                    SERVER_FUNCTION_BYTES / 1024
                ),
            ))
            .into_response(),
        };
    }
    let multipart = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|content_type| {
            content_type
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
                && multer::parse_boundary(content_type).is_ok()
        });
    if !multipart {
        return api::ApiError(
            AppError::new(
                ErrorCode::UnsupportedMediaType,
                "send the photo as multipart/form-data, in a field named photo",
            )
            .on_field("photo"),
        )
        .into_response();
    }
    let most = app::reviews::MAX_PHOTO_BYTES + UPLOAD_FORM_BYTES;
    let declared = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > most) {
        return api::ApiError(app::reviews::photo_too_large()).into_response();
    }
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, most)));
    next.run(request).await
}

/// A server function that the loader calls by its own path, asked for at the hashed path of earlier builds
/// ([`app::embed::CALLED_BY_LOADER`]): answered by the same function.
async fn at_its_named_path(
    path: &'static str,
    mut request: axum::extract::Request,
    context: impl Fn() + Clone + Send + 'static,
) -> Response {
    *request.uri_mut() = http::Uri::from_static(path);
    leptos_axum::handle_server_fns_with_context(context, request)
        .await
        .into_response()
}

/// The most a server function's arguments may take, as sent: a review's 5,000 characters as JSON escapes are 30 KB.
const SERVER_FUNCTION_BYTES: usize = 256 * 1024;

/// What an upload's form may carry beside the photo's bytes: part headers, the boundaries, the file's name.
const UPLOAD_FORM_BYTES: usize = 64 * 1024;

/// Gives every server function's error response the HTTP status of its code, and `Retry-After` to a rate limit.
/// server_fn answers every error with 500 unless the function set a status itself, so an argument that does not
/// parse, or an error passed on with a bare `?`, would otherwise reach the caller as a server failure. A form sent
/// without JavaScript is answered with a redirect back to its page (`Location`), the error in the address for the
/// page to show: that one is a redirect whatever status the function set, or the browser would show the error's
/// JSON instead of the page.
async fn server_fn_error_status(mut response: Response) -> Response {
    if !response
        .headers()
        .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    if response.headers().contains_key(http::header::LOCATION) {
        *response.status_mut() = http::StatusCode::FOUND;
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ERROR_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "server function error body unreadable");
            parts.status = http::StatusCode::INTERNAL_SERVER_ERROR;
            return Response::from_parts(parts, Body::empty());
        }
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = http::StatusCode::from_u16(error.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        api::add_error_headers(&error, &mut parts.headers);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Lets pages of the configured store origins call the widgets' server functions with the token header, and
/// load the WASM and its glue (module scripts are fetched with CORS). No credentials: the shopper's token travels
/// in a header, never in a cookie, so a page of another origin cannot act for a shopper.
fn cors(origins: &[String]) -> Result<CorsLayer, String> {
    let origins = origins
        .iter()
        .map(|origin| store_origin(origin))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers([
            http::header::CONTENT_TYPE,
            http::header::ACCEPT,
            HeaderName::from_static(app::identity::TOKEN_HEADER),
        ])
        // Chromium keeps a preflight's answer at most two hours: a store page asks once, not before each call.
        .max_age(std::time::Duration::from_secs(7200)))
}

/// A store origin as browsers send it: `https://shop.example` or `http://127.0.0.1:8080`, without path or
/// trailing slash. A wildcard or `null` (sandboxed frames, `file:` pages) would let any page in, so they are
/// refused.
fn store_origin(text: &str) -> Result<HeaderValue, String> {
    let origin = text.trim();
    let refuse = |why: &str| Err(format!("allowed origin \"{origin}\": {why}"));
    if origin == "*" || origin.eq_ignore_ascii_case("null") {
        return refuse("name each store origin; a wildcard or null would let any page act");
    }
    let Some((scheme, host)) = origin.split_once("://") else {
        return refuse("expected scheme://host[:port], e.g. https://shop.example");
    };
    if scheme != "https" && scheme != "http" {
        return refuse("the scheme must be https or http");
    }
    if host.is_empty() || host.contains(['/', '?', '#', '*', '@', ' ']) {
        return refuse(
            "expected only scheme://host[:port], with no path, wildcard or trailing slash",
        );
    }
    // Browsers send the host in lower case and leave the scheme's default port out: anything else never matches.
    if host.chars().any(|c| c.is_ascii_uppercase()) {
        return refuse("write the host in lower case, as browsers send it");
    }
    if (scheme == "https" && host.ends_with(":443")) || (scheme == "http" && host.ends_with(":80"))
    {
        return refuse("leave out the scheme's default port, as browsers do");
    }
    HeaderValue::from_str(origin).or_else(|_| refuse("not a valid header value"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_files_are_cached_by_whether_their_names_follow_their_content() {
        for (path, kind) in [
            (
                "/widgets/rapport-widgets_bg.0123456789abcdef.wasm",
                Some(SiteFile::Hashed),
            ),
            (
                "/widgets/rapport.0123456789ABCDEF.css",
                Some(SiteFile::Hashed),
            ),
            (
                "/widgets/0123456789abcdef/split_reviews.wasm",
                Some(SiteFile::Hashed),
            ),
            (
                "/widgets/0123456789abcdef/rapport-chunks.js",
                Some(SiteFile::Hashed),
            ),
            ("/widgets/rapport-widgets.js", Some(SiteFile::Named)),
            (
                "/widgets/0123456789abcde/chunk_1.wasm",
                Some(SiteFile::Named),
            ),
            (
                "/widgets/rapport-widgets.0123456789abcde.js",
                Some(SiteFile::Named),
            ),
            ("/pkg/0123456789abcdef/rapport.js", Some(SiteFile::Hashed)),
            ("/pkg/build", Some(SiteFile::Named)),
            ("/pkg/rapport.css", Some(SiteFile::Named)),
            ("/embed.js", Some(SiteFile::Pasted)),
            ("/rapport-theme.css", Some(SiteFile::Pasted)),
            ("/rapport-widgets.d.ts", Some(SiteFile::Named)),
            ("/p/KIT-00001", None),
            ("/api/v1/products", None),
        ] {
            assert_eq!(SiteFile::of(path), kind, "{path}");
        }
    }

    #[test]
    fn the_pages_link_the_published_storefront_bundle_and_refuse_a_file_naming_none() {
        let site = tempfile::tempdir().unwrap();
        assert_eq!(
            storefront_pkg_dir(site.path()).unwrap(),
            "pkg",
            "not published"
        );
        std::fs::create_dir_all(site.path().join("pkg/0123456789abcdef")).unwrap();
        std::fs::write(site.path().join(STOREFRONT_BUILD), "pkg/0123456789abcdef\n").unwrap();
        assert_eq!(
            storefront_pkg_dir(site.path()).unwrap(),
            "pkg/0123456789abcdef"
        );
        std::fs::write(site.path().join(STOREFRONT_BUILD), "pkg/fedcba9876543210").unwrap();
        let missing = storefront_pkg_dir(site.path()).unwrap_err();
        assert!(missing.contains("which the site lacks"), "{missing}");
        for wrong in ["../etc", "pkg/0123", "pkg/0123456789abcdef/..", ""] {
            std::fs::write(site.path().join(STOREFRONT_BUILD), wrong).unwrap();
            let error = storefront_pkg_dir(site.path()).unwrap_err();
            assert!(
                error.contains("not a published bundle's folder"),
                "{wrong}: {error}"
            );
        }
    }

    #[test]
    fn store_origins_must_be_exact_origins() {
        for good in [
            "https://shop.example",
            "http://127.0.0.1:3301",
            " https://shop.example:8443 ",
        ] {
            assert!(store_origin(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("*", "wildcard"),
            ("null", "wildcard or null"),
            ("shop.example", "scheme://host"),
            ("ftp://shop.example", "https or http"),
            ("https://shop.example/", "trailing slash"),
            ("https://shop.example/store", "no path"),
            ("https://*.shop.example", "wildcard"),
            ("https://Shop.example", "lower case"),
            ("https://shop.example:443", "default port"),
        ] {
            let error = store_origin(bad).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }
}
