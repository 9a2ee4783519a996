//! The addresses in messages' emails that are not pages: what a preferences link receives by POST (RFC 8058
//! one-click unsubscribe from a mail client, the `List-Unsubscribe` header's address, which turns off the kind of
//! message the email was; and the preferences page's form, `/email-preferences/:token`, every kind ticked or not,
//! which saves and goes back to the page), the image that counts an open, and the tracked links that count a click.

use crate::api::ApiError;
use crate::state::AppState;
use app::identity::token::{verify_message_click, verify_message_open, verify_preferences};
use app::kernel::error::AppError;
use app::kernel::time::now;
use app::messages::MessageKind;
use app::messages::ssr as messages;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{StatusCode, header};

/// A transparent GIF of one pixel.
const PIXEL: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

/// `/m/o/<token>.gif`: counts the message opened and answers with the pixel, never cached (each fetch is asked for).
/// The image comes even when counting failed: a mail program shows nothing broken.
pub async fn opened(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".gif").unwrap_or(&file);
    let message = match verify_message_open(&state.identity.secret, token) {
        Ok(message) => message,
        Err(error) => return ApiError(error).into_response(),
    };
    if let Err(error) = messages::opened(&state.db, message, now()).await {
        tracing::warn!(message, %error, "counting an open failed");
    }
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/gif"),
            (header::CACHE_CONTROL, "no-store, private"),
        ],
        PIXEL,
    )
        .into_response()
}

/// `/m/c/<token>`: counts the message's link followed and sends the shopper where the email pointed (the address
/// is part of what the store signed, so the link sends nowhere else). Counting failed or not, the shopper goes on.
pub async fn clicked(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (message, to) = match verify_message_click(&state.identity.secret, &token) {
        Ok(link) => link,
        Err(error) => return ApiError(error).into_response(),
    };
    if let Err(error) = messages::clicked(&state.db, message, now()).await {
        tracing::warn!(message, %error, "counting a click failed");
    }
    Redirect::to(&to).into_response()
}

/// Saves what the link's shopper chose.
pub async fn preferences(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: String,
) -> Response {
    match choose(&state, &token, &body).await {
        Ok(Choice::OneClick) => "unsubscribed".into_response(),
        Ok(Choice::Form) => {
            Redirect::to(&format!("/email-preferences/{token}?saved")).into_response()
        }
        Err(error) => error.into_response(),
    }
}

enum Choice {
    OneClick,
    Form,
}

async fn choose(state: &AppState, token: &str, body: &str) -> Result<Choice, ApiError> {
    let (shopper, kind) = verify_preferences(&state.identity.secret, token)?;
    // RFC 8058 lets the client send its one field URL-encoded or as multipart form data.
    let one_click = body.contains("List-Unsubscribe=One-Click")
        || (body.contains("name=\"List-Unsubscribe\"") && body.contains("One-Click"));
    if one_click {
        let kind = MessageKind::from_key(&kind).ok_or_else(|| {
            AppError::invalid("token", "this link is for emails the store no longer sends")
        })?;
        messages::choose(&state.db, shopper, &[(kind, false)], now()).await?;
        return Ok(Choice::OneClick);
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(body)
        .map_err(|_| AppError::invalid("body", "expected the preferences form's fields"))?;
    if !fields
        .iter()
        .any(|(name, value)| name == "form" && value == "preferences")
    {
        return Err(AppError::invalid(
            "form",
            "expected the preferences form, or a one-click unsubscribe (List-Unsubscribe=One-Click)",
        )
        .into());
    }
    let mut choices: Vec<(MessageKind, bool)> = MessageKind::ALL
        .into_iter()
        .map(|kind| (kind, false))
        .collect();
    for (name, value) in &fields {
        if name == "form" {
            continue;
        }
        let Some(ticked) = choices.iter_mut().find(|(kind, _)| kind.key() == name) else {
            return Err(AppError::invalid(name.as_str(), "is not a kind of email").into());
        };
        if value != "on" {
            return Err(AppError::invalid(name.as_str(), "a ticked box is \"on\"").into());
        }
        ticked.1 = true;
    }
    messages::choose(&state.db, shopper, &choices, now()).await?;
    Ok(Choice::Form)
}
