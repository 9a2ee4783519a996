//! All configuration in one place: command-line flags, each with an environment-variable fallback and a default.

use app::kernel::time::Millis;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Rapport: customer-relationship widgets for online stores"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to serve on.
    #[arg(
        long,
        env = "RAPPORT_BIND",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub bind: SocketAddr,
    /// Database: `sqlite://path/file.db` (embedded, the default) or `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/rapport.db",
        global = true
    )]
    pub database_url: String,
    /// Secret shared with the store for signing shopper tokens, at least 32 characters.
    /// Required unless --demo, which falls back to a fixed, public demo secret.
    #[arg(
        long,
        env = "RAPPORT_STORE_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub store_secret: Option<String>,
    /// The longest a shopper token signed by the store may last, in days; longer ones are refused.
    #[arg(
        long,
        env = "RAPPORT_SHOPPER_TOKEN_MAX_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub shopper_token_max_days: i64,
    /// Bearer keys the merchant API accepts, comma-separated. With none, the API refuses every request.
    #[arg(
        long,
        env = "RAPPORT_API_KEYS",
        value_delimiter = ',',
        hide_env_values = true,
        global = true
    )]
    pub api_keys: Vec<String>,
    /// Origins of store pages allowed to embed widgets (CORS), comma-separated, e.g. https://shop.example.
    #[arg(
        long,
        env = "RAPPORT_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_origins: Vec<String>,
    /// Reverse proxies (addresses or networks, comma-separated, e.g. 10.0.0.0/8) whose `X-Forwarded-For` names the
    /// client: guessing and flooding are then counted per client rather than per proxy. None by default, when the
    /// header is ignored, since anyone can send it.
    #[arg(
        long,
        env = "RAPPORT_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,
    /// A token that `GET /metrics` must be sent with (`Authorization: Bearer <token>`); without one, the metrics
    /// answer only to requests from this machine.
    #[arg(long, env = "RAPPORT_METRICS_TOKEN", global = true)]
    pub metrics_token: Option<String>,
    /// Demo mode: offers "sign in as" any demo shopper and serves the demo pictures (`rapport-tools seed` loads
    /// the demo data). Never in production.
    #[arg(long, env = "RAPPORT_DEMO", global = true)]
    pub demo: bool,
    /// The shop's name, shown with its replies to reviews.
    #[arg(
        long,
        env = "RAPPORT_SHOP_NAME",
        default_value = "Rapport Demo Store",
        global = true
    )]
    pub shop_name: String,
    /// The currency the shop sells in (ISO 4217): the merchant's figures sum amounts in it and count orders in
    /// any other apart.
    #[arg(
        long,
        env = "RAPPORT_STORE_CURRENCY",
        default_value = "CNY",
        global = true
    )]
    pub store_currency: String,
    /// Reviews one shopper may write or edit in 24 hours.
    #[arg(
        long,
        env = "RAPPORT_REVIEWS_PER_DAY",
        default_value_t = 10,
        global = true
    )]
    pub reviews_per_day: i64,
    /// Helpfulness votes one shopper may cast in a minute.
    #[arg(
        long,
        env = "RAPPORT_VOTES_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub votes_per_minute: i64,
    /// Review photos one shopper may upload in 24 hours.
    #[arg(
        long,
        env = "RAPPORT_REVIEW_PHOTOS_PER_DAY",
        default_value_t = 30,
        global = true
    )]
    pub review_photos_per_day: i64,
    /// Where shoppers' review photos are kept, under names made from their content.
    #[arg(
        long,
        env = "RAPPORT_PHOTO_DIR",
        default_value = "data/photos",
        global = true
    )]
    pub photo_dir: String,
    /// Weight of a verified purchase in the "most helpful" ranking (1 gives it no advantage).
    #[arg(
        long,
        env = "RAPPORT_REVIEW_VERIFIED_WEIGHT",
        default_value_t = 1.0,
        global = true
    )]
    pub review_verified_weight: f64,
    /// Reviews rated at least this many stars go live without moderation (if verified, see below).
    #[arg(
        long,
        env = "RAPPORT_REVIEW_AUTO_PUBLISH_MIN_RATING",
        default_value_t = 3,
        global = true
    )]
    pub review_auto_publish_min_rating: u8,
    /// Whether only verified purchases go live without moderation.
    #[arg(long, env = "RAPPORT_REVIEW_AUTO_PUBLISH_VERIFIED_ONLY", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub review_auto_publish_verified_only: bool,
    /// Points a published review of a verified purchase earns its author towards their member tier.
    #[arg(
        long,
        env = "RAPPORT_REVIEW_POINTS",
        default_value_t = 10,
        global = true
    )]
    pub review_points: i64,
    /// The most points reviews can earn one shopper in a calendar month.
    #[arg(
        long,
        env = "RAPPORT_REVIEW_POINTS_MONTHLY_CAP",
        default_value_t = 50,
        global = true
    )]
    pub review_points_monthly_cap: i64,
    /// Wish lists one shopper may keep, the default list included.
    #[arg(
        long,
        env = "RAPPORT_WISHLISTS_PER_SHOPPER",
        default_value_t = 20,
        global = true
    )]
    pub wishlists_per_shopper: i64,
    /// Items one wish list may hold.
    #[arg(
        long,
        env = "RAPPORT_WISHLIST_ITEMS",
        default_value_t = 500,
        global = true
    )]
    pub wishlist_items: i64,
    /// Whether the heart button shows how many shoppers saved a product.
    #[arg(long, env = "RAPPORT_WISHLIST_SHOW_SAVED_COUNT", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub wishlist_show_saved_count: bool,
    /// A price drop smaller than this percentage of the price an alert measures against is not notified.
    #[arg(
        long,
        env = "RAPPORT_ALERT_MIN_DROP_PERCENT",
        default_value_t = 2,
        global = true
    )]
    pub alert_min_drop_percent: i64,
    /// A price drop smaller than this many minor units (fen, cents) is not notified.
    #[arg(
        long,
        env = "RAPPORT_ALERT_MIN_DROP",
        default_value_t = 100,
        global = true
    )]
    pub alert_min_drop: i64,
    /// At most one notice per alert in this many hours.
    #[arg(
        long,
        env = "RAPPORT_ALERT_COOLDOWN_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub alert_cooldown_hours: i64,
    /// The SMTP server alert emails go through: `smtp://host:port` (plain, for a local relay),
    /// `smtp://user:pass@host:587?tls=required` or `smtps://host:465`. Without one, alerts are shown in the
    /// widget only and guests cannot subscribe.
    #[arg(long, env = "RAPPORT_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,
    /// The sender of alert emails.
    #[arg(
        long,
        env = "RAPPORT_MAIL_FROM",
        default_value = "Rapport Demo Store <alerts@rapport.localhost>",
        global = true
    )]
    pub mail_from: String,
    /// This server's public address: the links in alert emails, and where the embedding snippets of `/embed`
    /// load the widgets from.
    #[arg(
        long,
        env = "RAPPORT_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    pub public_url: String,
    /// A webhook of the merchant's that receives every alert notice as signed JSON (for stores that send
    /// through their own marketing tools).
    #[arg(long, env = "RAPPORT_ALERT_WEBHOOK_URL", global = true)]
    pub alert_webhook_url: Option<String>,
    /// Whether `serve` also delivers the queued emails and webhook calls. Off for servers that only queue them,
    /// leaving delivery to `server work` processes (which may run elsewhere, with the SMTP credentials).
    #[arg(long, env = "RAPPORT_SERVE_DELIVERS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub serve_delivers: bool,
    /// After SIGTERM, how long `serve` goes on answering, closing each connection after its response and failing
    /// `/healthz`, before it stops accepting: time for a load balancer to notice and for keep-alive clients to
    /// move to another instance.
    #[arg(
        long,
        env = "RAPPORT_SHUTDOWN_GRACE_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub shutdown_grace_seconds: u64,
    /// The longest `serve` waits, once it stops accepting, for the requests in flight to finish.
    #[arg(
        long,
        env = "RAPPORT_DRAIN_TIMEOUT_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub drain_timeout_seconds: u64,
    /// The secret the webhook's calls are signed with (HMAC-SHA256), at least 32 characters.
    #[arg(
        long,
        env = "RAPPORT_ALERT_WEBHOOK_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub alert_webhook_secret: Option<String>,
    /// Delivery attempts per notice before it is marked failed.
    #[arg(
        long,
        env = "RAPPORT_ALERT_MAX_ATTEMPTS",
        default_value_t = 16,
        global = true
    )]
    pub alert_max_attempts: i64,
    /// Seconds before the first retry of a failed email or webhook call; each further retry waits twice as long.
    #[arg(
        long,
        env = "RAPPORT_DELIVERY_FIRST_RETRY_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub delivery_first_retry_seconds: i64,
    /// How long a worker reserves the notices it claimed; after a crash they are retried when it runs out.
    #[arg(
        long,
        env = "RAPPORT_DELIVERY_LEASE_SECONDS",
        default_value_t = 120,
        global = true
    )]
    pub delivery_lease_seconds: i64,
    /// Notices one worker sends at once, each on its own SMTP connection: delivery waits on the network far more
    /// than it works, so sending side by side multiplies what one worker delivers.
    #[arg(
        long,
        env = "RAPPORT_DELIVERY_CONCURRENCY",
        default_value_t = 8,
        global = true
    )]
    pub delivery_concurrency: usize,
    /// A restock of N units notifies at most N times this many back-in-stock subscribers.
    #[arg(
        long,
        env = "RAPPORT_ALERT_RESTOCK_MULTIPLE",
        default_value_t = 3,
        global = true
    )]
    pub alert_restock_multiple: i64,
    /// How often, in seconds, the server applies a tier review date that has passed (downgrades by one tier at
    /// most) and moves up members whose pending spend has settled. Review dates come from the tier rules; 0
    /// turns the check off, for a deployment where a `server review-tiers` job runs it instead.
    #[arg(
        long,
        env = "RAPPORT_TIER_REVIEW_INTERVAL_SECONDS",
        default_value_t = 3_600,
        global = true
    )]
    pub tier_review_interval_seconds: u64,
    /// How often, in seconds, the server brings the feed's transitions up to the latest events and lists new
    /// products (a full rebuild of everything once a day; on PostgreSQL one instance at a time). About half a
    /// second on the large demo data after 200 shoppers acted (BENCHMARKS.md, "Feed"). 0 turns it off,
    /// for a deployment where a `server refresh-feed` job runs it instead.
    #[arg(
        long,
        env = "RAPPORT_FEED_REFRESH_SECONDS",
        default_value_t = 60,
        global = true
    )]
    pub feed_refresh_seconds: u64,
    /// Days after an order's reported delivery that its buyer is asked to review what it brought (one email per
    /// order, naming the products they have not reviewed); 0 sends no review requests.
    #[arg(
        long,
        env = "RAPPORT_REVIEW_REQUEST_DAYS",
        default_value_t = 7,
        global = true
    )]
    pub review_request_days: u32,
    /// Days after a review request that its one reminder goes, naming what is still not reviewed; 0 sends none.
    #[arg(
        long,
        env = "RAPPORT_REVIEW_REMINDER_DAYS",
        default_value_t = 7,
        global = true
    )]
    pub review_reminder_days: u32,
    /// Hours after an order is reported placed but unpaid that its buyer is reminded to pay, once, unless it was
    /// paid or cancelled first; 0 sends no reminders.
    #[arg(
        long,
        env = "RAPPORT_UNPAID_REMINDER_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub unpaid_reminder_hours: u32,
    /// Days a cart line is watched after the store last showed it in the shopper's cart (an addition, a cart sent
    /// through the API): a price drop in that time emails the shopper, as a price alert would. 0 tells no cart of
    /// any drop.
    #[arg(
        long,
        env = "RAPPORT_CART_WATCH_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub cart_watch_days: u32,
    /// Whether messages (answers, review requests, reminders) carry a one-pixel image whose fetch counts an open.
    /// Some mail programs fetch every image (an open that was none), others block them; turn it off where the
    /// store's privacy rules ask. Their links are counted either way.
    #[arg(long, env = "RAPPORT_EMAIL_OPEN_TRACKING", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub email_open_tracking: bool,
    /// Marketing email (unpaid orders' reminders, carts' price drops) to a shopper who has not chosen: `opt-out` sends it until they turn
    /// it off in their email preferences, `opt-in` only once they turned it on. Transactional email (answers, review
    /// requests) goes unless turned off.
    #[arg(
        long,
        env = "RAPPORT_MARKETING_CONSENT",
        value_enum,
        default_value = "opt-out",
        global = true
    )]
    pub marketing_consent: MarketingConsentArg,
    /// The shopper's local night, in which no marketing email goes (it waits until the end): `HH:MM-HH:MM`, or
    /// `off`.
    #[arg(
        long,
        env = "RAPPORT_MARKETING_QUIET_HOURS",
        default_value = "22:00-08:00",
        global = true
    )]
    pub marketing_quiet_hours: String,
    /// At most this many marketing emails to one shopper in any 7 days; 0 for no cap.
    #[arg(
        long,
        env = "RAPPORT_MARKETING_WEEKLY_CAP",
        default_value_t = 3,
        global = true
    )]
    pub marketing_weekly_cap: u32,
    /// A shopper who left this many marketing emails in a row unopened gets no more of it by email: the merchant's
    /// webhook (`--alert-webhook-url`) carries it instead, so that the store reaches them another way (none goes
    /// without one). 0 never stops; so does `--email-open-tracking false`, with which no open is seen.
    #[arg(
        long,
        env = "RAPPORT_MARKETING_UNOPENED_LIMIT",
        default_value_t = 5,
        global = true
    )]
    pub marketing_unopened_limit: u32,
    /// The time zone (IANA name) of shoppers whose own the store does not share.
    #[arg(
        long,
        env = "RAPPORT_STORE_TIME_ZONE",
        default_value = "UTC",
        global = true
    )]
    pub store_time_zone: String,
    /// How often, in seconds, the server queues the follow-up emails that have come due (review requests and their
    /// reminders, unpaid orders' reminders).
    #[arg(
        long,
        env = "RAPPORT_FOLLOW_UP_INTERVAL_SECONDS",
        default_value_t = 300,
        global = true
    )]
    pub follow_up_interval_seconds: u64,
    /// Log filter, in tracing's env-filter syntax.
    #[arg(
        long,
        env = "RAPPORT_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    pub log: String,
    /// Log format.
    #[arg(
        long,
        env = "RAPPORT_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// Folder of the built site (WASM, CSS, assets) that `./rapport` builds.
    #[arg(
        long,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MarketingConsentArg {
    OptOut,
    OptIn,
}

impl From<MarketingConsentArg> for app::messages::MarketingConsent {
    fn from(arg: MarketingConsentArg) -> Self {
        match arg {
            MarketingConsentArg::OptOut => app::messages::MarketingConsent::OptOut,
            MarketingConsentArg::OptIn => app::messages::MarketingConsent::OptIn,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the storefront, widgets and merchant API (the default).
    Serve,
    /// Apply migrations and exit.
    Migrate,
    /// Deliver alert notices (email, webhook) without serving pages: extra workers for a busy store.
    Work,
    /// Print a signed shopper token, as the store would issue it.
    Token {
        /// The store's shopper id.
        #[arg(long)]
        shopper: String,
        /// Hours until it expires.
        #[arg(long, default_value_t = 24)]
        hours: i64,
    },
    /// Bring the feed's similarity lists and popularity up to the latest events once, and exit; `--full`
    /// rebuilds every list from every event.
    RefreshFeed {
        #[arg(long)]
        full: bool,
    },
    /// Apply the last tier review date to every member not yet reviewed on it, move up members whose pending
    /// spend has settled, and exit.
    ReviewTiers,
    /// Copy an embedded SQLite database, consistently and while it is in use, to a new file (`--to`), which a
    /// server can open as it is. PostgreSQL stores use pg_dump.
    Backup {
        /// The new file to write; an existing file is never overwritten.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Remove the site's published builds (`widgets/<hash>/`, `pkg/<hash>/`) that earlier releases left, once out
    /// of use for `--keep-hours`: the first run after an upgrade marks them, a later one removes them. Run it
    /// after each upgrade (deploy/README.md).
    PruneAssets {
        /// How long a build stays after it went out of use, for pages opened before the upgrade.
        #[arg(long, default_value_t = 48)]
        keep_hours: u64,
    },
}

/// Known only to the demo: anyone can forge tokens with it, which is why it is refused outside demo mode.
pub const DEMO_SECRET: &str = "rapport-demo-secret-anyone-can-read-this-000";

impl Config {
    /// Treats a setting given as blank (`RAPPORT_SMTP_URL=` in an environment file) as not given, rather than as
    /// an empty URL, secret or token.
    pub fn drop_blank_settings(&mut self) {
        for setting in [
            &mut self.store_secret,
            &mut self.metrics_token,
            &mut self.smtp_url,
            &mut self.alert_webhook_url,
            &mut self.alert_webhook_secret,
        ] {
            if setting
                .as_deref()
                .is_some_and(|value| value.trim().is_empty())
            {
                *setting = None;
            }
        }
    }

    /// Who may read `/metrics`, or what is wrong with the token.
    pub fn metrics_access(&self) -> Result<crate::metrics::MetricsAccess, String> {
        if let Some(token) = &self.metrics_token
            && token.trim().chars().count() < 16
        {
            return Err("--metrics-token must be at least 16 characters".into());
        }
        Ok(crate::metrics::MetricsAccess {
            token: self
                .metrics_token
                .as_ref()
                .map(|token| token.trim().to_owned()),
        })
    }

    /// The trusted proxies' networks, or what is wrong with one.
    pub fn trusted_proxies(&self) -> Result<Vec<app::identity::throttle::Network>, String> {
        self.trusted_proxies
            .iter()
            .filter(|text| !text.trim().is_empty())
            .map(|text| text.parse().map_err(|e| format!("--trusted-proxies: {e}")))
            .collect()
    }

    /// The review rules, or what is wrong with them.
    pub fn review_policy(&self) -> Result<app::reviews::ssr::ReviewPolicy, String> {
        if !(1..=5).contains(&self.review_auto_publish_min_rating) {
            return Err("--review-auto-publish-min-rating must be from 1 to 5".into());
        }
        if !(self.review_verified_weight.is_finite() && self.review_verified_weight > 0.0) {
            return Err("--review-verified-weight must be a positive number".into());
        }
        if self.reviews_per_day < 1 || self.votes_per_minute < 1 || self.review_photos_per_day < 1 {
            return Err(
                "--reviews-per-day, --votes-per-minute and --review-photos-per-day must be at least 1".into(),
            );
        }
        if self.review_points < 0 || self.review_points_monthly_cap < 0 {
            return Err(
                "--review-points and --review-points-monthly-cap must not be negative".into(),
            );
        }
        Ok(app::reviews::ssr::ReviewPolicy {
            auto_publish: app::reviews::rules::AutoPublish {
                require_verified: self.review_auto_publish_verified_only,
                min_rating: self.review_auto_publish_min_rating,
            },
            verified_weight: self.review_verified_weight,
            reviews_per_day: self.reviews_per_day,
            votes_per_minute: self.votes_per_minute,
            photos_per_day: self.review_photos_per_day,
            points: app::reviews::rules::ReviewPoints {
                per_review: self.review_points,
                monthly_cap: self.review_points_monthly_cap,
            },
        })
    }

    /// The wish-list limits, or what is wrong with them.
    pub fn wishlist_policy(&self) -> Result<app::wishlist::rules::WishlistPolicy, String> {
        if self.wishlists_per_shopper < 1 || self.wishlist_items < 1 {
            return Err("--wishlists-per-shopper and --wishlist-items must be at least 1".into());
        }
        Ok(app::wishlist::rules::WishlistPolicy {
            max_lists: self.wishlists_per_shopper,
            max_items: self.wishlist_items,
            show_saved_count: self.wishlist_show_saved_count,
        })
    }

    /// The rules of the merchant's figures, or what is wrong with them.
    pub fn insights_policy(&self) -> Result<app::insights::ssr::InsightsPolicy, String> {
        app::kernel::money::validate_currency(&self.store_currency)
            .map_err(|message| format!("--store-currency: {message}"))?;
        Ok(app::insights::ssr::InsightsPolicy {
            currency: self.store_currency.clone(),
        })
    }

    /// The alert rules, or what is wrong with them.
    pub fn alert_policy(&self) -> Result<app::alerts::rules::AlertPolicy, String> {
        if !(0..=99).contains(&self.alert_min_drop_percent) {
            return Err("--alert-min-drop-percent must be from 0 to 99".into());
        }
        if self.alert_min_drop < 0 || self.alert_cooldown_hours < 0 {
            return Err("--alert-min-drop and --alert-cooldown-hours cannot be negative".into());
        }
        if self.alert_restock_multiple < 1 {
            return Err("--alert-restock-multiple must be at least 1".into());
        }
        if self.alert_max_attempts < 1 {
            return Err("--alert-max-attempts must be at least 1".into());
        }
        if !(1..=6 * 60 * 60).contains(&self.delivery_first_retry_seconds) {
            return Err("--delivery-first-retry-seconds must be from 1 to 21600 (6 hours)".into());
        }
        Ok(app::alerts::rules::AlertPolicy {
            min_drop_percent: self.alert_min_drop_percent,
            min_drop_minor: self.alert_min_drop,
            cooldown: Millis::hours(self.alert_cooldown_hours),
            restock_multiple: self.alert_restock_multiple,
            max_attempts: self.alert_max_attempts,
            first_retry: Millis::seconds(self.delivery_first_retry_seconds),
            email: self.smtp_url.is_some(),
            webhook: self.alert_webhook_url.is_some(),
        })
    }

    /// Where alert notices go, or what is wrong with it.
    pub fn delivery(&self) -> Result<crate::delivery::DeliveryConfig, String> {
        let webhook = match (&self.alert_webhook_url, &self.alert_webhook_secret) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(
                    "--alert-webhook-url needs --alert-webhook-secret to sign its calls".into(),
                );
            }
            (Some(_), Some(secret)) if secret.len() < 32 => {
                return Err("--alert-webhook-secret must be at least 32 characters long".into());
            }
            (Some(url), Some(secret)) => {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(format!(
                        "--alert-webhook-url \"{url}\" is not an http(s) address"
                    ));
                }
                Some((url.clone(), secret.clone()))
            }
        };
        if self.delivery_lease_seconds < 1 {
            return Err("--delivery-lease-seconds must be at least 1".into());
        }
        if !(1..=64).contains(&self.delivery_concurrency) {
            return Err("--delivery-concurrency must be between 1 and 64".into());
        }
        Ok(crate::delivery::DeliveryConfig {
            smtp_url: self.smtp_url.clone(),
            mail_from: self
                .mail_from
                .parse()
                .map_err(|e| format!("--mail-from \"{}\": {e}", self.mail_from))?,
            shop_name: self.shop_name.clone(),
            public_url: self.public_url.clone(),
            webhook,
            lease: Millis::seconds(self.delivery_lease_seconds),
            batch: 100,
            concurrency: self.delivery_concurrency,
            poll: std::time::Duration::from_secs(1),
            track_opens: self.email_open_tracking,
            marketing: self.marketing()?,
        })
    }

    /// The store's rules for marketing email, or what is wrong with them.
    pub fn marketing(&self) -> Result<app::messages::ssr::MarketingRules, String> {
        let quiet_hours = match self.marketing_quiet_hours.trim() {
            "off" => None,
            text => Some(
                app::messages::rules::QuietHours::parse(text)
                    .map_err(|error| format!("--marketing-quiet-hours: {error}"))?,
            ),
        };
        app::identity::ssr::validate_time_zone("--store-time-zone", &self.store_time_zone)
            .map_err(|error| error.message)?;
        Ok(app::messages::ssr::MarketingRules {
            consent: self.marketing_consent.into(),
            quiet_hours,
            weekly_cap: (self.marketing_weekly_cap > 0).then_some(self.marketing_weekly_cap),
            time_zone: self.store_time_zone.clone(),
            unopened_limit: (self.email_open_tracking && self.marketing_unopened_limit > 0)
                .then_some(self.marketing_unopened_limit),
            webhook: self.alert_webhook_url.is_some(),
        })
    }

    /// The store secret to sign with, or why there is none.
    pub fn secret(&self) -> Result<app::identity::token::StoreSecret, String> {
        let secret = match (&self.store_secret, self.demo) {
            (Some(secret), _) => app::identity::token::StoreSecret::new(secret),
            (None, true) => app::identity::token::StoreSecret::new(DEMO_SECRET),
            (None, false) => {
                Err("RAPPORT_STORE_SECRET (or --store-secret) is required outside demo mode".into())
            }
        }?;
        secret
            .with_max_shopper_token_seconds(self.shopper_token_max_days.saturating_mul(86_400))
            .map_err(|why| {
                format!(
                    "--shopper-token-max-days {}: {why}",
                    self.shopper_token_max_days
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(flags: &[&str]) -> Config {
        Cli::try_parse_from(std::iter::once("server").chain(flags.iter().copied()))
            .unwrap()
            .config
    }

    #[test]
    fn the_marketing_settings_are_read_and_nonsense_is_refused_with_its_flag() {
        let rules = config(&[
            "--marketing-quiet-hours",
            "21:30-07:00",
            "--marketing-weekly-cap",
            "0",
            "--store-time-zone",
            "Asia/Shanghai",
            "--marketing-consent",
            "opt-in",
        ])
        .marketing()
        .unwrap();
        assert_eq!(
            rules.quiet_hours,
            Some(app::messages::rules::QuietHours {
                start: 21 * 60 + 30,
                end: 7 * 60
            })
        );
        assert_eq!(rules.weekly_cap, None);
        assert_eq!(rules.consent, app::messages::MarketingConsent::OptIn);
        assert_eq!(rules.time_zone, "Asia/Shanghai");
        assert_eq!(
            config(&["--marketing-quiet-hours", "off"])
                .marketing()
                .unwrap()
                .quiet_hours,
            None
        );
        // Opens not tracked: no one can be seen to stop opening.
        let untracked = config(&["--email-open-tracking", "false"])
            .marketing()
            .unwrap();
        assert_eq!(untracked.unopened_limit, None);
        assert_eq!(config(&[]).marketing().unwrap().unopened_limit, Some(5));

        let late = config(&["--marketing-quiet-hours", "late"])
            .marketing()
            .unwrap_err();
        assert!(late.starts_with("--marketing-quiet-hours"), "{late}");
        let nowhere = config(&["--store-time-zone", "Atlantis/Capital"])
            .marketing()
            .unwrap_err();
        assert!(nowhere.contains("Atlantis/Capital"), "{nowhere}");
    }
}
