//! The browser side of identity: where the token is kept, and the server-function client that sends it.

use super::TOKEN_HEADER;
use futures::{Sink, Stream};
use leptos::server_fn::client::Client;
use leptos::server_fn::client::browser::BrowserClient;
use leptos::server_fn::error::FromServerFnError;
use leptos::server_fn::request::browser::BrowserRequest;
use leptos::server_fn::response::browser::BrowserResponse;

/// The `localStorage` key the token is kept under, shared with the embed loader.
pub const TOKEN_KEY: &str = "rapport.token";

/// The DOM event sent on `window` when this browser signs in or out (its token changed), with `{signed_in}`.
/// Widgets that show the shopper's own data (the alert bell, the tier badge) follow it; a host page can too.
pub const IDENTITY_CHANGE_EVENT: &str = "rapport:identity-change";

/// The `<meta name="rapport-shopper-token" content="…">` in which a store's page names its signed-in shopper
/// to embedded widgets. It wins over a token kept in this browser: the store knows who is signed in.
pub const SHOPPER_TOKEN_META: &str = "rapport-shopper-token";

/// The token requests go with: the store page's signed-in shopper, else the one this browser keeps, if any.
pub fn current_token() -> Option<String> {
    #[cfg(feature = "browser")]
    {
        page_token().or_else(kept_token)
    }
    #[cfg(not(feature = "browser"))]
    {
        None
    }
}

/// The guest token this browser keeps while the store's page names a signed-in shopper: what that guest saved
/// is still to move to the shopper (see [`crate::embed::start_embed`]).
pub fn guest_token_to_adopt() -> Option<String> {
    #[cfg(feature = "browser")]
    {
        let kept = kept_token()?;
        let shopper = page_token().is_some_and(|token| names_shopper(&token));
        (shopper && names_guest(&kept)).then_some(kept)
    }
    #[cfg(not(feature = "browser"))]
    {
        None
    }
}

/// Whether `token` speaks for a store's shopper rather than a guest (see `token.rs` for the format).
fn names_shopper(token: &str) -> bool {
    token.starts_with("v1.s.")
}

/// Whether `token` speaks for a guest of this browser (see `token.rs` for the format).
#[cfg(feature = "browser")]
fn names_guest(token: &str) -> bool {
    token.starts_with("v1.g.")
}

/// The token this browser keeps in `localStorage`, if any.
#[cfg(feature = "browser")]
fn kept_token() -> Option<String> {
    crate::ui::local_storage()?
        .get_item(TOKEN_KEY)
        .ok()
        .flatten()
}

#[cfg(feature = "browser")]
fn page_token() -> Option<String> {
    leptos::prelude::document()
        .query_selector(&format!("meta[name=\"{SHOPPER_TOKEN_META}\"]"))
        .ok()
        .flatten()?
        .get_attribute("content")
        .map(|token| token.trim().to_owned())
        .filter(|token| !token.is_empty())
}

/// True when requests go with a signed-in shopper's token (not a guest's): the store page's, or this browser's.
pub fn signed_in() -> bool {
    current_token().is_some_and(|token| names_shopper(&token))
}

/// Whether this browser holds a signed-in shopper's token, following sign-in and sign-out. False on the server
/// and until hydration, so that the server's HTML and the first browser render agree.
///
/// ```
/// use app::identity::client::use_signed_in;
/// use leptos::prelude::*;
/// # let owner = Owner::new(); owner.set();
/// let shopper = use_signed_in();
/// // On the server, and in the browser until hydration, nobody is signed in: both render the same.
/// let html = view! { <Show when=move || shopper.get()>"Welcome back"</Show> }.to_html();
/// assert!(!html.contains("Welcome back"));
/// ```
pub fn use_signed_in() -> leptos::prelude::ReadSignal<bool> {
    use leptos::prelude::*;
    let (shopper, set_shopper) = signal(false);
    Effect::new(move |_| set_shopper.set(signed_in()));
    #[cfg(feature = "browser")]
    {
        let handle = window_event_listener_untyped(IDENTITY_CHANGE_EVENT, move |_| {
            set_shopper.set(signed_in())
        });
        on_cleanup(move || handle.remove());
    }
    shopper
}

/// How many times this browser signed in or out since the component was made: a resource that tracks it asks
/// again for the new viewer, and only then (unlike [`use_signed_in`], it does not change at hydration).
///
/// ```
/// use app::identity::client::use_identity_changes;
/// use app::wishlist::wishlist_states;
/// use leptos::prelude::*;
/// /// Whether the viewer keeps the kettle in a wish list, asked again after each sign-in or sign-out.
/// fn kettle_saved() -> impl IntoView {
///     let viewer = use_identity_changes();
///     let state = LocalResource::new(move || {
///         viewer.track();
///         wishlist_states(vec!["KIT-00001".to_owned()])
///     });
///     move || state.get().and_then(Result::ok).map(|states| states[0].lists.iter().any(|(_, holds)| *holds))
/// }
/// # let owner = Owner::new(); owner.set();
/// # let _ = kettle_saved;
/// assert_eq!(use_identity_changes().get_untracked(), 0);
/// ```
pub fn use_identity_changes() -> leptos::prelude::ReadSignal<u32> {
    use leptos::prelude::*;
    let (changes, set_changes) = signal(0u32);
    #[cfg(feature = "browser")]
    {
        let handle = window_event_listener_untyped(IDENTITY_CHANGE_EVENT, move |_| {
            set_changes.update(|n| *n += 1)
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "browser"))]
    let _ = set_changes;
    changes
}

/// What only a signed-in shopper has (their reviews, their points): asked in the browser, where the token is, once
/// per sign-in, and never for a guest, who has none of it (an empty list).
pub fn signed_in_list<T, Fut>(
    fetch: impl Fn() -> Fut + 'static,
) -> leptos::prelude::LocalResource<Result<Vec<T>, crate::kernel::error::AppError>>
where
    T: 'static,
    Fut: std::future::Future<Output = Result<Vec<T>, crate::kernel::error::AppError>> + 'static,
{
    use leptos::prelude::*;
    let changes = use_identity_changes();
    LocalResource::new(move || {
        changes.track();
        let asked = signed_in().then(&fetch);
        async move {
            match asked {
                Some(asked) => asked.await,
                None => Ok(Vec::new()),
            }
        }
    })
}

/// Keeps `token` for the next requests, or forgets the current one with `None`.
pub fn store_token(token: Option<&str>) {
    #[cfg(feature = "browser")]
    {
        let kept = crate::ui::local_storage().is_some_and(|storage| {
            match token {
                Some(token) => storage.set_item(TOKEN_KEY, token),
                None => storage.remove_item(TOKEN_KEY),
            }
            .is_ok()
        });
        // Storage that refused changed nothing: widgets following the event would ask again, and again.
        if !kept {
            return;
        }
        crate::ui::emit_event(
            &leptos::prelude::window(),
            IDENTITY_CHANGE_EVENT,
            &[("signed_in", wasm_bindgen::JsValue::from_bool(signed_in()))],
        );
    }
    #[cfg(not(feature = "browser"))]
    let _ = token;
}

/// Sends every server-function request with the shopper's or guest's token in the [`TOKEN_HEADER`] header.
pub struct RapportClient;

impl<E, IS, OS> Client<E, IS, OS> for RapportClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = BrowserResponse;

    fn send(request: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        if let Some(token) = current_token() {
            request.headers().append(TOKEN_HEADER, &token);
        }
        <BrowserClient as Client<E, IS, OS>>::send(request)
    }

    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl Stream<Item = Result<server_fn::Bytes, server_fn::Bytes>> + Send + 'static,
                impl Sink<server_fn::Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}
