//! Where a widget's links lead. In the demo storefront they are its own pages; a store that embeds the widgets
//! gives its own addresses (the loader's `data-product-url` and friends), so a product link leads to the store's
//! product page, not to Rapport's.

use leptos::prelude::*;

/// The store's addresses a widget links to. `product` holds `{sku}` where the product's SKU goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopLinks {
    pub product: String,
    pub sign_in: String,
    pub account: String,
}

impl Default for ShopLinks {
    /// The demo storefront's pages.
    fn default() -> Self {
        Self {
            product: "/p/{sku}".into(),
            sign_in: "/sign-in".into(),
            account: "/account".into(),
        }
    }
}

impl ShopLinks {
    /// The page of the product `sku`; the SKU is escaped for a URL.
    pub fn product(&self, sku: &str) -> String {
        let escaped: String = sku
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.product.replace("{sku}", &escaped)
    }
}

/// `url` as the browser must ask for it: a path on the Rapport server (`/demo-img/…`) is made absolute when
/// the widget is embedded in another site's page, where a bare path would lead to that site.
pub fn server_asset(url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        format!("{}{url}", leptos::server_fn::client::get_server_url())
    } else {
        url.to_owned()
    }
}

/// The links of the page the widget is on: the store's when embedded, the storefront's otherwise.
///
/// ```
/// use app::ui::{ShopLinks, use_shop_links};
/// use leptos::prelude::*;
/// # let owner = Owner::new(); owner.set();
/// // An embedding store names its own pages; without this, the storefront's.
/// provide_context(ShopLinks {
///     product: "https://shop.example/item/{sku}".into(),
///     ..ShopLinks::default()
/// });
/// let links = use_shop_links();
/// let html = view! { <a href=links.product("KIT-00001")>"Kettle"</a> }.to_html();
/// assert!(html.contains("href=\"https://shop.example/item/KIT-00001\""));
/// ```
pub fn use_shop_links() -> ShopLinks {
    use_context::<ShopLinks>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_links_fill_in_the_escaped_sku() {
        let links = ShopLinks {
            product: "https://shop.example/products/{sku}?ref=rapport".into(),
            ..ShopLinks::default()
        };
        assert_eq!(
            links.product("KIT-00001"),
            "https://shop.example/products/KIT-00001?ref=rapport"
        );
        assert_eq!(
            links.product("a b/c"),
            "https://shop.example/products/a%20b%2Fc?ref=rapport"
        );
        assert_eq!(ShopLinks::default().product("KIT-1"), "/p/KIT-1");
    }
}
