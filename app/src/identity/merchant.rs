//! Merchants: API keys for the store's systems, and a moderation session for people working in Rapport's own
//! merchant pages.
//!
//! A merchant signs in to the pages with one of the store's API keys and the name the moderation log should
//! record. The session is a signed token (kind `m`, see [`super::token`]) in an `HttpOnly`, `SameSite=Strict`
//! cookie: page scripts cannot read it, other sites cannot send it, and the pages render on the server and work
//! without JavaScript. Widgets never use it; they identify shoppers by header only.

use crate::kernel::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::ssr::{Identity, identity},
    crate::kernel::context::{PublicUrl, server_context},
    crate::kernel::error::{Translation, respond_with},
    crate::kernel::validate::{TextRule, text},
    sha2::{Digest, Sha256},
    std::sync::Arc,
};

/// The cookie that carries a merchant's moderation session.
pub const MERCHANT_COOKIE: &str = "rapport_merchant";

/// How long a moderation session lasts: a working day.
#[cfg(feature = "ssr")]
const SESSION_SECONDS: i64 = 8 * 3600;

/// The store's API keys, kept as SHA-256 digests so that checking one takes the same time whatever the input.
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct MerchantKeys(Arc<Vec<[u8; 32]>>);

#[cfg(feature = "ssr")]
impl MerchantKeys {
    pub fn new(keys: &[String]) -> Self {
        Self(Arc::new(
            keys.iter()
                .filter(|k| !k.is_empty())
                .map(|k| Sha256::digest(k.as_bytes()).into())
                .collect(),
        ))
    }

    /// Which configured key `key` is, by a short fingerprint the logs may show, or `None` for an unknown key.
    pub fn identify(&self, key: &str) -> Option<String> {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let known = self.0.iter().fold(false, |found, known| {
            found
                | (known
                    .iter()
                    .zip(digest)
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0)
        });
        known.then(|| hex::encode(&digest[..4]))
    }
}

/// Whether a request comes from a page of another site, by what the browser says of it: `Sec-Fetch-Site` where the
/// browser sends it, else `Origin` against `Host`. A request with neither is no browser's cross-site form (those
/// always carry one), so it passes; the session cookie's `SameSite=Strict` stays as a second layer.
#[cfg(feature = "ssr")]
pub fn is_cross_site(headers: &http::HeaderMap) -> bool {
    let header = |name: http::HeaderName| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = header(http::HeaderName::from_static("sec-fetch-site")) {
        return !matches!(site, "same-origin" | "none");
    }
    match (header(http::header::ORIGIN), header(http::header::HOST)) {
        (None, _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_none_or(|(_, authority)| !authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => true,
    }
}

/// The merchant session a request's cookies carry, if any (not yet verified).
#[cfg(feature = "ssr")]
pub fn session_in(headers: &http::HeaderMap) -> Option<&str> {
    let prefix = format!("{MERCHANT_COOKIE}=");
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(prefix.as_str()))
        .filter(|session| !session.is_empty())
}

/// The merchant a merchant-page server function acts for, from the request's moderation session.
#[cfg(feature = "ssr")]
pub fn request_merchant() -> Result<String, AppError> {
    current_merchant(&identity()?).map_err(respond_with)
}

/// The merchant the request's moderation session names, or `unauthorized`.
#[cfg(feature = "ssr")]
pub fn current_merchant(identity: &Identity) -> Result<String, AppError> {
    let parts = use_context::<http::request::Parts>().ok_or_else(AppError::internal)?;
    merchant_of(identity, &parts.headers)
}

/// The merchant a request's session cookie names, or `unauthorized`: for the server's own routes outside Leptos
/// (the merchant pages' downloads).
#[cfg(feature = "ssr")]
pub fn merchant_of(identity: &Identity, headers: &http::HeaderMap) -> Result<String, AppError> {
    let session = session_in(headers)
        .ok_or_else(|| AppError::unauthorized(Translation::of("error.merchant_sign_in")))?;
    super::token::verify_merchant(
        &identity.secret,
        session,
        crate::kernel::time::now().as_seconds(),
    )
}

/// Which of the store's API keys `key` is (its fingerprint), or `None`. A wrong key counts against the client
/// and the key's first characters, and a client over the limit is refused before its key is looked at, so that
/// guessing costs time whatever it finds. The merchant API and the merchant pages' sign-in both ask here.
#[cfg(feature = "ssr")]
pub fn identify_key(
    identity: &Identity,
    client: String,
    key: &str,
) -> Result<Option<String>, AppError> {
    let guesser = [client, super::throttle::key_prefix(key)];
    let moment = std::time::Instant::now();
    identity
        .throttles
        .wrong_keys
        .check(&guesser, moment, Translation::of("error.wrong_keys"))?;
    let known = identity.merchant_keys.identify(key);
    if known.is_none() {
        tracing::warn!(client = guesser[0], "an unknown API key");
        identity.throttles.wrong_keys.record(&guesser, moment);
    }
    Ok(known)
}

/// The session cookie's attributes: never readable by scripts nor sent by other sites, and only over HTTPS when the
/// server's public address is HTTPS.
#[cfg(feature = "ssr")]
pub fn session_cookie(value: &str, max_age: i64, public_url: &str) -> String {
    let secure = if public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{MERCHANT_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    )
}

#[cfg(feature = "ssr")]
fn set_session_cookie(value: &str, max_age: i64) -> Result<(), AppError> {
    let PublicUrl(public_url) = server_context()?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(cookie) =
            http::HeaderValue::from_str(&session_cookie(value, max_age, &public_url))
    {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    Ok(())
}

/// Signs a merchant in to the merchant pages with one of the store's API keys. `name` is who the moderation
/// log records. On success the browser is sent on to `next` (a path on this site).
#[server]
pub async fn merchant_sign_in(name: String, key: String, next: String) -> Result<(), AppError> {
    let identity = identity()?;
    let name = name.trim();
    text("name", name, TextRule::line(60)).map_err(respond_with)?;
    let client = super::throttle::current_client();
    let Some(fingerprint) = identify_key(&identity, client, key.trim()).map_err(respond_with)?
    else {
        return Err(respond_with(AppError::unauthorized(Translation::of(
            "error.api_key_unknown",
        ))));
    };
    tracing::info!(merchant = name, key = fingerprint, "merchant signed in");
    let token = super::token::issue_merchant(
        &identity.secret,
        name,
        (crate::kernel::time::now() + crate::kernel::time::Millis::seconds(SESSION_SECONDS))
            .as_seconds(),
    );
    set_session_cookie(&token, SESSION_SECONDS)?;
    // Only paths on this site, so that the sign-in form cannot be turned into an open redirect.
    let next = if next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/merchant/reviews".to_owned()
    };
    leptos_axum::redirect(&next);
    Ok(())
}

/// Ends the merchant's moderation session.
#[server]
pub async fn merchant_sign_out() -> Result<(), AppError> {
    set_session_cookie("", 0)?;
    leptos_axum::redirect("/merchant/reviews");
    Ok(())
}

/// The merchant's sign-in form, shown by merchant pages to a visitor without a session.
#[component]
pub fn MerchantSignInForm(
    /// Where to go once signed in.
    #[prop(into)]
    next: String,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let sign_in = ServerAction::<MerchantSignIn>::new();
    let after = next.clone();
    // The session cookie is in place: load the page afresh, so everything renders for the merchant.
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_in.value().get() {
            let _ = window().location().assign(&after);
        }
    });
    view! {
        <section class="rapport-merchant-sign-in">
            <h2>{move || i18n.t("merchant.sign_in_title")}</h2>
            <p>{move || i18n.t("merchant.sign_in_text")}</p>
            <ActionForm action=sign_in>
                <input type="hidden" name="next" value=next />
                <label>
                    {move || i18n.t("merchant.your_name")}
                    <input type="text" name="name" maxlength="60" required autocomplete="name" />
                </label>
                <label>
                    {move || i18n.t("merchant.api_key")}
                    <input type="password" name="key" required autocomplete="current-password" />
                </label>
                <button type="submit" class="rapport-button rapport-button--primary">
                    {move || i18n.t("merchant.sign_in")}
                </button>
            </ActionForm>
            {move || sign_in.value().get().and_then(Result::err).map(|error| view! { <crate::ui::ErrorNotice error /> })}
        </section>
    }
    .into_any()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    http::HeaderName::from_static(name),
                    http::HeaderValue::from_str(value).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn the_session_cookie_is_secure_behind_https() {
        let cookie = session_cookie("t", 60, "https://rapport.example");
        assert!(
            cookie.ends_with("HttpOnly; SameSite=Strict; Secure"),
            "{cookie}"
        );
        let local = session_cookie("t", 60, "http://127.0.0.1:3000");
        assert!(!local.contains("Secure"), "{local}");
    }

    #[test]
    fn only_requests_from_rapports_own_pages_are_same_site() {
        for same in [
            headers(&[("sec-fetch-site", "same-origin")]),
            headers(&[("sec-fetch-site", "none")]),
            headers(&[
                ("origin", "https://rapport.example"),
                ("host", "rapport.example"),
            ]),
            headers(&[
                ("origin", "http://127.0.0.1:3100"),
                ("host", "127.0.0.1:3100"),
            ]),
            headers(&[("host", "rapport.example")]),
        ] {
            assert!(!is_cross_site(&same), "{same:?}");
        }
        for cross in [
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
            // Sec-Fetch-Site wins: a page of another site cannot make the browser send "same-origin".
            headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://rapport.example"),
                ("host", "rapport.example"),
            ]),
            headers(&[
                ("origin", "https://evil.example"),
                ("host", "rapport.example"),
            ]),
            headers(&[
                ("origin", "https://rapport.example:8443"),
                ("host", "rapport.example"),
            ]),
            headers(&[("origin", "null"), ("host", "rapport.example")]),
            headers(&[("origin", "https://rapport.example")]),
        ] {
            assert!(is_cross_site(&cross), "{cross:?}");
        }
    }
}

/// Who is signed in to a merchant page, the page's links to the other merchant pages (`children`), and signing
/// out (`sign_out`, which the page watches to read itself again).
#[component]
pub fn MerchantSession(
    merchant: String,
    sign_out: ServerAction<MerchantSignOut>,
    children: Children,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <div class="rapport-moderation__session">
            <span data-testid="merchant-name">{move || i18n.t_with("moderation.signed_in_as", &[("name", merchant.clone())])}</span>
            {children()}
            <ActionForm action=sign_out>
                <button type="submit" class="rapport-link-button">{move || i18n.t("merchant.sign_out")}</button>
            </ActionForm>
        </div>
    }
}

/// The way back to the merchant's home, above a merchant page's heading.
#[component]
pub fn MerchantHomeLink() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <p class="rapport-merchant-home"><a href="/merchant">{move || i18n.t("merchant.home")}</a></p>
    }
}

/// A merchant page's lists, one link each, the one shown marked as the current page.
#[component]
pub fn MerchantQueues(
    /// The text key of what the lists are, for screen readers.
    label: &'static str,
    /// Each list's address, the text key of its name, and whether it is the one shown.
    queues: Vec<(String, String, bool)>,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <nav class="rapport-moderation__queues" aria-label=move || i18n.t(label)>
            {queues.into_iter().map(|(href, key, current)| view! {
                <a href=href aria-current=current.then_some("page")>{move || i18n.t(&key)}</a>
            }).collect_view()}
        </nav>
    }
}
