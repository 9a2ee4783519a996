//! The kernel: what every other layer shares and which knows none of them. Errors and their codes, money, time, the
//! shop's languages as data, and the input rules (keys, text, locales, emails). Nothing here imports a
//! capability, the database layer or a page (ARCHITECTURE.md).

#[cfg(feature = "ssr")]
pub mod context;
pub mod error;
pub mod ids;
pub mod locale;
pub mod money;
pub mod time;
pub mod validate;

/// The path server_fn gives the server function `name` declared in the module where this is written, when it names
/// no `endpoint`: `/api/<name>` and a hash of the app crate's directory and the module's path. A function moved to a
/// path of its own keeps answering at this one, for the widgets of builds from before the move: they can outlive an
/// upgrade in a shopper's open page (retired builds stay published for two days, `server prune-assets`).
#[cfg(feature = "ssr")]
macro_rules! hashed_server_fn_path {
    ($name:literal) => {
        leptos::server_fn::const_format::concatcp!(
            "/api/",
            $name,
            leptos::server_fn::xxhash_rust::const_xxh64::xxh64(
                concat!(env!("CARGO_MANIFEST_DIR"), ":", module_path!()).as_bytes(),
                0
            )
        )
    };
}
#[cfg(feature = "ssr")]
pub(crate) use hashed_server_fn_path;
