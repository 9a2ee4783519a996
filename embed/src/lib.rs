//! The WASM a store's page loads for the embedded widgets (`public/embed.js` imports it from `/widgets/`).
//!
//! It holds the widgets and what they call, and leaves out the demo storefront: its pages, its router and its
//! hydration entry, which the storefront's own bundle (`/pkg/`) carries. The exports are the ones of
//! [`app::embed`]: `start_embed`, `mount_widget` and `MountedWidget`.

pub use app::embed::{MountedWidget, mount_widget, start_embed};
