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
