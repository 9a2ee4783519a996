//! The page's current language, shared through context: what components ask for their texts and amounts. The
//! languages themselves (the translation files, negotiation) are [`crate::kernel::locale`], re-exported here.

pub use crate::kernel::locale::*;

use crate::kernel::money::Money;
use leptos::prelude::*;

/// The current language, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<&'static str>,
}

impl I18n {
    pub fn new(locale: &'static str) -> Self {
        Self {
            locale: RwSignal::new(locale),
        }
    }

    /// The current locale tag; reactive.
    pub fn locale(&self) -> &'static str {
        self.locale.get()
    }

    pub fn set_locale(&self, locale: &'static str) {
        self.locale.set(locale);
    }

    /// The text for `key` in the current language; reactive.
    pub fn t(&self, key: &str) -> String {
        translate(self.locale(), key)
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn t_with(&self, key: &str, values: &[(&str, String)]) -> String {
        translate_with(self.locale(), key, values)
    }

    /// The counted text `key` in its form for `count` (`1 rating`, `12,345 ratings`), with `{count}` and the other
    /// placeholders filled in; see [`translate_count`].
    pub fn t_count(&self, key: &str, count: i64, values: &[(&str, String)]) -> String {
        translate_count(self.locale(), key, count, values)
    }

    /// `at`'s UTC date as this language writes it for people; see [`format_date`].
    pub fn date(&self, at: crate::kernel::time::Millis) -> String {
        format_date(self.locale(), at)
    }

    /// `price` as this language writes it (`CN¥1,299.00` in English, `¥1,299.00` in Chinese); inside a
    /// closure it follows a change of language.
    pub fn money(&self, price: &Money) -> String {
        price.display_in(self.locale())
    }
}

/// The language in use; panics outside the app, where there is none.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}
