use app::identity::merchant::MerchantKeys;
use app::identity::ssr::Identity;
use app::kernel::context::{PublicUrl, ShopName};
use app::store::Db;
use axum::serve::ListenerExt;
use clap::Parser;
use leptos::prelude::LeptosOptions;
use server::config::{Cli, Command, Config, LogFormat};
use server::delivery::Deliverer;
use server::state::AppState;
use server::{RouterOptions, metrics};
use std::future::IntoFuture;
use std::process::ExitCode;
use std::time::Instant;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let mut cli = Cli::parse();
    cli.config.drop_blank_settings();
    init_logging(&cli.config);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn open(config: &Config) -> Result<Db, String> {
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Work => work(config).await,
        Command::Migrate => {
            open(&config).await?;
            tracing::info!("the database is up to date");
            Ok(())
        }
        Command::Token { shopper, hours } => {
            let secret = config.secret()?;
            if hours.saturating_mul(3600) > secret.max_shopper_token_seconds() {
                return Err(format!(
                    "--hours {hours}: the server refuses shopper tokens that last longer than {} days \
                     (--shopper-token-max-days)",
                    secret.max_shopper_token_seconds() / 86_400
                ));
            }
            let expires =
                (app::kernel::time::now() + app::kernel::time::Millis::hours(hours)).as_seconds();
            println!(
                "{}",
                app::identity::token::issue(
                    &secret,
                    &app::identity::Viewer::Shopper(shopper),
                    expires
                )
            );
            Ok(())
        }
        Command::Backup { to } => {
            // The database as it is: a backup neither migrates it nor, for a mistyped path, creates an empty one.
            if let Some(file) = config.database_url.strip_prefix("sqlite://") {
                let file = file.split('?').next().unwrap_or_default();
                if !std::path::Path::new(file).is_file() {
                    return Err(format!("there is no SQLite database at {file}"));
                }
            }
            let db = Db::connect(&config.database_url)
                .await
                .map_err(|e| e.to_string())?;
            let started = Instant::now();
            db.back_up_to(&to).await.map_err(|e| e.to_string())?;
            db.close().await;
            let bytes = std::fs::metadata(&to).map(|m| m.len()).unwrap_or(0);
            println!(
                "backed up to {} ({bytes} bytes) in {:.2} s",
                to.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::PruneAssets { keep_hours } => {
            let site = std::path::Path::new(&config.site_root);
            let pruned = server::retired_builds::prune(
                site,
                std::time::Duration::from_secs(keep_hours.saturating_mul(3600)),
                std::time::SystemTime::now(),
            )?;
            for build in &pruned.removed {
                println!("removed {build}");
            }
            for build in &pruned.retiring {
                println!("out of use, kept for now: {build}");
            }
            Ok(())
        }
        Command::ReviewTiers => {
            let db = open(&config).await?;
            let summary = app::tiers::ssr::review(&db, app::kernel::time::now())
                .await
                .map_err(|e| e.to_string())?;
            let settled = app::tiers::ssr::settle(&db, app::kernel::time::now())
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(
                ?summary,
                settled,
                "tier review applied, settled spend counted"
            );
            Ok(())
        }
        Command::RefreshFeed { full } => {
            let db = open(&config).await?;
            let started = Instant::now();
            let report = app::feed::ssr::refresh(
                &db,
                &app::feed::ssr::FeedPolicy::default(),
                app::kernel::time::now(),
                full,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "{:?}, popularity recomputed: {}, in {:.2} s",
                report.lists,
                report.popularity,
                started.elapsed().as_secs_f64()
            );
            db.close().await;
            Ok(())
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let secret = config.secret()?;
    let reviews = config.review_policy()?;
    let marketing = config.marketing()?;
    // Every setting is checked before the database is opened: a mistyped one costs no start-up work.
    let trusted_proxies = config.trusted_proxies()?;
    let metrics_access = config.metrics_access()?;
    let pkg_dir = server::storefront_pkg_dir(std::path::Path::new(&config.site_root))?;
    if config.demo && config.store_secret.is_none() {
        tracing::warn!(
            "demo mode with the public demo secret: anyone can sign tokens; never use this in production"
        );
    }
    if config.api_keys.is_empty() {
        tracing::warn!(
            "no API keys configured (RAPPORT_API_KEYS): the merchant API refuses every request"
        );
    }
    let db = open(&config).await?;
    let leptos_options = LeptosOptions::builder()
        .output_name("rapport")
        .site_root(config.site_root.as_str())
        .site_pkg_dir(pkg_dir)
        .site_addr(config.bind)
        .build();
    let alerts = config.alert_policy()?;
    let feed = app::feed::ssr::FeedPolicy::default();
    let state = AppState {
        leptos_options,
        db: db.clone(),
        identity: Identity {
            secret: secret.clone(),
            merchant_keys: MerchantKeys::new(&config.api_keys),
            throttles: Default::default(),
            demo: config.demo,
        },
        reviews: app::reviews::ssr::Reviews {
            policy: reviews,
            then: std::sync::Arc::new(app::flows::tier_growth::TierGrowth),
            badges: std::sync::Arc::new(app::flows::tier_badges::TierBadges),
        },
        // Two photos decoded at once keep a burst of uploads within a few hundred MB.
        photos: app::reviews::ssr::ReviewPhotos::new(
            app::store::files::Files::on_disk(&config.photo_dir),
            2,
        ),
        questions: app::questions::ssr::Questions {
            policy: Default::default(),
            purchases: std::sync::Arc::new(app::flows::verified_buyers::OrderedProducts),
            then: std::sync::Arc::new(app::flows::answer_notices::AnswerNotices),
        },
        shop_name: ShopName(config.shop_name.clone()),
        marketing: marketing.clone(),
        carts: app::carts::ssr::Carts {
            then: std::sync::Arc::new(app::flows::cart_price_drops::CartsLeft),
        },
        cart_drops: app::flows::cart_price_drops::CartDropPolicy {
            watch_for: (config.cart_watch_days > 0)
                .then(|| app::kernel::time::Millis::days(i64::from(config.cart_watch_days))),
            marketing: marketing.clone(),
        },
        wishlists: config.wishlist_policy()?,
        alerts: alerts.clone(),
        feed: feed.clone(),
        insights: app::insights::ssr::Insights::new(
            config.insights_policy()?,
            std::sync::Arc::new(app::flows::tier_values::TierValues),
            std::sync::Arc::new(app::flows::order_values::OrdersValued),
        ),
        public_url: PublicUrl(config.public_url.clone()),
    };
    let draining = server::Draining::default();
    let metrics = metrics::Metrics::default();
    let options = RouterOptions {
        allowed_origins: config.allowed_origins.clone(),
        metrics: metrics.clone(),
        draining: draining.clone(),
        trusted_proxies,
        metrics_access,
    };
    db.keep_statistics_fresh()
        .await
        .map_err(|e| format!("cannot analyse the database: {e}"))?;
    let statistics = tokio::spawn(keep_statistics_fresh(db.clone()));
    let photo_sweep = tokio::spawn(sweep_photos(db.clone(), state.photos.clone()));
    let counts = tokio::spawn(fold_daily_counts(db.clone()));
    let follow_ups = tokio::spawn(follow_up(
        db.clone(),
        state.identity.secret.clone(),
        FollowUpPolicies {
            reviews: app::flows::review_requests::ReviewRequestPolicy {
                after: (config.review_request_days > 0).then(|| {
                    app::kernel::time::Millis::days(i64::from(config.review_request_days))
                }),
                remind_after: (config.review_reminder_days > 0).then(|| {
                    app::kernel::time::Millis::days(i64::from(config.review_reminder_days))
                }),
                ..Default::default()
            },
            unpaid: app::flows::unpaid_reminders::UnpaidReminderPolicy {
                after: (config.unpaid_reminder_hours > 0).then(|| {
                    app::kernel::time::Millis::hours(i64::from(config.unpaid_reminder_hours))
                }),
                marketing,
            },
        },
        std::time::Duration::from_secs(config.follow_up_interval_seconds.max(1)),
    ));
    let tier_reviews = (config.tier_review_interval_seconds > 0).then(|| {
        tokio::spawn(review_tiers(
            db.clone(),
            metrics.clone(),
            std::time::Duration::from_secs(config.tier_review_interval_seconds),
        ))
    });
    if config.feed_refresh_seconds > 0
        && !app::feed::ssr::ever_built(&db)
            .await
            .map_err(|e| e.to_string())?
    {
        let started = Instant::now();
        app::feed::ssr::refresh(&db, &feed, app::kernel::time::now(), true)
            .await
            .map_err(|e| format!("cannot build the feed's similarity lists: {e}"))?;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "feed similarity lists built"
        );
    }
    let feed_refresh = (config.feed_refresh_seconds > 0).then(|| {
        tokio::spawn(refresh_feed(
            db.clone(),
            metrics,
            feed,
            std::time::Duration::from_secs(config.feed_refresh_seconds),
        ))
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let queues_deliveries = alerts.email || alerts.webhook;
    let delivery = if config.serve_delivers && queues_deliveries {
        let deliverer = Deliverer::new(db.clone(), secret, alerts, config.delivery()?)?;
        Some(tokio::spawn(deliverer.run(stopped)))
    } else {
        None
    };
    if delivery.is_none() && queues_deliveries {
        tracing::info!("queueing emails and webhook calls for `server work` processes to deliver");
    }
    let router = server::router(state, options, &server::Pages::of_app())?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?
        // Without TCP_NODELAY a response's last segment can wait 40 ms for the client's delayed ACK.
        .tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::warn!(%error, "cannot set TCP_NODELAY");
            }
        });
    tracing::info!("serving on http://{}", config.bind);
    let grace = std::time::Duration::from_secs(config.shutdown_grace_seconds);
    let drain_limit = std::time::Duration::from_secs(config.drain_timeout_seconds);
    let (listener_closed, closed) = tokio::sync::oneshot::channel::<()>();
    let stop_accepting = async move {
        shutdown_signal().await;
        draining.start();
        tracing::info!(
            grace_seconds = grace.as_secs(),
            "stopping: still answering, with Connection: close, and failing health checks"
        );
        tokio::time::sleep(grace).await;
        tracing::info!("stopping: no new connections; finishing the requests in flight");
        let _ = listener_closed.send(());
    };
    // The client's address reaches handlers, for throttling guesses per client.
    let serving = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stop_accepting)
    .into_future();
    let drain_deadline = async move {
        if closed.await.is_ok() {
            tokio::time::sleep(drain_limit).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = serving => served.map_err(|e| e.to_string())?,
        () = drain_deadline => tracing::warn!(
            seconds = drain_limit.as_secs(),
            "requests still in flight after the drain time: stopping anyway"
        ),
    }
    let _ = stop.send(true);
    statistics.abort();
    photo_sweep.abort();
    counts.abort();
    follow_ups.abort();
    if let Some(tier_reviews) = tier_reviews {
        tier_reviews.abort();
    }
    if let Some(feed_refresh) = feed_refresh {
        feed_refresh.abort();
    }
    if let Some(delivery) = delivery {
        let _ = delivery.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Re-analyses the tables that changed a lot, every hour, so that query plans follow the store's growth.
async fn keep_statistics_fresh(db: Db) {
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    hourly.tick().await;
    loop {
        hourly.tick().await;
        if let Err(error) = db.keep_statistics_fresh().await {
            tracing::warn!(%error, "cannot refresh the planner's statistics");
        }
    }
}

/// Folds the daily counts that PostgreSQL's triggers add to every minute, so that a period's figures read about a
/// row per day and key however many writes came since.
async fn fold_daily_counts(db: Db) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        let folded = futures::try_join!(
            app::alerts::ssr::fold_daily_counts(&db),
            app::wishlist::ssr::fold_daily_counts(&db),
        );
        if let Err(error) = folded {
            tracing::warn!(%error, "cannot fold the daily counts");
        }
    }
}

/// Forgets review photos nobody sent with a review, a day after they came, every hour: uploads and review changes
/// sweep too, but a quiet store would otherwise keep them until its next upload.
async fn sweep_photos(db: Db, photos: app::reviews::ssr::ReviewPhotos) {
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    loop {
        hourly.tick().await;
        if let Err(error) = app::reviews::ssr::tidy(&db, &photos, app::kernel::time::now()).await {
            tracing::warn!(?error, "cannot sweep unsent review photos");
        }
    }
}

/// Keeps stored tiers in step with time: at start-up and then every `every`, applies a review date that has
/// passed, and moves up members whose pending spend has settled. Work already done finds nobody due, so the
/// check is cheap and several instances may run it.
async fn review_tiers(db: Db, metrics: metrics::Metrics, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        match app::tiers::ssr::review(&db, app::kernel::time::now()).await {
            Ok(summary) => {
                metrics.tiers_reviewed(app::kernel::time::now());
                if summary.reviewed > 0 {
                    tracing::info!(?summary, "tier review applied");
                }
            }
            Err(error) => tracing::warn!(%error, "tier review failed; retrying at the next check"),
        }
        match app::tiers::ssr::settle(&db, app::kernel::time::now()).await {
            Ok(settled) if settled > 0 => tracing::info!(settled, "members' settled spend counted"),
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "counting settled spend failed; retrying at the next check")
            }
        }
    }
}

/// When the follow-up emails go.
struct FollowUpPolicies {
    reviews: app::flows::review_requests::ReviewRequestPolicy,
    unpaid: app::flows::unpaid_reminders::UnpaidReminderPolicy,
}

/// Queues the follow-up emails that have come due, every `every`: review requests and their reminders, unpaid
/// orders' reminders (each once, whichever instance takes it).
async fn follow_up(
    db: Db,
    secret: app::identity::token::StoreSecret,
    policies: FollowUpPolicies,
    every: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = app::kernel::time::now();
        match app::flows::review_requests::queue_review_requests(
            &db,
            &secret,
            &policies.reviews,
            now,
        )
        .await
        {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "review requests queued"),
            Err(error) => {
                tracing::warn!(%error, "queuing review requests failed; retrying at the next check")
            }
        }
        match app::flows::unpaid_reminders::queue_unpaid_reminders(&db, &policies.unpaid, now).await
        {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "unpaid orders' reminders queued"),
            Err(error) => {
                tracing::warn!(%error, "queuing unpaid orders' reminders failed; retrying at the next check")
            }
        }
    }
}

/// Keeps the feed's transitions, similarity lists and popularity in step with the events: at start-up and then
/// every `every` (a full rebuild when one is due, otherwise the transitions and new products' lists).
/// Serving never waits for it; a shopper's own latest events count at once.
async fn refresh_feed(
    db: Db,
    metrics: metrics::Metrics,
    policy: app::feed::ssr::FeedPolicy,
    every: std::time::Duration,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let started = Instant::now();
        match app::feed::ssr::refresh(&db, &policy, app::kernel::time::now(), false).await {
            Ok(report) => {
                // Another instance held the refresh: this one did nothing to report.
                if report.lists != app::feed::ssr::Refreshed::Busy {
                    metrics.feed_refreshed(app::kernel::time::now(), started.elapsed());
                }
                tracing::debug!(
                    ?report,
                    seconds = started.elapsed().as_secs_f64(),
                    "feed refreshed"
                )
            }
            Err(error) => tracing::warn!(%error, "feed refresh failed; retrying at the next tick"),
        }
    }
}

/// Delivers alert notices until SIGTERM or Ctrl-C; the notice in hand is finished first.
async fn work(config: Config) -> Result<(), String> {
    let alerts = config.alert_policy()?;
    if !(alerts.email || alerts.webhook) {
        return Err("nothing to deliver: set --smtp-url or --alert-webhook-url".into());
    }
    let db = open(&config).await?;
    let deliverer = Deliverer::new(db.clone(), config.secret()?, alerts, config.delivery()?)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(deliverer.run(stopped));
    shutdown_signal().await;
    let _ = stop.send(true);
    let _ = worker.await;
    db.close().await;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}
