//! The review form's photos: chosen files upload at once, one after another, and show as thumbnails the shopper
//! can take off again before sending; the review then names them ([`super::ReviewInput::photos`]).

use super::rules::thumb_size;
use super::{MAX_PHOTO_BYTES, MAX_PHOTOS, PHOTO_TYPES, ReviewPhoto};
use crate::i18n::use_i18n;
use crate::ui::server_asset;
use leptos::prelude::*;

/// A file that could not be added, and why.
#[derive(Debug, Clone, PartialEq)]
struct Refused {
    file: String,
    error: crate::kernel::error::AppError,
}

#[component]
pub fn PhotoPicker(
    /// The photos the review will hold, in order.
    photos: RwSignal<Vec<ReviewPhoto>>,
    /// How many uploads are under way: the form waits for them before sending.
    uploading: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let refused = RwSignal::new(Vec::<Refused>::new());
    let picker = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        refused.set(Vec::new());
        if let Some(input) = picker.get_untracked() {
            upload_chosen(&input, photos, uploading, refused);
        }
    };
    view! {
        <div class="rapport-review-form__photos" data-testid="photo-picker">
            <label>
                {move || i18n.t("reviews.photos.add")}
                <span class="rapport-review-form__hint">
                    {move || i18n.t_with("reviews.photos.rules", &[("max", MAX_PHOTOS.to_string()), ("mb", (MAX_PHOTO_BYTES / (1024 * 1024)).to_string())])}
                </span>
                <input type="file" name="photo" multiple accept=PHOTO_TYPES node_ref=picker
                    disabled=move || { photos.with(Vec::len) >= MAX_PHOTOS } on:change=on_change />
            </label>
            <ul class="rapport-review-form__chosen">
                <For each=move || photos.get() key=|photo| photo.id let:photo>
                    {
                        let (width, height) = thumb_size(photo.width, photo.height);
                        let id = photo.id;
                        // Its place among the chosen, which changes as others are taken off.
                        let place = move || photos.with(|photos| photos.iter().position(|p| p.id == id).unwrap_or(0) + 1).to_string();
                        view! {
                            <li>
                                <img src=server_asset(&photo.thumb_url) alt=move || i18n.t_with("reviews.photos.chosen", &[("n", place())])
                                    width=width.to_string() height=height.to_string() />
                                <button type="button" class="rapport-link-button" data-testid="remove-chosen-photo"
                                    aria-label=move || i18n.t_with("reviews.photos.remove_n", &[("n", place())])
                                    on:click=move |_| photos.update(|photos| photos.retain(|p| p.id != id))>
                                    {move || i18n.t("reviews.photos.remove")}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            // Mounted from the start, so that screen readers announce the text when it comes.
            <p role="status" class="rapport-review-form__uploading">
                {move || match uploading.get() {
                    0 => String::new(),
                    n => i18n.t_count("reviews.photos.uploading", n as i64, &[]),
                }}
            </p>
            <For each=move || refused.get().into_iter().enumerate()
                key=|(n, refused)| (*n, refused.file.clone(), refused.error.message.clone()) let:refused>
                <p class="rapport-error rapport-review-form__refused" role="alert">
                    <strong><bdi>{refused.1.file}</bdi></strong> ": " {move || refused.1.error.message_in(i18n.locale())}
                </p>
            </For>
        </div>
    }
}

/// Uploads the files chosen in `input`, one at a time, as far as the review has room.
#[cfg(feature = "browser")]
fn upload_chosen(
    input: &leptos::web_sys::HtmlInputElement,
    photos: RwSignal<Vec<ReviewPhoto>>,
    uploading: RwSignal<usize>,
    refused: RwSignal<Vec<Refused>>,
) {
    use crate::kernel::error::{AppError, ErrorCode, Translation};
    let Some(list) = input.files() else { return };
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|n| list.get(n)).collect();
    input.set_value("");
    // Uploads still under way take their places too.
    let room =
        MAX_PHOTOS.saturating_sub(photos.with_untracked(Vec::len) + uploading.get_untracked());
    let mut sending = Vec::new();
    for (n, file) in files.into_iter().enumerate() {
        let problem = if n >= room {
            Some(AppError::invalid(
                "photo",
                Translation::with(
                    "reviews.photos.too_many",
                    &[("max", MAX_PHOTOS.to_string())],
                ),
            ))
        } else if file.size() > MAX_PHOTO_BYTES as f64 {
            Some(AppError::new(
                ErrorCode::TooLarge,
                Translation::with(
                    "reviews.photos.too_big",
                    &[("mb", (MAX_PHOTO_BYTES / (1024 * 1024)).to_string())],
                ),
            ))
        } else {
            None
        };
        match problem {
            Some(error) => refused.update(|r| {
                r.push(Refused {
                    file: file.name(),
                    error,
                })
            }),
            None => sending.push(file),
        }
    }
    if sending.is_empty() {
        return;
    }
    uploading.update(|n| *n += sending.len());
    leptos::task::spawn_local(async move {
        for file in sending {
            let sent = match web_sys::FormData::new() {
                Ok(form)
                    if form
                        .append_with_blob_and_filename("photo", &file, &file.name())
                        .is_ok() =>
                {
                    super::upload_review_photo(form.into()).await
                }
                _ => Err(AppError::internal()),
            };
            match sent {
                Ok(photo) => photos.update(|photos| photos.push(photo)),
                Err(error) => refused.update(|r| {
                    r.push(Refused {
                        file: file.name(),
                        error,
                    })
                }),
            }
            uploading.update(|n| *n = n.saturating_sub(1));
        }
    });
}

#[cfg(not(feature = "browser"))]
fn upload_chosen(
    _: &leptos::web_sys::HtmlInputElement,
    _: RwSignal<Vec<ReviewPhoto>>,
    _: RwSignal<usize>,
    _: RwSignal<Vec<Refused>>,
) {
}
