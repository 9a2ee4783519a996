//! `rapport-tools`: loads demo data, measures the store functions and evaluates the feed, on any Rapport database,
//! and assembles the built site's stylesheet and readies its widgets for the wire.
//! Kept out of the server so that the production binary holds only what serves and delivers; `./rapport` runs it.

mod assets;
mod bench;
mod evaluation;
mod progress;
mod seed;
mod stylesheet;

use app::store::Db;
use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;
use std::time::Instant;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(name = "rapport-tools", version, about)]
struct Cli {
    /// Database: `sqlite://path/file.db` (created if missing) or `postgres://user@host/db`; migrations are applied.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/rapport.db",
        global = true
    )]
    database_url: String,
    /// Log filter, as RUST_LOG.
    #[arg(
        long,
        env = "RAPPORT_LOG",
        default_value = "info,sqlx=warn",
        global = true
    )]
    log: String,
    /// Where review photos are kept (the server's `RAPPORT_PHOTO_DIR`): the demo data's photos go there.
    #[arg(
        long,
        env = "RAPPORT_PHOTO_DIR",
        default_value = "data/photos",
        global = true
    )]
    photo_dir: std::path::PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    /// 600 products, 2,000 shoppers, 20,000 orders, 200,000 events: the demo.
    Small,
    /// 50,000 products, 100,000 shoppers, 250,000 orders, 5,000,000 events: for benchmarks.
    Large,
}

/// What `rapport-tools` does: the first four need no database (`evaluate-feed` only with `--inter`).
#[derive(Debug, Subcommand)]
enum Command {
    /// Bundle a stylesheet: inline its `@import "file";` lines, recursively, in order (`./rapport` bundles
    /// `style/main.css` into the site's `pkg/rapport.css`); with --minify, strip comments and needless whitespace.
    BundleCss {
        /// The stylesheet that imports the others.
        #[arg(long, default_value = "style/main.css")]
        entry: std::path::PathBuf,
        /// Where to write the bundle.
        #[arg(long, default_value = "target/site/pkg/rapport.css")]
        out: std::path::PathBuf,
        /// Strip comments and needless whitespace, as `./rapport` does for every build.
        #[arg(long)]
        minify: bool,
    },
    /// Measure what preparing an uploaded review photo costs (decoding, checks, two JPEGs), per image.
    BenchPhotos {
        /// Times each kind of photo is prepared.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
    /// Split the widgets' WASM (linked with --emit-relocs) into a main module and its chunks (the registry's, and
    /// the code they share), with the chunks' loader and the map of which files each chunk needs. Run before
    /// wasm-bindgen.
    SplitWidgets {
        /// The widgets' WASM as the linker wrote it.
        #[arg(long)]
        wasm: std::path::PathBuf,
        /// Where the main module, the chunks and their loader go.
        #[arg(long, default_value = "target/site/widgets")]
        out: std::path::PathBuf,
    },
    /// Ready a built site's widgets for the wire: a folder named by their content (cached for a year), brotli
    /// and gzip twins, and the loader naming them and each widget's chunks. Run after building the site and the
    /// widgets.
    PublishAssets {
        /// The built site.
        #[arg(long, default_value = "target/site")]
        site: std::path::PathBuf,
        /// Brotli's quality, 0 to 11 (11 is the smallest and takes a few seconds per megabyte).
        #[arg(long, default_value_t = 11)]
        quality: u32,
    },
    /// Measure the feed offline: hold out each sampled shopper's last purchase and score the feed's
    /// recommendations from their earlier history against popularity and chance (hit rate and NDCG). Reads this
    /// store's events, or with --inter a RecBole atomic interaction file (`./rapport evaluate` fetches
    /// MovieLens-1M).
    EvaluateFeed {
        /// A RecBole `.inter` file (tab-separated, header with user_id, item_id and timestamp columns).
        #[arg(long)]
        inter: Option<std::path::PathBuf>,
        /// Shoppers whose last purchase is held out.
        #[arg(long, default_value_t = 2_000)]
        shoppers: usize,
        /// Recommendations per shopper.
        #[arg(long, default_value_t = 10)]
        k: usize,
        /// Seed of the sample and of the random baseline.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    #[command(flatten)]
    Store(StoreCommand),
}

/// The commands that work on a store's database (`--database-url`).
#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Load deterministic demo data into an empty database.
    Seed {
        #[arg(long, value_enum, default_value = "small")]
        scale: Scale,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Leave a database that already holds products as it is, instead of failing.
        #[arg(long)]
        if_empty: bool,
    },
    /// Measure the ingest rate of the store functions: products upserted, then events recorded.
    BenchIngest {
        /// Products to upsert.
        #[arg(long, default_value_t = 20_000)]
        products: usize,
        /// Events to record.
        #[arg(long, default_value_t = 200_000)]
        events: usize,
    },
    /// Measure the reviews read and the vote rate on one product with many reviews and votes.
    BenchReviews {
        /// Reviews written on the product, each by its own shopper.
        #[arg(long, default_value_t = 10_000)]
        reviews: usize,
        /// Helpfulness votes spread over those reviews (most on the first, as on real products).
        #[arg(long, default_value_t = 1_000_000)]
        votes: usize,
    },
    /// Measure the questions widget's reads and the helpful-mark rate on one product with many answered questions.
    BenchQuestions {
        /// Questions asked about the product, each published with the shop's answer and a buyer's.
        #[arg(long, default_value_t = 2_000)]
        questions: usize,
        /// Helpful marks spread over the answers (most on the first, as on real products).
        #[arg(long, default_value_t = 20_000)]
        marks: usize,
    },
    /// Measure the wish-list widgets' reads and writes on a database that holds demo data.
    BenchWishlists {
        /// Items in the measured list.
        #[arg(long, default_value_t = 200)]
        items: usize,
    },
    /// Measure a tier recomputation after an order, and a rule preview over every shopper, on a database that
    /// holds demo data.
    BenchTiers {
        /// Orders recorded, each followed by its buyer's recomputation.
        #[arg(long, default_value_t = 2_000)]
        orders: usize,
    },
    /// Measure the feed on a database that holds demo data: full rebuilds at three sizes, a partial refresh, and
    /// the server time of building home feeds. Writes the similarity lists and some events.
    BenchFeed {
        /// Home feeds built per kind of viewer.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
    },
    /// Measure queuing review requests on a database that holds orders (the insights benchmark's): that many
    /// paid orders are marked delivered a week ago, and their requests queued at once.
    BenchReviewRequests {
        #[arg(long, default_value_t = 100_000)]
        orders: i64,
        /// Review requests to deliver to the SMTP server afterwards.
        #[arg(long, default_value_t = 2_000)]
        deliveries: usize,
        /// SMTP server to deliver them to, e.g. `smtp://127.0.0.1:2525`; none: no delivery.
        #[arg(long, env = "RAPPORT_SMTP_URL")]
        smtp_url: Option<String>,
    },
    /// Measure the merchant's customers page (RFM segments, repeat purchase, cohorts) and "Widgets at work" on a
    /// database with orders, first loading a store of the large demo data's size when it has none (and the widgets'
    /// activity when it has no reviews).
    BenchInsights {
        /// Shoppers loaded when the database has no orders.
        #[arg(long, default_value_t = 100_000)]
        shoppers: usize,
        /// Paid orders loaded when the database has none, over the three years to today.
        #[arg(long, default_value_t = 250_000)]
        orders: usize,
        /// Times each report is measured.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
    /// Measure how fast a price change queues the notices of many alerts, and (with --smtp-url) how fast a
    /// worker delivers them.
    BenchAlerts {
        #[arg(long, default_value_t = 100_000)]
        subscribers: usize,
        /// Emails to deliver to the SMTP server.
        #[arg(long, default_value_t = 5_000)]
        deliveries: usize,
        /// SMTP server to deliver the queued emails to, e.g. `smtp://127.0.0.1:2525`.
        #[arg(long, env = "RAPPORT_SMTP_URL")]
        smtp_url: Option<String>,
        /// Emails one worker sends at once, as the server's --delivery-concurrency.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&cli.log).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

pub async fn open(url: &str) -> Result<Db, String> {
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::BenchPhotos { rounds } => bench::photos(rounds.max(1)),
        Command::BundleCss { entry, out, minify } => {
            let bundled = stylesheet::bundle(&entry)?;
            let css = if minify {
                stylesheet::minify(&bundled)
            } else {
                bundled
            };
            std::fs::write(&out, &css).map_err(|error| format!("{}: {error}", out.display()))?;
            tracing::info!(out = %out.display(), bytes = css.len(), "stylesheet bundled");
            Ok(())
        }
        Command::SplitWidgets { wasm, out } => {
            let chunks = assets::split_widgets(&wasm, &out)?;
            tracing::info!(?chunks, "widgets split");
            Ok(())
        }
        Command::PublishAssets { site, quality } => {
            let published = assets::publish(&site, quality)?;
            tracing::info!(?published, "widgets published");
            Ok(())
        }
        Command::EvaluateFeed {
            inter,
            shoppers,
            k,
            seed,
        } => {
            let evaluation = evaluation::Evaluation { shoppers, k, seed };
            match inter {
                Some(path) => {
                    let interactions = evaluation::read_inter(&path)?;
                    evaluation::run(&path.display().to_string(), &interactions, &evaluation);
                }
                None => {
                    let db = open(&cli.database_url).await?;
                    let started = Instant::now();
                    tracing::info!("reading this store's events");
                    let interactions = app::feed::ssr::all_interactions(&db).await;
                    db.close().await;
                    let interactions = interactions.map_err(|e| e.to_string())?;
                    tracing::info!(
                        events = interactions.len(),
                        seconds = started.elapsed().as_secs_f64(),
                        "events read"
                    );
                    evaluation::run("this store's events", &interactions, &evaluation);
                }
            }
            Ok(())
        }
        Command::Store(command) => {
            let db = open(&cli.database_url).await?;
            let files = app::store::files::Files::on_disk(&cli.photo_dir);
            let outcome = on_store(&db, &cli.database_url, &files, command).await;
            db.close().await;
            outcome
        }
    }
}

async fn on_store(
    db: &Db,
    url: &str,
    files: &app::store::files::Files,
    command: StoreCommand,
) -> Result<(), String> {
    match command {
        StoreCommand::Seed {
            scale,
            seed,
            if_empty,
        } => load_demo_data(db, files, scale, seed, if_empty).await,
        StoreCommand::BenchIngest { products, events } => bench::ingest(db, products, events).await,
        StoreCommand::BenchReviews { reviews, votes } => bench::reviews(db, reviews, votes).await,
        StoreCommand::BenchQuestions { questions, marks } => {
            bench::questions(db, questions, marks).await
        }
        StoreCommand::BenchWishlists { items } => bench::wishlists(db, items).await,
        StoreCommand::BenchTiers { orders } => bench::tiers(db, orders).await,
        StoreCommand::BenchInsights {
            shoppers,
            orders,
            rounds,
        } => bench::insights(db, url, shoppers, orders, rounds.max(1)).await,
        StoreCommand::BenchFeed { requests } => bench::feed(db, requests).await,
        StoreCommand::BenchReviewRequests {
            orders,
            deliveries,
            smtp_url,
        } => bench::review_requests(db, orders, deliveries, smtp_url).await,
        StoreCommand::BenchAlerts {
            subscribers,
            deliveries,
            smtp_url,
            concurrency,
        } => bench::alerts(db, subscribers, deliveries, smtp_url, concurrency).await,
    }
}

async fn load_demo_data(
    db: &Db,
    files: &app::store::files::Files,
    scale: Scale,
    seed_value: u64,
    if_empty: bool,
) -> Result<(), String> {
    if if_empty && seed::holds_products(db).await.map_err(|e| e.to_string())? {
        tracing::info!("the database already holds products: demo data left as it is");
        return Ok(());
    }
    let started = Instant::now();
    tracing::info!(?scale, seed = seed_value, "loading demo data");
    let loaded = seed::seed(
        db,
        files,
        seed::Volume::of(scale),
        seed_value,
        app::kernel::time::now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    tracing::info!(
        ?loaded,
        seconds = started.elapsed().as_secs_f64(),
        "demo data loaded"
    );
    Ok(())
}
