//! What a message's preferences link receives by POST: RFC 8058 one-click unsubscribe from a mail client (the
//! `List-Unsubscribe` header's address; it turns off the kind of message the email was), and the preferences page's
//! form (`/email-preferences/:token`, every kind ticked or not), which saves and goes back to the page.

use crate::api::ApiError;
use crate::state::AppState;
use app::identity::token::verify_preferences;
use app::kernel::error::AppError;
use app::kernel::time::now;
use app::messages::MessageKind;
use app::messages::ssr as messages;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

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
