//! Signed shopper and guest tokens: the store proves who the shopper is with an HMAC-SHA256 over the
//! subject and an expiry, keyed by a secret only the store and Rapport know.
//!
//! Format: `v1.<kind>.<subject>.<expires>.<signature>` where kind is `s` (a store's shopper id), `g`
//! (a guest id), `m` (a merchant's moderation session, see [`issue_merchant`]), `u` (an alert's unsubscribe link),
//! `t` (a notice's tracked link), `w` (a review request's link, see [`issue_review_link`]), `p` (a message's email
//! preferences link), `o` (a message's open-counting image) or `c` (a message's tracked link); subject is base64url
//! without padding, expires is Unix seconds, and the signature is hex HMAC-SHA256 of `v1.<kind>.<subject>.<expires>`.

use super::Viewer;
use crate::kernel::error::{AppError, ErrorCode, Translation};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;

/// The longest a shopper token the store signs may last, unless the store sets another limit: a leaked token
/// must run out, and one that claims the year 3000 would not.
pub const DEFAULT_SHOPPER_TOKEN_SECONDS: i64 = 30 * 24 * 3600;

/// The store's signing secret, and the longest lifetime it accepts for the shopper tokens the store signs. Debug
/// output never shows the secret.
#[derive(Clone)]
pub struct StoreSecret {
    key: Arc<[u8]>,
    max_shopper_token_seconds: i64,
}

impl StoreSecret {
    /// Secrets shorter than 32 bytes are refused: they could be guessed.
    pub fn new(secret: &str) -> Result<Self, String> {
        if secret.len() < 32 {
            return Err("the store secret must be at least 32 characters long".into());
        }
        Ok(Self {
            key: secret.as_bytes().into(),
            max_shopper_token_seconds: DEFAULT_SHOPPER_TOKEN_SECONDS,
        })
    }

    /// The same secret, accepting shopper tokens that expire at most `seconds` after they are presented.
    pub fn with_max_shopper_token_seconds(mut self, seconds: i64) -> Result<Self, String> {
        if seconds < 60 {
            return Err("a shopper token's longest lifetime must be at least a minute".into());
        }
        self.max_shopper_token_seconds = seconds;
        Ok(self)
    }

    /// The longest lifetime a shopper token may claim, in seconds.
    pub fn max_shopper_token_seconds(&self) -> i64 {
        self.max_shopper_token_seconds
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(payload.as_bytes());
        mac
    }
}

impl std::fmt::Debug for StoreSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreSecret(…)")
    }
}

/// Issues a token for `viewer` that expires at `expires` (Unix seconds).
pub fn issue(secret: &StoreSecret, viewer: &Viewer, expires: i64) -> String {
    match viewer {
        Viewer::Shopper(id) => sign(secret, "s", id, expires),
        Viewer::Guest(id) => sign(secret, "g", id, expires),
    }
}

/// Verifies a shopper's or guest's token at time `now` (Unix seconds) and yields who it speaks for. A shopper
/// token that claims to last longer than the store allows is refused, however well signed.
pub fn verify(secret: &StoreSecret, token: &str, now: i64) -> Result<Viewer, AppError> {
    match open(secret, token, now)? {
        ("s", _, expires) if expires.saturating_sub(now) > secret.max_shopper_token_seconds => {
            Err(AppError::unauthorized(format!(
                "This sign-in token lasts longer than the store allows (at most {} days); \
                 the store must issue tokens that expire sooner.",
                secret.max_shopper_token_seconds / 86_400
            )))
        }
        ("s", subject, _) => Ok(Viewer::Shopper(subject)),
        ("g", subject, _) => Ok(Viewer::Guest(subject)),
        _ => Err(forged()),
    }
}

/// Issues a merchant's moderation session for `name` (who the moderation log records), until `expires`.
pub fn issue_merchant(secret: &StoreSecret, name: &str, expires: i64) -> String {
    sign(secret, "m", name, expires)
}

/// Verifies a merchant's moderation session and yields the merchant's name. Shopper tokens are refused.
pub fn verify_merchant(secret: &StoreSecret, token: &str, now: i64) -> Result<String, AppError> {
    match open(secret, token, now)? {
        ("m", name, _) => Ok(name),
        _ => Err(forged()),
    }
}

/// The secret of an alert's unsubscribe link (kind `u`): it names the alert, never expires, and cannot be made
/// for another alert without the store secret.
pub fn issue_unsubscribe(secret: &StoreSecret, alert_id: i64) -> String {
    sign(secret, "u", &alert_id.to_string(), i64::MAX)
}

/// The alert an unsubscribe link names, if the store signed it.
pub fn verify_unsubscribe(secret: &StoreSecret, token: &str) -> Result<i64, AppError> {
    let tampered = || AppError::invalid("token", Translation::of("error.unsubscribe_link"));
    match open(secret, token, 0) {
        Ok(("u", subject, _)) => subject.parse().map_err(|_| tampered()),
        _ => Err(tampered()),
    }
}

/// The secret of a review request's links (kind `w`): it names a shopper and a product they bought, lets whoever
/// holds it write that shopper's review of that product until `expires` (seconds), and nothing else.
pub fn issue_review_link(
    secret: &StoreSecret,
    shopper: crate::kernel::ids::ShopperKey,
    product: crate::kernel::ids::ProductKey,
    expires: i64,
) -> String {
    sign(
        secret,
        "w",
        &format!("{}:{}", shopper.0, product.0),
        expires,
    )
}

/// The shopper and product a review link names, if the store signed it and it has not expired.
pub fn verify_review_link(
    secret: &StoreSecret,
    token: &str,
    now: i64,
) -> Result<
    (
        crate::kernel::ids::ShopperKey,
        crate::kernel::ids::ProductKey,
    ),
    AppError,
> {
    let invalid =
        || AppError::not_found(Some("token".into()), Translation::of("error.review_link"));
    match open(secret, token, now) {
        Ok(("w", subject, _)) => {
            let (shopper, product) = subject.split_once(':').ok_or_else(invalid)?;
            Ok((
                crate::kernel::ids::ShopperKey(shopper.parse().map_err(|_| invalid())?),
                crate::kernel::ids::ProductKey(product.parse().map_err(|_| invalid())?),
            ))
        }
        _ => Err(invalid()),
    }
}

/// The secret of an email's preferences link (kind `p`): it names the shopper and the kind of message the email
/// was, opens that shopper's email preferences (the mailbox it reached is theirs), never expires, and is made only
/// with the store secret. Its one-click form turns that kind off.
pub fn issue_preferences(
    secret: &StoreSecret,
    shopper: crate::kernel::ids::ShopperKey,
    kind: &str,
) -> String {
    sign(secret, "p", &format!("{}:{kind}", shopper.0), i64::MAX)
}

/// The shopper and kind of message a preferences link names, if the store signed it.
pub fn verify_preferences(
    secret: &StoreSecret,
    token: &str,
) -> Result<(crate::kernel::ids::ShopperKey, String), AppError> {
    let invalid = || {
        AppError::not_found(
            Some("token".into()),
            Translation::of("error.preferences_link"),
        )
    };
    match open(secret, token, 0) {
        Ok(("p", subject, _)) => {
            let (shopper, kind) = subject.split_once(':').ok_or_else(invalid)?;
            Ok((
                crate::kernel::ids::ShopperKey(shopper.parse().map_err(|_| invalid())?),
                kind.to_owned(),
            ))
        }
        _ => Err(invalid()),
    }
}

/// The secret of a message's tracking image (kind `o`): it names the message, so that fetching the image counts
/// an open of that message and of no other.
pub fn issue_message_open(secret: &StoreSecret, message_id: i64) -> String {
    sign(secret, "o", &message_id.to_string(), i64::MAX)
}

/// The message a tracking image names, if the store signed it.
pub fn verify_message_open(secret: &StoreSecret, token: &str) -> Result<i64, AppError> {
    match open(secret, token, 0) {
        Ok(("o", subject, _)) => subject.parse().map_err(|_| not_a_link()),
        _ => Err(not_a_link()),
    }
}

/// The secret of a message's tracked link (kind `c`): it names the message and where the link goes, so a click is
/// counted for that message and the redirect goes only where the store's email pointed.
pub fn issue_message_click(secret: &StoreSecret, message_id: i64, to: &str) -> String {
    sign(secret, "c", &format!("{message_id} {to}"), i64::MAX)
}

/// The message and address a tracked link names, if the store signed it.
pub fn verify_message_click(secret: &StoreSecret, token: &str) -> Result<(i64, String), AppError> {
    match open(secret, token, 0) {
        Ok(("c", subject, _)) => {
            let (id, to) = subject.split_once(' ').ok_or_else(not_a_link)?;
            Ok((id.parse().map_err(|_| not_a_link())?, to.to_owned()))
        }
        _ => Err(not_a_link()),
    }
}

fn not_a_link() -> AppError {
    AppError::not_found(Some("token".into()), Translation::of("error.link_invalid"))
}

/// The secret of a notice's tracked product link (kind `t`): it names the notice, so a click is counted for the
/// notice it came from, and cannot be made for another notice without the store secret.
pub fn issue_tracking(secret: &StoreSecret, notice_id: i64) -> String {
    sign(secret, "t", &notice_id.to_string(), i64::MAX)
}

/// The notice a tracked link names, if the store signed it.
pub fn verify_tracking(secret: &StoreSecret, token: &str) -> Result<i64, AppError> {
    let tampered =
        || AppError::not_found(Some("token".into()), Translation::of("error.link_invalid"));
    match open(secret, token, 0) {
        Ok(("t", subject, _)) => subject.parse().map_err(|_| tampered()),
        _ => Err(tampered()),
    }
}

fn forged() -> AppError {
    AppError::unauthorized(Translation::of("error.token_invalid"))
}

fn sign(secret: &StoreSecret, kind: &str, subject: &str, expires: i64) -> String {
    let payload = format!("v1.{kind}.{}.{expires}", URL_SAFE_NO_PAD.encode(subject));
    let signature = hex::encode(secret.mac(&payload).finalize().into_bytes());
    format!("{payload}.{signature}")
}

/// Checks a token's signature and expiry and yields its kind, subject and expiry.
fn open<'t>(
    secret: &StoreSecret,
    token: &'t str,
    now: i64,
) -> Result<(&'t str, String, i64), AppError> {
    let (payload, signature) = token.rsplit_once('.').ok_or_else(forged)?;
    let signature = hex::decode(signature).map_err(|_| forged())?;
    // Constant-time comparison: a timing difference must not reveal how much of a forged signature matched.
    secret
        .mac(payload)
        .verify_slice(&signature)
        .map_err(|_| forged())?;
    let mut parts = payload.split('.');
    let (Some("v1"), Some(kind), Some(subject), Some(expires), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(forged());
    };
    let expires: i64 = expires.parse().map_err(|_| forged())?;
    if expires <= now {
        return Err(AppError::new(
            ErrorCode::TokenExpired,
            Translation::of("error.token_expired"),
        ));
    }
    let subject = URL_SAFE_NO_PAD
        .decode(subject)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(forged)?;
    Ok((kind, subject, expires))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> StoreSecret {
        StoreSecret::new("a-test-secret-that-is-long-enough-0123").unwrap()
    }

    #[test]
    fn an_unsubscribe_link_names_its_alert_and_nothing_else() {
        let link = issue_unsubscribe(&secret(), 42);
        assert_eq!(verify_unsubscribe(&secret(), &link), Ok(42));
        let other = link.replacen(
            &URL_SAFE_NO_PAD.encode("42"),
            &URL_SAFE_NO_PAD.encode("43"),
            1,
        );
        assert!(verify_unsubscribe(&secret(), &other).is_err());
        let shopper = issue(&secret(), &Viewer::Shopper("42".into()), i64::MAX);
        assert!(
            verify_unsubscribe(&secret(), &shopper).is_err(),
            "a sign-in token is no unsubscribe link"
        );
        assert!(
            verify(&secret(), &link, 0).is_err(),
            "and the other way round"
        );
    }

    #[test]
    fn a_tracked_link_names_its_notice_and_is_no_unsubscribe_link() {
        let link = issue_tracking(&secret(), 7);
        assert_eq!(verify_tracking(&secret(), &link), Ok(7));
        let other = link.replacen(
            &URL_SAFE_NO_PAD.encode("7"),
            &URL_SAFE_NO_PAD.encode("8"),
            1,
        );
        assert!(verify_tracking(&secret(), &other).is_err());
        assert!(verify_unsubscribe(&secret(), &link).is_err());
        assert!(verify_tracking(&secret(), &issue_unsubscribe(&secret(), 7)).is_err());
    }

    #[test]
    fn a_preferences_link_names_its_shopper_and_kind_and_opens_nothing_else() {
        use crate::kernel::ids::ShopperKey;
        let link = issue_preferences(&secret(), ShopperKey(42), "unpaid_order");
        assert_eq!(
            verify_preferences(&secret(), &link),
            Ok((ShopperKey(42), "unpaid_order".to_owned()))
        );
        let other = link.replacen(
            &URL_SAFE_NO_PAD.encode("42:unpaid_order"),
            &URL_SAFE_NO_PAD.encode("43:unpaid_order"),
            1,
        );
        assert!(verify_preferences(&secret(), &other).is_err());
        assert!(verify_preferences(&secret(), &issue_unsubscribe(&secret(), 42)).is_err());
        assert!(verify_unsubscribe(&secret(), &link).is_err());
        assert!(verify(&secret(), &link, 0).is_err(), "no sign-in");
    }

    #[test]
    fn a_messages_tracked_link_names_its_message_and_address_and_its_image_only_the_message() {
        let link = issue_message_click(&secret(), 9, "https://shop.example/pay/U 1");
        assert_eq!(
            verify_message_click(&secret(), &link),
            Ok((9, "https://shop.example/pay/U 1".to_owned()))
        );
        let elsewhere = link.replacen(
            &URL_SAFE_NO_PAD.encode("9 https://shop.example/pay/U 1"),
            &URL_SAFE_NO_PAD.encode("9 https://evil.example/"),
            1,
        );
        assert!(verify_message_click(&secret(), &elsewhere).is_err());
        let image = issue_message_open(&secret(), 9);
        assert_eq!(verify_message_open(&secret(), &image), Ok(9));
        assert!(verify_message_open(&secret(), &link).is_err());
        assert!(verify_message_click(&secret(), &image).is_err());
        assert!(verify_tracking(&secret(), &image).is_err());
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let token = issue(&secret(), &Viewer::Shopper("cust-42".into()), 1_000);
        assert_eq!(
            verify(&secret(), &token, 999),
            Ok(Viewer::Shopper("cust-42".into()))
        );
        assert_eq!(
            verify(&secret(), &token, 1_000).unwrap_err().code,
            ErrorCode::TokenExpired
        );
    }

    #[test]
    fn a_shopper_token_may_not_outlast_the_stores_limit() {
        let now = 1_000_000;
        let year_3000 = 32_503_680_000;
        let cap = DEFAULT_SHOPPER_TOKEN_SECONDS;
        let at_cap = issue(&secret(), &Viewer::Shopper("cust-42".into()), now + cap);
        assert_eq!(
            verify(&secret(), &at_cap, now),
            Ok(Viewer::Shopper("cust-42".into()))
        );
        for expires in [now + cap + 1, year_3000, i64::MAX] {
            let long = issue(&secret(), &Viewer::Shopper("cust-42".into()), expires);
            let error = verify(&secret(), &long, now).unwrap_err();
            assert_eq!(error.code, ErrorCode::Unauthorized);
            assert!(
                error.message.contains("at most 30 days"),
                "{}",
                error.message
            );
        }
        let stricter = secret().with_max_shopper_token_seconds(3600).unwrap();
        assert!(verify(&stricter, &at_cap, now).is_err());
        assert!(secret().with_max_shopper_token_seconds(0).is_err());
        // Rapport issues guests' tokens itself, for a year: the store's limit is for the tokens the store signs.
        let guest = issue(&secret(), &Viewer::Guest("g-1".into()), now + 365 * 86_400);
        assert_eq!(
            verify(&stricter, &guest, now),
            Ok(Viewer::Guest("g-1".into()))
        );
    }

    #[test]
    fn tampering_with_any_part_is_caught() {
        let token = issue(&secret(), &Viewer::Shopper("cust-42".into()), 1_000);
        let other_subject = token.replace(
            &URL_SAFE_NO_PAD.encode("cust-42"),
            &URL_SAFE_NO_PAD.encode("cust-43"),
        );
        let later_expiry = token.replace(".1000.", ".9999.");
        let as_guest = token.replacen(".s.", ".g.", 1);
        let mut flipped = token.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        for forged in [
            other_subject,
            later_expiry,
            as_guest,
            flipped,
            String::new(),
            "v1.s.x.1".into(),
        ] {
            assert_eq!(
                verify(&secret(), &forged, 0).unwrap_err().code,
                ErrorCode::Unauthorized,
                "{forged}"
            );
        }
    }

    #[test]
    fn another_store_secret_is_refused() {
        let token = issue(&secret(), &Viewer::Guest("g-1".into()), 1_000);
        let other = StoreSecret::new("another-secret-that-is-long-enough-456").unwrap();
        assert!(verify(&other, &token, 0).is_err());
        assert_eq!(
            verify(&secret(), &token, 0),
            Ok(Viewer::Guest("g-1".into()))
        );
    }

    #[test]
    fn merchant_sessions_and_shopper_tokens_are_not_interchangeable() {
        let merchant = issue_merchant(&secret(), "Mei", 1_000);
        assert_eq!(verify_merchant(&secret(), &merchant, 999), Ok("Mei".into()));
        assert_eq!(
            verify(&secret(), &merchant, 0).unwrap_err().code,
            ErrorCode::Unauthorized
        );
        let shopper = issue(&secret(), &Viewer::Shopper("Mei".into()), 1_000);
        assert_eq!(
            verify_merchant(&secret(), &shopper, 0).unwrap_err().code,
            ErrorCode::Unauthorized
        );
        assert_eq!(
            verify_merchant(&secret(), &merchant, 1_000)
                .unwrap_err()
                .code,
            ErrorCode::TokenExpired
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(StoreSecret::new("short").is_err());
    }
}
