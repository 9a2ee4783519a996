//! Delivers the outboxes: the alerts' notices (emails over SMTP and calls of the merchant's webhook) and the
//! messages to one shopper (emails). Price and stock changes write notices in their own transaction (see
//! `app::alerts::ssr`), an answer to a question its message (`app::messages`); this worker claims due ones under a lease,
//! sends a few at a time, and records each outcome the moment it is known, so that a crash leaves only the
//! notices in flight undecided (their stable `Message-ID` lets mail systems drop the rare duplicate).
//! Failures are retried with exponential backoff and jitter until the store's attempts run out; an address the
//! receiving server refuses for good is suppressed, and nothing more is sent to it.

use crate::emails::{Email, EmailSite};
use app::alerts::rules::AlertPolicy;
use app::alerts::ssr::{self as outbox, Outgoing};
use app::identity::token::StoreSecret;
use app::kernel::time::{Millis, now};
use app::messages::Purpose;
use app::messages::ssr::{self as messages, Channel, OutgoingMessage};
use app::store::{Db, StoreError};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use hmac::{Hmac, Mac};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rand::Rng;
use sha2::Sha256;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How soon a worker aims to have sent what it has claimed; it opens only the connections that takes.
const DRAIN_GOAL: Duration = Duration::from_millis(500);

/// How many notices to have in flight: enough to send the `waiting` ones within [`DRAIN_GOAL`] at the server's
/// `latency` (Little's law), at least one and at most `most`. A fast server gets few at a time, which keeps the
/// messages that a crash could leave sent but unrecorded (and so sent twice) to as few as the work needs; a slow
/// one gets up to `most`. Before any latency is known, one.
pub fn in_flight(latency: Option<Duration>, waiting: usize, most: usize) -> usize {
    let Some(latency) = latency else {
        return 1;
    };
    let needed = (waiting as f64 * latency.as_secs_f64() / DRAIN_GOAL.as_secs_f64()).ceil();
    (needed as usize).clamp(1, most.max(1))
}

/// The server's recent answer time, averaged over the last several sends.
#[derive(Debug, Default)]
struct Latency(Mutex<Option<Duration>>);

impl Latency {
    fn get(&self) -> Option<Duration> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn observe(&self, took: Duration) {
        let mut latency = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *latency = Some(match *latency {
            None => took,
            Some(seen) => seen.mul_f64(0.8) + took.mul_f64(0.2),
        });
    }
}

/// Where and how notices are delivered.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// `smtp://host:port` (plain, for a local relay), `smtp://…?tls=required` or `smtps://…`; none: no email.
    pub smtp_url: Option<String>,
    /// The sender of alert emails.
    pub mail_from: Mailbox,
    /// The shop's name, as its messages sign it.
    pub shop_name: String,
    /// The store's public address, for links in emails (`https://shop.example.com`).
    pub public_url: String,
    /// The merchant's webhook and the secret its notices are signed with.
    pub webhook: Option<(String, String)>,
    /// How long a claimed notice is reserved for the worker that claimed it.
    pub lease: Millis,
    /// Notices claimed at a time.
    pub batch: i64,
    /// The most notices sent at once (each email on its own pooled SMTP connection); fewer when the server
    /// answers fast enough ([`in_flight`]).
    pub concurrency: usize,
    /// How long an idle worker waits before looking again.
    pub poll: Duration,
    /// Whether messages carry the image that counts their opens (`--email-open-tracking`).
    pub track_opens: bool,
    /// The store's rules for marketing email: a retry keeps the shopper's quiet hours too.
    pub marketing: messages::MarketingRules,
}

/// What went wrong delivering one notice; it is retried later.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("cannot build the email: {0}")]
    Message(String),
    #[error("the SMTP server refused or failed: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the webhook call failed: {0}")]
    Webhook(String),
    #[error("the notice has no address for its channel")]
    NoAddress,
}

/// Whether the SMTP server refused the recipient for good: the address goes on the suppression list. lettre's error
/// does not say which command was refused, so the reply's own words decide ([`refuses_recipient`]).
fn refuses_address(error: &DeliveryError) -> bool {
    match error {
        DeliveryError::Smtp(error) if error.is_permanent() => {
            let text = error.to_string();
            refuses_recipient(text.split_once("): ").map_or("", |(_, reply)| reply))
        }
        _ => false,
    }
}

/// Whether a permanent SMTP reply says the recipient's address is bad: its RFC 3463 status is 5.1.x (no such
/// mailbox, bad domain, bad syntax, moved) or 5.2.1 (mailbox disabled). Other permanent replies (5.7.x: relaying
/// denied, a sender the server does not accept, a message judged as spam or failing DMARC) say nothing of the
/// address, and a reply without a status is not trusted to: those are retried as any failure is.
fn refuses_recipient(reply: &str) -> bool {
    let status = reply.split_whitespace().next().unwrap_or_default();
    status.starts_with("5.1.") || status == "5.2.1"
}

/// Why nothing was sent to a suppressed address.
fn suppressed(since: Millis) -> String {
    format!(
        "not sent: the address has been on the suppression list since {} (its server refused it for good)",
        app::kernel::time::to_rfc3339(since)
    )
}

/// The delivery worker: one per server process (or `server work` process), any number per database.
pub struct Deliverer {
    /// This worker's name in the outbox's leases.
    name: String,
    db: Db,
    /// What its emails' words and links are made with.
    site: EmailSite,
    policy: AlertPolicy,
    config: DeliveryConfig,
    mailer: Option<AsyncSmtpTransport<Tokio1Executor>>,
    http: reqwest::Client,
    /// Per channel, as the email and webhook servers answer at their own pace; messages go by email.
    latency: [Latency; 2],
}

impl Deliverer {
    pub fn new(
        db: Db,
        secret: StoreSecret,
        policy: AlertPolicy,
        config: DeliveryConfig,
    ) -> Result<Self, String> {
        let mailer = match &config.smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("--smtp-url: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .pool_config(PoolConfig::new().max_size(config.concurrency.max(1) as u32))
                    .build(),
            ),
            None => None,
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(Self {
            name: format!("{}-{:08x}", std::process::id(), rand::random::<u32>()),
            db,
            site: EmailSite {
                secret,
                shop_name: config.shop_name.clone(),
                public_url: config.public_url.clone(),
                track_opens: config.track_opens,
            },
            policy,
            config,
            mailer,
            http,
            latency: Default::default(),
        })
    }

    fn channels(&self) -> Vec<&'static str> {
        let mut channels = Vec::new();
        if self.mailer.is_some() {
            channels.push("email");
        }
        if self.config.webhook.is_some() {
            channels.push("webhook");
        }
        channels
    }

    /// Delivers until `stop` turns true, finishing the notice in hand first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(channels = ?self.channels(), "delivering alert notices and messages");
        while !*stop.borrow() {
            let mut delivered = 0;
            for channel in self.channels() {
                match self.deliver_due(channel, &stop).await {
                    Ok(count) => delivered += count,
                    Err(error) => tracing::error!(%error, channel, "cannot read the outbox"),
                }
            }
            match self.deliver_messages(&stop).await {
                Ok(count) => delivered += count,
                Err(error) => tracing::error!(%error, "cannot read the messages' outbox"),
            }
            if delivered == 0 {
                tokio::select! {
                    () = tokio::time::sleep(self.config.poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        tracing::info!("alert delivery stopped");
    }

    /// Claims one batch of due notices on `channel` and delivers them in claim order, as many at a time as
    /// [`in_flight`] says for what is left and how fast the server answers; returns how many were tried. Stops
    /// starting new ones (the rest of the batch returns to the outbox when its lease ends) once `stop` turns true.
    pub async fn deliver_due(
        &self,
        channel: &str,
        stop: &watch::Receiver<bool>,
    ) -> Result<usize, StoreError> {
        let batch = outbox::claim_due(
            &self.db,
            channel,
            self.config.batch,
            &self.name,
            self.config.lease,
            now(),
        )
        .await?;
        let latency = &self.latency[usize::from(channel != "email")];
        self.drain(batch, latency, |notice| self.deliver(channel, notice, stop))
            .await
    }

    /// Claims one batch of due messages and emails them, as [`Deliverer::deliver_due`] does notices; none without
    /// an SMTP server.
    pub async fn deliver_messages(
        &self,
        stop: &watch::Receiver<bool>,
    ) -> Result<usize, StoreError> {
        let Some(mailer) = &self.mailer else {
            return Ok(0);
        };
        let batch = messages::claim_due(
            &self.db,
            self.config.batch,
            &self.name,
            self.config.lease,
            now(),
        )
        .await?;
        self.drain(batch, &self.latency[0], |message| {
            self.deliver_message(mailer, message, stop)
        })
        .await
    }

    /// Sends what was claimed, in claim order, as many at a time as [`in_flight`] says for what is left and how fast
    /// the server answers; returns how many were tried.
    async fn drain<Item, Sending>(
        &self,
        batch: Vec<Item>,
        latency: &Latency,
        send: impl Fn(Item) -> Sending,
    ) -> Result<usize, StoreError>
    where
        Sending: std::future::Future<Output = Result<Option<Duration>, StoreError>>,
    {
        // A full batch means more are due behind it: they count as waiting, so a backlog keeps every connection busy.
        let behind = if batch.len() as i64 >= self.config.batch {
            batch.len()
        } else {
            0
        };
        let mut waiting = batch.into_iter();
        let mut sending = FuturesUnordered::new();
        let mut tried = 0;
        loop {
            let limit = in_flight(
                latency.get(),
                waiting.len() + sending.len() + behind,
                self.config.concurrency,
            );
            while sending.len() < limit {
                let Some(item) = waiting.next() else { break };
                sending.push(send(item));
            }
            match sending.next().await {
                None => return Ok(tried),
                Some(outcome) => {
                    if let Some(took) = outcome? {
                        latency.observe(took);
                        tried += 1;
                    }
                }
            }
        }
    }

    /// Emails one claimed message and records the outcome at once, as [`Deliverer::deliver`] does a notice; a
    /// failure is retried on the alerts' schedule, until the store's attempts run out.
    async fn deliver_message(
        &self,
        mailer: &AsyncSmtpTransport<Tokio1Executor>,
        message: OutgoingMessage,
        stop: &watch::Receiver<bool>,
    ) -> Result<Option<Duration>, StoreError> {
        if *stop.borrow()
            || !messages::renew(&self.db, message.id, &self.name, self.config.lease, now()).await?
        {
            return Ok(None);
        }
        let by_email = message.channel == Channel::Email;
        if by_email
            && let Some(since) = messages::suppressed_since(&self.db, &message.email).await?
        {
            messages::delivery_failed(&self.db, message.id, &suppressed(since), None).await?;
            return Ok(None);
        }
        let started = Instant::now();
        let outcome = match message.channel {
            Channel::Webhook => self.hand_to_webhook(&message).await,
            Channel::Email => match self.message_email(&message) {
                Ok(email) => mailer
                    .send(email)
                    .await
                    .map(|_| ())
                    .map_err(DeliveryError::from),
                Err(error) => Err(error),
            },
        };
        let took = started.elapsed();
        match outcome {
            Ok(()) => {
                let tracked = by_email && self.config.track_opens;
                messages::delivered(&self.db, message.id, tracked, now()).await?
            }
            Err(error) if by_email && refuses_address(&error) => {
                tracing::warn!(message = message.id, %error, "the address was refused for good: suppressed");
                messages::suppress(&self.db, &message.email, &error.to_string(), now()).await?;
                messages::delivery_failed(&self.db, message.id, &error.to_string(), None).await?;
            }
            Err(error) => {
                tracing::warn!(message = message.id, attempts = message.attempts, %error, "delivery failed");
                let retry_at = (message.attempts < self.policy.max_attempts).then(|| {
                    let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
                    let at = now()
                        + app::alerts::rules::retry_delay(
                            message.attempts - 1,
                            jitter,
                            &self.policy,
                        );
                    // A marketing email's retry waits out the shopper's night as its first attempt did.
                    if by_email && message.body.kind().purpose() == Purpose::Marketing {
                        self.config
                            .marketing
                            .send_at(message.time_zone.as_deref(), at)
                    } else {
                        at
                    }
                });
                messages::delivery_failed(&self.db, message.id, &error.to_string(), retry_at)
                    .await?;
            }
        }
        Ok(Some(took))
    }

    /// The email for a message: plain text and HTML, and a stable `Message-ID`.
    pub fn message_email(&self, message: &OutgoingMessage) -> Result<Message, DeliveryError> {
        let content = Email::of_message(message, &self.site)
            .map_err(|e| DeliveryError::Message(e.to_string()))?;
        self.compose(
            &message.email,
            format!("message-{}", message.id),
            ("X-Rapport-Message", message.id),
            &content,
        )
    }

    /// Sends one claimed notice and records the outcome at once; how long the server took to answer, or none when
    /// it was not tried (stopping, or the notice is no longer this worker's).
    async fn deliver(
        &self,
        channel: &str,
        notice: Outgoing,
        stop: &watch::Receiver<bool>,
    ) -> Result<Option<Duration>, StoreError> {
        if *stop.borrow()
            || !outbox::renew(&self.db, notice.id, &self.name, self.config.lease, now()).await?
        {
            return Ok(None);
        }
        let address = notice.email.as_deref().filter(|_| channel == "email");
        if let Some(address) = address
            && let Some(since) = messages::suppressed_since(&self.db, address).await?
        {
            outbox::delivery_refused(&self.db, notice.id, &suppressed(since)).await?;
            return Ok(None);
        }
        let started = Instant::now();
        let outcome = match channel {
            "email" => self.send_email(&notice).await,
            _ => self.call_webhook(&notice).await,
        };
        let took = started.elapsed();
        match outcome {
            Ok(()) => outbox::delivered(&self.db, notice.id, now()).await?,
            Err(error)
                if let Some(address) = address
                    && refuses_address(&error) =>
            {
                tracing::warn!(notice = notice.id, %error, "the address was refused for good: suppressed");
                messages::suppress(&self.db, address, &error.to_string(), now()).await?;
                outbox::delivery_refused(&self.db, notice.id, &error.to_string()).await?;
            }
            Err(error) => {
                tracing::warn!(notice = notice.id, attempts = notice.attempts, %error, "delivery failed");
                let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
                outbox::delivery_failed(
                    &self.db,
                    notice.id,
                    &error.to_string(),
                    &self.policy,
                    jitter,
                    now(),
                )
                .await?;
            }
        }
        Ok(Some(took))
    }

    async fn send_email(&self, notice: &Outgoing) -> Result<(), DeliveryError> {
        let mailer = self.mailer.as_ref().ok_or(DeliveryError::NoAddress)?;
        let message = self.email(notice)?;
        mailer.send(message).await?;
        Ok(())
    }

    /// The email for a notice: plain text and HTML, a stable `Message-ID`, and RFC 8058 one-click unsubscribe.
    pub fn email(&self, notice: &Outgoing) -> Result<Message, DeliveryError> {
        let to = notice.email.as_deref().ok_or(DeliveryError::NoAddress)?;
        let content = Email::of_notice(notice, &self.site)
            .map_err(|e| DeliveryError::Message(e.to_string()))?;
        self.compose(
            to,
            format!("notice-{}", notice.id),
            ("X-Rapport-Notice", notice.id),
            &content,
        )
    }

    /// An email to `to` saying `content`, its `Message-ID` made of `local` (stable, so that mail systems drop a
    /// resend), and a header naming what it was sent for (`X-Rapport-Notice: 12`).
    fn compose(
        &self,
        to: &str,
        local: String,
        (header, id): (&'static str, i64),
        content: &Email,
    ) -> Result<Message, DeliveryError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| DeliveryError::Message(format!("bad address: {e}")))?;
        let domain = self.config.mail_from.email.domain().to_owned();
        let mut builder = Message::builder()
            .from(self.config.mail_from.clone())
            .to(to)
            .subject(content.subject.clone())
            .message_id(Some(format!("<{local}@{domain}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(header),
                id.to_string(),
            ));
        if let Some(unsubscribe) = &content.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{unsubscribe}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(content.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(content.html.clone()),
                    ),
            )
            .map_err(|e| DeliveryError::Message(e.to_string()))
    }

    /// Gives a message to the merchant's webhook, signed as notices are: its shopper stopped opening marketing
    /// email, so the store may reach them on another channel.
    async fn hand_to_webhook(&self, message: &OutgoingMessage) -> Result<(), DeliveryError> {
        let body = serde_json::json!({
            "id": message.id,
            "type": "message",
            "kind": message.body.kind().key(),
            "reason": "stopped_opening_email",
            "shopper_id": message.shopper_id,
            "email": message.email,
            "locale": message.locale,
            "message": message.body,
        })
        .to_string();
        self.post_to_webhook(("X-Rapport-Message", message.id), body)
            .await
    }

    async fn call_webhook(&self, notice: &Outgoing) -> Result<(), DeliveryError> {
        let body = serde_json::json!({
            "id": notice.id,
            "kind": notice.kind,
            "sku": notice.sku,
            "title": notice.title,
            "shopper_id": notice.shopper,
            "email": notice.email,
            "currency": notice.new_price.currency,
            "old_price_minor": notice.old_price.amount_minor,
            "new_price_minor": notice.new_price.amount_minor,
            "lowest_30_days_minor": notice.lowest_30_days.amount_minor,
            "created_at": app::kernel::time::to_rfc3339(notice.created_at),
        })
        .to_string();
        self.post_to_webhook(("X-Rapport-Notice", notice.id), body)
            .await
    }

    /// Posts `body` to the merchant's webhook with its id header and the signature.
    async fn post_to_webhook(
        &self,
        (header, id): (&'static str, i64),
        body: String,
    ) -> Result<(), DeliveryError> {
        let (url, secret) = self
            .config
            .webhook
            .as_ref()
            .ok_or(DeliveryError::NoAddress)?;
        let timestamp = now().as_seconds();
        let response = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header(header, id.to_string())
            .header(
                "X-Rapport-Signature",
                webhook_signature(secret, timestamp, &body),
            )
            .body(body)
            .send()
            .await
            .map_err(|e| DeliveryError::Webhook(e.to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(DeliveryError::Webhook(format!(
                "the webhook answered {}",
                response.status()
            )))
        }
    }
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the merchant recomputes it with the shared secret,
/// and refuses old timestamps so that a captured call cannot be replayed.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_server_gets_few_messages_at_once_and_a_slow_one_up_to_the_limit() {
        let ms = Duration::from_millis;
        assert_eq!(in_flight(None, 100, 8), 1, "nothing measured yet");
        assert_eq!(
            in_flight(Some(ms(2)), 100, 8),
            1,
            "100 in 0.2 s on one connection"
        );
        assert_eq!(in_flight(Some(ms(12)), 100, 8), 3);
        assert_eq!(
            in_flight(Some(ms(45)), 100, 8),
            8,
            "lettre's usual 45 ms needs all 8"
        );
        assert_eq!(in_flight(Some(ms(45)), 4, 8), 1, "a few left go one by one");
        assert_eq!(in_flight(Some(ms(900)), 100, 8), 8);
        assert_eq!(in_flight(Some(ms(900)), 100, 0), 1, "never none");
        assert_eq!(in_flight(Some(ms(45)), 0, 8), 1);
    }

    #[test]
    fn the_latency_follows_recent_answers() {
        let latency = Latency::default();
        assert_eq!(latency.get(), None);
        latency.observe(Duration::from_millis(100));
        assert_eq!(latency.get(), Some(Duration::from_millis(100)));
        for _ in 0..30 {
            latency.observe(Duration::from_millis(10));
        }
        let now = latency.get().unwrap();
        assert!(now < Duration::from_millis(11), "{now:?}");
    }

    #[test]
    fn only_a_reply_about_the_recipients_address_suppresses_it() {
        for reply in [
            "5.1.1 <gone@example.com>: mailbox unavailable",
            "5.1.2 bad destination system",
            "5.1.10 null MX",
            "5.2.1 mailbox disabled",
        ] {
            assert!(refuses_recipient(reply), "{reply}");
        }
        for reply in [
            "5.7.1 Relaying denied",
            "5.7.1 Sender address rejected: not owned by user",
            "5.7.26 Unauthenticated email is not accepted (DMARC)",
            "5.2.2 mailbox full",
            "Mailbox unavailable",
            "",
        ] {
            assert!(!refuses_recipient(reply), "{reply}");
        }
    }

    #[test]
    fn the_webhook_signature_covers_time_and_body() {
        let signed = webhook_signature("secret", 1_700_000_000, "{\"id\":1}");
        assert!(signed.starts_with("t=1700000000,v1="));
        assert_ne!(
            signed,
            webhook_signature("secret", 1_700_000_001, "{\"id\":1}")
        );
        assert_ne!(
            signed,
            webhook_signature("secret", 1_700_000_000, "{\"id\":2}")
        );
        assert_ne!(
            signed,
            webhook_signature("other", 1_700_000_000, "{\"id\":1}")
        );
    }
}
