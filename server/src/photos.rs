//! `GET /photos/{key}`: review photos, by the names made from their content. A name never changes what it names,
//! so browsers and caches keep a photo for a year without asking again.

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

pub async fn photo(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    match state.photos.files.read(&key).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
                // Store pages on other sites show these photos in embedded widgets.
                (
                    http::HeaderName::from_static("cross-origin-resource-policy"),
                    "cross-origin",
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such photo").into_response(),
        Err(error) => {
            tracing::error!(%error, key, "a review photo could not be read");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
