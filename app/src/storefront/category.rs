use crate::catalog::category_listing;
use crate::i18n::use_i18n;
use crate::kernel::error::ErrorCode;
use crate::ui::{ErrorNotice, Loading};
use crate::wishlist::WishlistProductGrid;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CategoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let page_number = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
    };
    let page = Resource::new(
        move || (slug(), i18n.locale(), page_number()),
        |(slug, locale, page)| category_listing(slug, locale.to_owned(), page),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let slug = page.category.slug.clone();
                        let previous = (page.page > 1).then(|| format!("/c/{slug}?page={}", page.page - 1));
                        let next = (page.page < page.pages).then(|| format!("/c/{slug}?page={}", page.page + 1));
                        let empty = page.products.is_empty();
                        view! {
                            <Title text=page.category.name.clone() />
                            <section class="shop-section">
                                <h1>{page.category.name.clone()}</h1>
                                <Show when=move || empty>
                                    <p>{move || i18n.t("category.empty")}</p>
                                </Show>
                                <WishlistProductGrid products=page.products />
                                <nav class="shop-pager" aria-label=move || i18n.t_with("category.page", &[("page", page.page.to_string()), ("pages", page.pages.to_string())])>
                                    {previous.map(|href| view! { <a rel="prev" href=href>{move || i18n.t("category.previous")}</a> })}
                                    <span>{move || i18n.t_with("category.page", &[("page", page.page.to_string()), ("pages", page.pages.to_string())])}</span>
                                    {next.map(|href| view! { <a rel="next" href=href>{move || i18n.t("category.next")}</a> })}
                                </nav>
                            </section>
                        }.into_any()
                    }
                    Err(error) if error.code == ErrorCode::NotFound => view! {
                        <section class="shop-notice"><h1>{move || i18n.t("category.not_found")}</h1></section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
