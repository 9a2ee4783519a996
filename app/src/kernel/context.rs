//! What the server hands every server function and page render through Leptos context: the database, identity's
//! secret and keys, each capability's policy. Each layer asks for its own piece, so that none needs a state that
//! knows every capability.

use super::error::AppError;

/// A piece of the server's state from the request's context. Missing, it is the server's bug, logged here.
///
/// Take every piece a server function needs before its first `.await`: when a page render calls the server
/// function, its steps after an await may run outside the request's reactive owner, where no context is found.
pub fn server_context<T: Clone + Send + Sync + 'static>() -> Result<T, AppError> {
    leptos::prelude::use_context::<T>().ok_or_else(|| {
        tracing::error!(
            "{} is missing from the server-function context",
            std::any::type_name::<T>()
        );
        AppError::internal()
    })
}

/// This server's public address (`RAPPORT_PUBLIC_URL`): what store pages load the widgets from, and whether the
/// merchant's session cookie is `Secure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(pub String);

/// The shop's name (`RAPPORT_SHOP_NAME`), shown with its replies to reviews and its answers to questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopName(pub String);
