//! A review's photos: a strip of thumbnails, each a link to the photo (so they open without JavaScript), and once
//! hydrated a viewer in a modal `<dialog>`: the browser keeps focus inside it and closes it on Escape; the arrow
//! keys step through the photos, and focus goes back to the thumbnail it was opened from.

use super::ReviewPhoto;
use super::rules::thumb_size;
use crate::i18n::use_i18n;
use crate::ui::server_asset;
use leptos::prelude::*;

/// The photo strip of one review, and its viewer.
#[component]
pub fn PhotoStrip(
    photos: Vec<ReviewPhoto>,
    /// Whose review it is and its title, for the photos' alternative text.
    author: String,
    title: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = photos.len();
    let photos = StoredValue::new(photos);
    let shown = RwSignal::new(0usize);
    // The full-size photo is in the page only while the viewer is open: browsers fetch an image inside a closed
    // dialog too, and a page of reviews would download every first photo at full size.
    let viewing = RwSignal::new(false);
    let viewer = NodeRef::<leptos::html::Dialog>::new();
    let alt = StoredValue::new(move |n: usize| {
        i18n.t_with(
            "reviews.photos.alt",
            &[
                ("n", (n + 1).to_string()),
                ("count", count.to_string()),
                ("author", author.clone()),
                ("title", title.clone()),
            ],
        )
    });
    let open = move |n: usize| {
        shown.set(n);
        viewing.set(true);
        if let Some(dialog) = viewer.get_untracked() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = viewer.get_untracked() {
            dialog.close();
        }
    };
    let step = move |by: isize| {
        shown.update(|n| *n = (*n as isize + by).rem_euclid(count as isize) as usize);
    };
    let shown_photo = move || {
        viewing
            .get()
            .then(|| photos.with_value(|photos| photos.get(shown.get()).cloned()))
            .flatten()
    };
    view! {
        <ul class="rapport-review__photos" part="review-photos" aria-label=move || i18n.t("reviews.photos.label")>
            {photos.get_value().into_iter().enumerate().map(|(n, photo)| {
                let (width, height) = thumb_size(photo.width, photo.height);
                view! {
                    <li>
                        <a href=server_asset(&photo.url) class="rapport-review__photo" data-testid="review-photo"
                            on:click=move |ev| {
                                ev.prevent_default();
                                open(n);
                            }>
                            <img src=server_asset(&photo.thumb_url) alt=move || alt.with_value(|alt| alt(n))
                                width=width.to_string() height=height.to_string() loading="lazy" decoding="async" />
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
        <dialog node_ref=viewer class="rapport-photo-viewer" part="photo-viewer" data-testid="photo-viewer"
            aria-label=move || i18n.t("reviews.photos.viewer")
            on:close=move |_| viewing.set(false)
            on:keydown=move |ev| match ev.key().as_str() {
                "ArrowRight" => step(1),
                "ArrowLeft" => step(-1),
                _ => {}
            }
            on:click=move |ev| {
                // A click on the backdrop lands on the dialog itself, outside its content.
                if event_target::<leptos::web_sys::Element>(&ev).tag_name().eq_ignore_ascii_case("dialog") {
                    close();
                }
            }>
            <div class="rapport-photo-viewer__frame">
                {move || shown_photo().map(|photo| view! {
                    <img src=server_asset(&photo.url) alt=move || alt.with_value(|alt| alt(shown.get()))
                        width=photo.width.to_string() height=photo.height.to_string() />
                })}
                <p class="rapport-photo-viewer__caption" aria-live="polite">
                    {move || i18n.t_with("reviews.photos.position", &[("n", (shown.get() + 1).to_string()), ("count", count.to_string())])}
                </p>
                <div class="rapport-photo-viewer__buttons">
                    <Show when=move || { count > 1 }>
                        <button type="button" class="rapport-button" on:click=move |_| step(-1)>{move || i18n.t("reviews.photos.previous")}</button>
                        <button type="button" class="rapport-button" on:click=move |_| step(1)>{move || i18n.t("reviews.photos.next")}</button>
                    </Show>
                    <button type="button" class="rapport-button rapport-button--primary" autofocus on:click=move |_| close()>
                        {move || i18n.t("reviews.photos.close")}
                    </button>
                </div>
            </div>
        </dialog>
    }
}
