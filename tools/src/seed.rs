//! Deterministic demo data: the same seed gives the same store. It has the structure of a real shop: a long tail of
//! popularity, shoppers with favourite categories, a few repeat buyers and many one-time buyers, prices that change
//! over the year, some refunds and cancellations, and products out of stock or withdrawn.
//!
//! Everything goes through the same store functions as the merchant API. Times are laid out backwards from the
//! start of the current UTC day.

use crate::Scale;
use crate::progress::Progress;
use app::alerts::rules::AlertPolicy;
use app::catalog::ssr as catalog;
use app::catalog::{CategoryInput, PriceChange, ProductInput, ProductText};
use app::events::{EventInput, EventKind, ssr as events};
use app::flows::catalog_alerts::CatalogAlerts;
use app::flows::notice_purchases::NoticePurchases;
use app::flows::save_purchases;
use app::flows::tier_growth::TierGrowth;
use app::identity::{ShopperInput, Viewer, ssr as identity};
use app::kernel::time::{DAY_MS, Millis, to_rfc3339};
use app::orders::{OrderInput, OrderLineInput, RefundInput, ssr as orders};
use app::store::files::Files;
use app::store::{Db, StoreError};
use app::wishlist::rules::WishlistPolicy;
use app::wishlist::ssr as wishlists;
use rand::distributions::{Distribution, WeightedIndex};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, HashSet};

/// How much data each scale makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volume {
    pub products: usize,
    pub shoppers: usize,
    pub orders: usize,
    /// Reviews written by shoppers of what they bought (most) or only browsed.
    pub reviews: usize,
    /// Helpfulness votes on those reviews.
    pub votes: usize,
    /// All events, the `purchased` ones that orders record included.
    pub events: usize,
    /// Questions about products, most answered by the shop or by buyers.
    pub questions: usize,
    /// Photos on reviews, drawn: a few per review on some of them.
    pub review_photos: usize,
}

impl Volume {
    pub fn of(scale: Scale) -> Self {
        match scale {
            Scale::Small => Volume {
                products: 600,
                shoppers: 2_000,
                orders: 20_000,
                reviews: 3_000,
                votes: 15_000,
                events: 200_000,
                questions: 600,
                review_photos: 80,
            },
            Scale::Large => Volume {
                products: 50_000,
                shoppers: 100_000,
                orders: 250_000,
                reviews: 100_000,
                votes: 1_000_000,
                events: 5_000_000,
                questions: 20_000,
                review_photos: 200,
            },
        }
    }
}

struct CategorySpec {
    slug: &'static str,
    name: &'static str,
    name_zh: &'static str,
    nouns: [(&'static str, &'static str); 8],
    /// Typical price range in fen.
    price: (i64, i64),
    /// What its reviews rate besides the overall stars.
    criteria: &'static [&'static str],
}

/// What follows a seeded order, its cancellation or refund: the buyer's tier growth, and the notice each product
/// followed (for "Widgets at work"). The saves each followed are recorded once everything is in
/// ([`save_purchases::follow_all`]): the seed writes the lists after the orders, with earlier times.
const ORDERS_FOLLOWED: (TierGrowth, NoticePurchases) = (TierGrowth, NoticePurchases);

const CATEGORIES: [CategorySpec; 12] = [
    CategorySpec {
        slug: "kitchen",
        name: "Kitchen",
        name_zh: "厨房",
        price: (2_900, 89_900),
        criteria: &["quality", "ease_of_use", "durability", "value"],
        nouns: [
            ("Teapot", "茶壶"),
            ("Chef's Knife", "厨师刀"),
            ("Wok", "炒锅"),
            ("Cutting Board", "砧板"),
            ("Rice Cooker", "电饭煲"),
            ("Mixing Bowl", "搅拌碗"),
            ("Kettle", "烧水壶"),
            ("Spatula", "锅铲"),
        ],
    },
    CategorySpec {
        slug: "tea",
        name: "Tea",
        name_zh: "茶叶",
        price: (1_900, 59_900),
        criteria: &["taste", "freshness", "value"],
        nouns: [
            ("Longjing Green Tea", "龙井绿茶"),
            ("Pu'er Cake", "普洱茶饼"),
            ("Oolong", "乌龙茶"),
            ("Jasmine Tea", "茉莉花茶"),
            ("Black Tea", "红茶"),
            ("White Tea", "白茶"),
            ("Tea Sampler", "茶叶礼盒"),
            ("Chrysanthemum Tea", "菊花茶"),
        ],
    },
    CategorySpec {
        slug: "books",
        name: "Books",
        name_zh: "图书",
        price: (1_500, 19_900),
        criteria: &["quality", "value", "delivery"],
        nouns: [
            ("Cookbook", "食谱"),
            ("Novel", "小说"),
            ("Travel Guide", "旅行指南"),
            ("Poetry Collection", "诗集"),
            ("History Book", "历史读物"),
            ("Picture Book", "绘本"),
            ("Notebook", "笔记本"),
            ("Atlas", "地图集"),
        ],
    },
    CategorySpec {
        slug: "electronics",
        name: "Electronics",
        name_zh: "数码",
        price: (4_900, 299_900),
        criteria: &["quality", "battery_life", "sound", "value"],
        nouns: [
            ("Wireless Earbuds", "无线耳机"),
            ("Power Bank", "移动电源"),
            ("Smart Watch", "智能手表"),
            ("Bluetooth Speaker", "蓝牙音箱"),
            ("USB-C Charger", "USB-C 充电器"),
            ("E-Reader", "电子阅读器"),
            ("Keyboard", "键盘"),
            ("Webcam", "摄像头"),
        ],
    },
    CategorySpec {
        slug: "toys",
        name: "Toys",
        name_zh: "玩具",
        price: (1_900, 39_900),
        criteria: &["quality", "durability", "value"],
        nouns: [
            ("Building Blocks", "积木"),
            ("Jigsaw Puzzle", "拼图"),
            ("Plush Panda", "熊猫毛绒玩具"),
            ("Kite", "风筝"),
            ("Model Train", "模型火车"),
            ("Board Game", "桌游"),
            ("Yo-yo", "悠悠球"),
            ("Drawing Set", "绘画套装"),
        ],
    },
    CategorySpec {
        slug: "beauty",
        name: "Beauty",
        name_zh: "美妆",
        price: (2_900, 69_900),
        criteria: &["quality", "value", "delivery"],
        nouns: [
            ("Face Cream", "面霜"),
            ("Sheet Mask", "面膜"),
            ("Lip Balm", "润唇膏"),
            ("Sunscreen", "防晒霜"),
            ("Shampoo", "洗发水"),
            ("Hand Cream", "护手霜"),
            ("Perfume", "香水"),
            ("Cleanser", "洁面乳"),
        ],
    },
    CategorySpec {
        slug: "outdoor",
        name: "Outdoor",
        name_zh: "户外",
        price: (3_900, 199_900),
        criteria: &["durability", "comfort", "value"],
        nouns: [
            ("Tent", "帐篷"),
            ("Backpack", "背包"),
            ("Sleeping Bag", "睡袋"),
            ("Water Bottle", "运动水壶"),
            ("Headlamp", "头灯"),
            ("Trekking Poles", "登山杖"),
            ("Camping Stove", "露营炉"),
            ("Rain Jacket", "雨衣"),
        ],
    },
    CategorySpec {
        slug: "home",
        name: "Home",
        name_zh: "家居",
        price: (2_900, 129_900),
        criteria: &["quality", "design", "value"],
        nouns: [
            ("Throw Pillow", "抱枕"),
            ("Table Lamp", "台灯"),
            ("Vase", "花瓶"),
            ("Blanket", "毛毯"),
            ("Wall Clock", "挂钟"),
            ("Storage Box", "收纳盒"),
            ("Scented Candle", "香薰蜡烛"),
            ("Rug", "地毯"),
        ],
    },
    CategorySpec {
        slug: "fashion",
        name: "Fashion",
        name_zh: "服饰",
        price: (2_900, 89_900),
        criteria: &["fit", "comfort", "quality", "value"],
        nouns: [
            ("T-shirt", "T恤"),
            ("Scarf", "围巾"),
            ("Sneakers", "运动鞋"),
            ("Hoodie", "连帽衫"),
            ("Wallet", "钱包"),
            ("Sun Hat", "遮阳帽"),
            ("Socks", "袜子"),
            ("Tote Bag", "帆布包"),
        ],
    },
    CategorySpec {
        slug: "sports",
        name: "Sports",
        name_zh: "运动",
        price: (1_900, 99_900),
        criteria: &["comfort", "durability", "value"],
        nouns: [
            ("Yoga Mat", "瑜伽垫"),
            ("Dumbbells", "哑铃"),
            ("Jump Rope", "跳绳"),
            ("Badminton Racket", "羽毛球拍"),
            ("Basketball", "篮球"),
            ("Running Belt", "跑步腰包"),
            ("Table Tennis Set", "乒乓球套装"),
            ("Resistance Bands", "弹力带"),
        ],
    },
    CategorySpec {
        slug: "garden",
        name: "Garden",
        name_zh: "园艺",
        price: (1_500, 49_900),
        criteria: &["quality", "durability", "delivery"],
        nouns: [
            ("Flower Pot", "花盆"),
            ("Watering Can", "洒水壶"),
            ("Pruning Shears", "修枝剪"),
            ("Seed Kit", "种子套装"),
            ("Bonsai Tree", "盆景"),
            ("Garden Gloves", "园艺手套"),
            ("Plant Stand", "花架"),
            ("Compost Bin", "堆肥箱"),
        ],
    },
    CategorySpec {
        slug: "pets",
        name: "Pets",
        name_zh: "宠物",
        price: (990, 59_900),
        criteria: &["quality", "value", "delivery"],
        nouns: [
            ("Cat Tree", "猫爬架"),
            ("Dog Leash", "狗绳"),
            ("Pet Bed", "宠物窝"),
            ("Chew Toy", "磨牙玩具"),
            ("Food Bowl", "食盆"),
            ("Grooming Brush", "梳毛刷"),
            ("Cat Litter", "猫砂"),
            ("Pet Carrier", "宠物背包"),
        ],
    },
];

const ADJECTIVES: [(&str, &str); 12] = [
    ("Classic", "经典"),
    ("Deluxe", "豪华"),
    ("Compact", "迷你"),
    ("Bamboo", "竹制"),
    ("Ceramic", "陶瓷"),
    ("Eco", "环保"),
    ("Premium", "精选"),
    ("Travel", "便携"),
    ("Vintage", "复古"),
    ("Smart", "智能"),
    ("Cozy", "舒适"),
    ("Handmade", "手工"),
];

const GIVEN_NAMES: [(&str, &str); 16] = [
    ("Wei", "伟"),
    ("Fang", "芳"),
    ("Na", "娜"),
    ("Min", "敏"),
    ("Jing", "静"),
    ("Lei", "磊"),
    ("Yang", "洋"),
    ("Yan", "艳"),
    ("Emma", "艾玛"),
    ("Liam", "利亚姆"),
    ("Olivia", "奥利维亚"),
    ("Noah", "诺亚"),
    ("Ava", "艾娃"),
    ("Lucas", "卢卡斯"),
    ("Mia", "米娅"),
    ("Leo", "里奥"),
];
const FAMILY_NAMES: [(&str, &str); 12] = [
    ("Wang", "王"),
    ("Li", "李"),
    ("Zhang", "张"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Smith", "史密斯"),
    ("Garcia", "加西亚"),
    ("Müller", "穆勒"),
    ("Tanaka", "田中"),
    ("Kim", "金"),
    ("Brown", "布朗"),
];

/// Review titles and bodies by star rating, in English and Chinese.
const REVIEW_TEXTS: [[(&str, &str, &str, &str); 2]; 5] = [
    [
        (
            "Disappointed",
            "It broke within a week and the seller was slow to answer. Would not buy again.",
            "很失望",
            "用了不到一周就坏了，客服回复也很慢，不会再买。",
        ),
        (
            "Not as described",
            "The colour and size were different from the pictures. Returned it.",
            "与描述不符",
            "颜色和尺寸都和图片不一样，已经退货了。",
        ),
    ],
    [
        (
            "Just okay",
            "Works, but feels cheap for the price. There are better options.",
            "一般般",
            "能用，但以这个价格来说做工偏廉价，还有更好的选择。",
        ),
        (
            "Meh",
            "Does the job, barely. Delivery took longer than promised.",
            "凑合",
            "勉强能用，配送时间也比承诺的长。",
        ),
    ],
    [
        (
            "Fine for everyday use",
            "Nothing special, but it does what it says. Fair value.",
            "日常够用",
            "没什么特别的，但该有的功能都有，价格还算公道。",
        ),
        (
            "Average",
            "Decent quality, a few rough edges. Happy enough.",
            "中规中矩",
            "质量还行，有些小瑕疵，总体还算满意。",
        ),
    ],
    [
        (
            "Very good",
            "Solid quality and arrived quickly. One small flaw keeps it from five stars.",
            "很不错",
            "质量扎实，到货很快。有一个小缺点，所以给四星。",
        ),
        (
            "Would recommend",
            "Better than I expected for the price. I use it every day.",
            "推荐购买",
            "以这个价格来说超出预期，我每天都在用。",
        ),
    ],
    [
        (
            "Excellent!",
            "Beautifully made, works perfectly, and the packaging was lovely. Buying another as a gift.",
            "非常棒！",
            "做工精美，效果完美，包装也很用心。准备再买一个送人。",
        ),
        (
            "Love it",
            "Exactly what I wanted. Great quality and fast delivery.",
            "超级喜欢",
            "正是我想要的，质量很好，发货也快。",
        ),
    ],
];

struct SeedProduct {
    sku: String,
    category: usize,
    price: i64,
}

struct SeedShopper {
    id: String,
    favourites: Vec<usize>,
}

/// Products of one category with their popularity, for sampling.
struct Shelf {
    products: Vec<usize>,
    popularity: WeightedIndex<f64>,
}

/// What was loaded, for the log.
#[derive(Debug, Default)]
pub struct Loaded {
    pub products: usize,
    pub shoppers: usize,
    pub orders: usize,
    pub events: usize,
    pub price_changes: usize,
    pub reviews: usize,
    pub votes: usize,
    pub wishlist_items: usize,
    /// Price-drop and back-in-stock alerts shoppers set up, and the notices they were given.
    pub alerts: usize,
    pub notices: usize,
    pub questions: usize,
    pub answers: usize,
    pub review_photos: usize,
}

/// A shopper's photo for a review, drawn (soft light, a subject, its shadow) and made ready as an upload is.
async fn demo_photo(
    db: &Db,
    files: &Files,
    shopper: &str,
    rng: &mut ChaCha8Rng,
    at: Millis,
) -> Result<i64, StoreError> {
    let (width, height) = if rng.gen_bool(0.5) {
        (1200, 900)
    } else {
        (900, 1200)
    };
    let hue: f32 = rng.gen_range(0.0..360.0);
    let (cx, cy, r) = (
        rng.gen_range(0.3..0.7) * width as f32,
        rng.gen_range(0.35..0.65) * height as f32,
        rng.gen_range(0.18..0.3) * width.min(height) as f32,
    );
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let light = 0.92 - 0.25 * y / height as f32;
        let inside = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt() < r;
        let shadow = ((x - cx - r * 0.25).powi(2) + (y - cy - r * 0.9).powi(2) * 6.0).sqrt() < r;
        let (h, s, l) = if inside {
            (hue, 0.55, 0.35 + 0.25 * (1.0 - (y - cy + r) / (2.0 * r)))
        } else if shadow {
            (hue + 30.0, 0.1, light - 0.3)
        } else {
            (hue + 30.0, 0.15, light)
        };
        image::Rgb(hsl(h, s, l))
    });
    let mut encoded = std::io::Cursor::new(Vec::new());
    pixels
        .write_to(&mut encoded, image::ImageFormat::Jpeg)
        .map_err(|error| {
            StoreError::Rejected(app::kernel::error::AppError::invalid(
                "photo",
                error.to_string(),
            ))
        })?;
    let prepared = app::reviews::photos::prepare(encoded.get_ref())?;
    let kept = |error: std::io::Error| {
        StoreError::Rejected(app::kernel::error::AppError::invalid(
            "photo",
            error.to_string(),
        ))
    };
    let photo = app::reviews::ssr::NewPhoto {
        display_key: files.put(&prepared.display, "jpg").await.map_err(kept)?,
        thumb_key: files.put(&prepared.thumb, "jpg").await.map_err(kept)?,
        width: prepared.width,
        height: prepared.height,
    };
    let policy = app::reviews::ssr::ReviewPolicy {
        photos_per_day: i64::MAX,
        ..Default::default()
    };
    Ok(
        app::reviews::ssr::add_upload(db, shopper, &photo, &policy, at)
            .await?
            .id,
    )
}

fn hsl(hue: f32, saturation: f32, lightness: f32) -> [u8; 3] {
    let l = lightness.clamp(0.0, 1.0);
    let c = (1.0 - (2.0 * l - 1.0).abs()) * saturation;
    let h = hue.rem_euclid(360.0) / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r, g, b].map(|v| ((v + m) * 255.0).round() as u8)
}

/// Stars for some of the category's review criteria, near the overall rating.
fn rated_criteria(rng: &mut ChaCha8Rng, criteria: &[&str], stars: i64) -> BTreeMap<String, i64> {
    let mut rated = BTreeMap::new();
    for criterion in criteria {
        if rng.gen_bool(0.6) {
            rated.insert(
                (*criterion).to_owned(),
                (stars + rng.gen_range(-1..=1)).clamp(1, 5),
            );
        }
    }
    rated
}

/// A uniform number in [0, 1).
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    rng.gen_range(0.0..1.0)
}

fn rfc(at: Millis) -> Option<String> {
    Some(to_rfc3339(at))
}

/// Whether the store already has a catalogue, which demo data must not be mixed into.
pub async fn holds_products(db: &Db) -> Result<bool, StoreError> {
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM products LIMIT 1")
        .fetch_optional(db.reader())
        .await?;
    Ok(any.is_some())
}

/// Loads demo data into an empty database.
pub async fn seed(
    db: &Db,
    files: &Files,
    volume: Volume,
    seed: u64,
    today: Millis,
) -> Result<Loaded, StoreError> {
    if holds_products(db).await? {
        return Err(app::kernel::error::AppError::conflict(
            "the database already holds products; demo data loads only into an empty one",
        )
        .into());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let today = today - today.rem_euclid(DAY_MS);
    let opened = today - 400 * DAY_MS;
    let mut loaded = Loaded::default();

    let categories: Vec<CategoryInput> = CATEGORIES
        .iter()
        .enumerate()
        .map(|(position, spec)| CategoryInput {
            slug: spec.slug.into(),
            name: spec.name.into(),
            translations: BTreeMap::from([("zh-CN".to_owned(), spec.name_zh.to_owned())]),
            position: position as i64,
            review_criteria: Some(spec.criteria.iter().map(|c| (*c).to_owned()).collect()),
            // Tea, beauty products and pet food run out and are bought again.
            repeatable: matches!(spec.slug, "tea" | "beauty" | "pets"),
        })
        .collect();
    catalog::upsert_categories(db, &categories).await?;

    // Products, with a long-tailed popularity (Zipf over a random ranking).
    let mut products = Vec::with_capacity(volume.products);
    let mut inputs = Vec::with_capacity(volume.products);
    for index in 0..volume.products {
        let category = index % CATEGORIES.len();
        let spec = &CATEGORIES[category];
        let within = index / CATEGORIES.len();
        let (adjective, adjective_zh) = ADJECTIVES[within % ADJECTIVES.len()];
        let (noun, noun_zh) = spec.nouns[(within / ADJECTIVES.len()) % spec.nouns.len()];
        let series = within / (ADJECTIVES.len() * spec.nouns.len());
        let (title, title_zh) = if series == 0 {
            (
                format!("{adjective} {noun}"),
                format!("{adjective_zh}{noun_zh}"),
            )
        } else {
            (
                format!("{adjective} {noun} No. {}", series + 1),
                format!("{adjective_zh}{noun_zh} {}号", series + 1),
            )
        };
        let sku = format!("{}-{:05}", spec.slug[..3].to_ascii_uppercase(), index + 1);
        let (low, high) = spec.price;
        // Prices cluster at the low end and end in 0 or 9, like shop prices do.
        let raw = low as f64 * ((high as f64 / low as f64).powf(unit(&mut rng).powf(1.6)));
        let price =
            ((raw / 100.0).round() as i64).max(1) * 100 - if rng.gen_bool(0.6) { 10 } else { 0 };
        let stock = if rng.gen_bool(0.08) {
            0
        } else if rng.gen_bool(0.1) {
            rng.gen_range(1..=5)
        } else {
            rng.gen_range(6..=400)
        };
        inputs.push(ProductInput {
            sku: sku.clone(),
            category: spec.slug.into(),
            title: title.clone(),
            description: format!(
                "{title}: a demo product of the {} department, chosen by shoppers like you.",
                spec.name.to_lowercase()
            ),
            image_url: format!("/demo-img/{sku}.svg"),
            page_url: format!("/p/{sku}"),
            price_minor: price,
            currency: "CNY".into(),
            stock,
            active: !rng.gen_bool(0.02),
            translations: BTreeMap::from([(
                "zh-CN".to_owned(),
                ProductText {
                    title: title_zh.clone(),
                    description: format!(
                        "{title_zh}：{}频道的演示商品，深受顾客喜爱。",
                        spec.name_zh
                    ),
                },
            )]),
        });
        products.push(SeedProduct {
            sku,
            category,
            price,
        });
    }
    for (batch_no, batch) in inputs.chunks(app::kernel::validate::MAX_BATCH).enumerate() {
        // Spread creation over the store's first months so that "new arrivals" means something.
        catalog::upsert_products(
            db,
            batch,
            &CatalogAlerts(&AlertPolicy::default()),
            opened + batch_no as i64 * DAY_MS,
        )
        .await?;
    }
    loaded.products = products.len();

    let mut ranking: Vec<usize> = (0..products.len()).collect();
    ranking.shuffle(&mut rng);
    let mut popularity = vec![0.0; products.len()];
    for (rank, product) in ranking.iter().enumerate() {
        popularity[*product] = 1.0 / (rank as f64 + 1.0).powf(1.05);
    }
    let shelves: Vec<Shelf> = (0..CATEGORIES.len())
        .map(|category| {
            let members: Vec<usize> = (0..products.len())
                .filter(|p| products[*p].category == category)
                .collect();
            let weights: Vec<f64> = members.iter().map(|p| popularity[*p]).collect();
            Shelf {
                popularity: WeightedIndex::new(weights).expect("every category has products"),
                products: members,
            }
        })
        .collect();

    // Price changes over the year: 40% of products change one to four times.
    let mut changes_by_day: BTreeMap<i64, Vec<PriceChange>> = BTreeMap::new();
    for product in &mut products {
        if !rng.gen_bool(0.4) {
            continue;
        }
        let mut days: Vec<i64> = (0..rng.gen_range(1..=4))
            .map(|_| rng.gen_range(1..365))
            .collect();
        days.sort_unstable();
        days.dedup();
        for day in days {
            let factor = if rng.gen_bool(0.65) {
                rng.gen_range(0.7..0.97)
            } else {
                rng.gen_range(1.03..1.25)
            };
            product.price = (((product.price as f64 * factor) / 10.0).round() as i64).max(1) * 10;
            changes_by_day.entry(day).or_default().push(PriceChange {
                sku: product.sku.clone(),
                price_minor: product.price,
                currency: "CNY".into(),
            });
        }
    }
    for (day, changes) in changes_by_day.into_iter().rev() {
        for batch in changes.chunks(app::kernel::validate::MAX_BATCH) {
            loaded.price_changes += catalog::change_prices(
                db,
                batch,
                &CatalogAlerts(&AlertPolicy::default()),
                today - day * DAY_MS,
            )
            .await? as usize;
        }
    }

    // Shoppers: a few very active ones (Pareto activity), each with one to three favourite categories.
    let mut shoppers = Vec::with_capacity(volume.shoppers);
    let mut shopper_inputs = Vec::with_capacity(volume.shoppers);
    for index in 0..volume.shoppers {
        let id = format!("shopper-{:06}", index + 1);
        let (given, given_zh) = GIVEN_NAMES[rng.gen_range(0..GIVEN_NAMES.len())];
        let (family, family_zh) = FAMILY_NAMES[rng.gen_range(0..FAMILY_NAMES.len())];
        let chinese = rng.gen_bool(0.45);
        shopper_inputs.push(ShopperInput {
            shopper_id: id.clone(),
            email: Some(format!("{id}@example.com")),
            display_name: if chinese {
                format!("{family_zh}{given_zh}")
            } else {
                format!("{given} {family}")
            },
            locale: if chinese { "zh-CN".into() } else { "en".into() },
            time_zone: None,
        });
        let mut favourites: Vec<usize> = (0..CATEGORIES.len()).collect();
        favourites.shuffle(&mut rng);
        favourites.truncate(rng.gen_range(1..=3));
        shoppers.push(SeedShopper { id, favourites });
    }
    for batch in shopper_inputs.chunks(app::kernel::validate::MAX_BATCH) {
        identity::upsert_shoppers(db, batch, opened).await?;
    }
    loaded.shoppers = shoppers.len();
    db.refresh_statistics().await?;
    let activity: Vec<f64> = (0..shoppers.len())
        .map(|_| 1.0 / (1.0 - unit(&mut rng)).powf(0.8) - 0.9)
        .collect();
    let by_activity = WeightedIndex::new(&activity).expect("positive activity");

    let pick_product = |rng: &mut ChaCha8Rng, shopper: &SeedShopper| -> usize {
        let category = if rng.gen_bool(0.8) {
            shopper.favourites[rng.gen_range(0..shopper.favourites.len())]
        } else {
            rng.gen_range(0..CATEGORIES.len())
        };
        let shelf = &shelves[category];
        shelf.products[shelf.popularity.sample(rng)]
    };

    // Orders over the last year, growing towards today; a few refunded or cancelled.
    let mut purchased = 0usize;
    // Who bought each product (the first few), for the buyers who answer questions about it.
    let mut buyers: Vec<Vec<usize>> = vec![Vec::new(); products.len()];
    let mut progress = Progress::start("orders", volume.orders);
    for index in 0..volume.orders {
        progress.at(index);
        let buyer = by_activity.sample(&mut rng);
        let shopper = &shoppers[buyer];
        let placed_at = today
            - Millis(((1.0 - unit(&mut rng).sqrt()) * 365.0 * DAY_MS.0 as f64) as i64)
            - Millis(rng.gen_range(0..DAY_MS.0));
        let mut seen = HashSet::new();
        let picked: Vec<usize> = (0..rng.gen_range(1..=4))
            .map(|_| pick_product(&mut rng, shopper))
            .filter(|product| seen.insert(*product))
            .collect();
        for product in &picked {
            if buyers[*product].len() < 20 && !buyers[*product].contains(&buyer) {
                buyers[*product].push(buyer);
            }
        }
        let lines: Vec<OrderLineInput> = picked
            .into_iter()
            .map(|product| OrderLineInput {
                sku: products[product].sku.clone(),
                quantity: if rng.gen_bool(0.8) {
                    1
                } else {
                    rng.gen_range(2..=3)
                },
                unit_price_minor: products[product].price,
            })
            .collect();
        purchased += lines.len();
        let order_id = format!("D{:07}", index + 1);
        let order = OrderInput {
            order_id: order_id.clone(),
            shopper_id: shopper.id.clone(),
            currency: "CNY".into(),
            shipping_minor: if rng.gen_bool(0.5) { 0 } else { 1_000 },
            tax_minor: 0,
            placed_at: rfc(placed_at),
            lines,
        };
        let outcome = orders::record_order(
            db,
            &format!("seed-{order_id}"),
            &order,
            &ORDERS_FOLLOWED,
            today,
        )
        .await?;
        let roll = unit(&mut rng);
        if roll < 0.01 {
            orders::cancel_order(db, &order_id, &ORDERS_FOLLOWED, today).await?;
        } else if roll < 0.04 {
            let amount = if roll < 0.03 {
                outcome.total_minor
            } else {
                (outcome.total_minor / 3).max(1)
            };
            let refunded_at = (placed_at + rng.gen_range(1..20) * DAY_MS).min(today);
            let refund = RefundInput {
                amount_minor: amount,
                refunded_at: rfc(refunded_at),
            };
            orders::record_refund(
                db,
                &format!("seed-refund-{order_id}"),
                &order_id,
                &refund,
                &ORDERS_FOLLOWED,
                today,
            )
            .await?;
        }
    }
    progress.finish();
    loaded.orders = volume.orders;
    db.refresh_statistics().await?;

    // Reviews, mostly of what the author bought, rated in the J shape real shops see; then helpfulness votes,
    // more of them on the more popular products.
    let policy = app::reviews::ssr::ReviewPolicy {
        // Every demo review goes live, so that the storefront shows them; the store's own rule is the configured one.
        auto_publish: app::reviews::rules::AutoPublish {
            require_verified: false,
            min_rating: 1,
        },
        reviews_per_day: i64::MAX,
        votes_per_minute: i64::MAX,
        ..Default::default()
    };
    // Every twentieth review meets the store's default rule instead, as a new review would: those it does not
    // publish wait in the merchant's moderation queue.
    let store_rule = app::reviews::ssr::ReviewPolicy {
        reviews_per_day: i64::MAX,
        votes_per_minute: i64::MAX,
        ..Default::default()
    };
    let ratings = WeightedIndex::new([6.0, 5.0, 10.0, 27.0, 52.0]).expect("positive weights");
    let mut reviews: Vec<(i64, usize)> = Vec::with_capacity(volume.reviews);
    let mut reviewed = HashSet::new();
    // Photos come from a stream of their own, so that the rest of the data is the same with or without them.
    let mut photo_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5048_4f54);
    let mut progress = Progress::start("reviews", volume.reviews);
    while reviews.len() < volume.reviews {
        progress.at(reviews.len());
        let author = by_activity.sample(&mut rng);
        let product = pick_product(&mut rng, &shoppers[author]);
        if !reviewed.insert((author, product)) {
            continue;
        }
        let stars = ratings.sample(&mut rng) + 1;
        let chinese = shopper_inputs[author].locale == "zh-CN";
        let (title, body, title_zh, body_zh) = REVIEW_TEXTS[stars - 1][rng.gen_range(0..2)];
        let input = app::reviews::ReviewInput {
            rating: stars as i64,
            title: if chinese { title_zh } else { title }.to_owned(),
            body: if chinese { body_zh } else { body }.to_owned(),
            criteria: rated_criteria(
                &mut rng,
                CATEGORIES[product % CATEGORIES.len()].criteria,
                stars as i64,
            ),
            photos: None,
        };
        let written_at =
            today - Millis(((1.0 - unit(&mut rng).sqrt()) * 300.0 * DAY_MS.0 as f64) as i64);
        let mut input = input;
        if stars >= 3 && loaded.review_photos < volume.review_photos && photo_rng.gen_bool(0.08) {
            let mut photos = Vec::new();
            for _ in 0..photo_rng.gen_range(1..=3) {
                photos.push(
                    demo_photo(db, files, &shoppers[author].id, &mut photo_rng, written_at).await?,
                );
            }
            input.photos = Some(photos);
        }
        match app::reviews::ssr::write_review(
            db,
            &shoppers[author].id,
            &products[product].sku,
            &input,
            if reviews.len() % 20 == 19 {
                &store_rule
            } else {
                &policy
            },
            &TierGrowth,
            written_at,
        )
        .await
        {
            Ok(review) => {
                loaded.review_photos += review.photos.len();
                reviews.push((review.id, author));
            }
            // Withdrawn products take no reviews (the photos uploaded for one go unsent); skip them as a shopper
            // would.
            Err(StoreError::Rejected(_)) => continue,
            Err(error) => return Err(error),
        }
    }
    progress.finish();
    loaded.reviews = reviews.len();
    db.refresh_statistics().await?;
    let review_popularity =
        WeightedIndex::new((0..reviews.len()).map(|i| 1.0 / (i as f64 + 10.0))).expect("reviews");
    let mut votes = 0;
    let mut progress = Progress::start("helpfulness votes", volume.votes);
    while votes < volume.votes {
        progress.at(votes);
        let (review_id, author) = reviews[review_popularity.sample(&mut rng)];
        let voter = by_activity.sample(&mut rng);
        if voter == author {
            continue;
        }
        let helpful = rng.gen_bool(0.8);
        match app::reviews::ssr::vote(
            db,
            &shoppers[voter].id,
            review_id,
            Some(helpful),
            &policy,
            today,
        )
        .await
        {
            Ok(_) => votes += 1,
            // Reviews waiting for moderation take no votes.
            Err(StoreError::Rejected(_)) => continue,
            Err(error) => return Err(error),
        }
    }
    progress.finish();
    loaded.votes = votes;

    // A few reports, so that the moderation desk's "reported" queue has work in it.
    let reasons = [
        "Advertises another shop",
        "Not about this product",
        "Rude language",
    ];
    for (index, (review_id, author)) in reviews.iter().enumerate().step_by(150) {
        let reporter = by_activity.sample(&mut rng);
        if reporter == *author {
            continue;
        }
        match app::reviews::ssr::report(
            db,
            &shoppers[reporter].id,
            *review_id,
            reasons[index % reasons.len()],
            &policy,
            &TierGrowth,
            today,
        )
        .await
        {
            Ok(()) | Err(StoreError::Rejected(_)) => {}
            Err(error) => return Err(error),
        }
    }

    // Browsing events: views dominate; some from guests who never signed in. Wish-list events come from the
    // wish lists below, which record them as the widget does.
    let kinds = [
        (EventKind::Viewed, 80.0),
        (EventKind::Carted, 12.0),
        (EventKind::Dismissed, 1.0),
    ];
    let kind_index =
        WeightedIndex::new(kinds.iter().map(|(_, weight)| *weight)).expect("positive weights");
    let browsing = volume.events.saturating_sub(purchased);
    let mut batch = Vec::with_capacity(events::MAX_EVENT_BATCH);
    let mut progress = Progress::start("browsing events", browsing);
    for index in 0..browsing {
        progress.at(index);
        let shopper = &shoppers[by_activity.sample(&mut rng)];
        let guest = rng.gen_bool(0.15);
        let at = today - Millis(((1.0 - unit(&mut rng).sqrt()) * 365.0 * DAY_MS.0 as f64) as i64);
        batch.push(EventInput {
            shopper_id: (!guest).then(|| shopper.id.clone()),
            guest_id: guest.then(|| format!("g-demo-{:05}", rng.gen_range(0..volume.shoppers))),
            sku: products[pick_product(&mut rng, shopper)].sku.clone(),
            kind: kinds[kind_index.sample(&mut rng)].0,
            occurred_at: rfc(at),
        });
        if batch.len() == events::MAX_EVENT_BATCH || index + 1 == browsing {
            events::record_batch(db, &batch, today).await?;
            batch.clear();
        }
    }
    progress.finish();
    loaded.events = browsing + purchased;
    db.refresh_statistics().await?;

    // Wish lists, through the store functions: a quarter of the shoppers keep one, a few a second named list,
    // and some share theirs. Their own random stream, so that adding them left the rest of the store as it was.
    let mut wish_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5749_5348);
    let wish_policy = WishlistPolicy::default();
    let mut progress = Progress::start("wish lists", shoppers.len());
    for (index, shopper) in shoppers.iter().enumerate() {
        progress.at(index);
        if !wish_rng.gen_bool(0.25) {
            continue;
        }
        let viewer = Viewer::Shopper(shopper.id.clone());
        let started = today - wish_rng.gen_range(30..90) * DAY_MS;
        let gifts = if wish_rng.gen_bool(0.08) {
            let name = if shopper_inputs[index].locale == "zh-CN" {
                "礼物"
            } else {
                "Gifts"
            };
            Some(
                wishlists::create_list(db, &viewer, name, &wish_policy, started)
                    .await?
                    .id,
            )
        } else {
            None
        };
        for _ in 0..wish_rng.gen_range(1..=12) {
            let sku = &products[pick_product(&mut wish_rng, shopper)].sku;
            let list = gifts.filter(|_| wish_rng.gen_bool(0.3));
            let at = started + Millis(wish_rng.gen_range(0..20 * DAY_MS.0));
            match wishlists::save(db, &viewer, sku, list, &wish_policy, at).await {
                Ok(()) => loaded.wishlist_items += 1,
                // Withdrawn products cannot be saved.
                Err(StoreError::Rejected(_)) => {}
                Err(error) => return Err(error),
            }
        }
        if wish_rng.gen_bool(0.05)
            && let Some(list) = wishlists::lists(db, &viewer).await?.first()
        {
            wishlists::set_shared(db, &viewer, list.id, true).await?;
        }
    }
    progress.finish();

    seed_alerts(db, &products, &shoppers, seed, today, &mut loaded).await?;

    // This week's deals: a few products drop in price after most lists were saved, so that the lists show what
    // changed since saving and price-drop alerts have something to tell.
    let mut deals = Vec::new();
    for product in &products {
        if wish_rng.gen_bool(0.04) {
            let factor = wish_rng.gen_range(0.7..0.92);
            deals.push(PriceChange {
                sku: product.sku.clone(),
                price_minor: (((product.price as f64 * factor) / 10.0).round() as i64).max(1) * 10,
                currency: "CNY".into(),
            });
        }
    }
    for batch in deals.chunks(app::kernel::validate::MAX_BATCH) {
        loaded.price_changes +=
            catalog::change_prices(db, batch, &CatalogAlerts(&AlertPolicy::default()), today)
                .await? as usize;
    }
    seed_questions(
        db,
        &QuestionSeed {
            products: &products,
            shoppers: &shoppers,
            buyers: &buyers,
            by_activity: &by_activity,
            chinese: &shopper_inputs
                .iter()
                .map(|shopper| shopper.locale == "zh-CN")
                .collect::<Vec<_>>(),
        },
        volume.questions,
        seed,
        today,
        &mut loaded,
    )
    .await?;
    save_purchases::follow_all(db).await?;
    db.refresh_statistics().await?;
    Ok(loaded)
}

/// Alerts at work over the last five months: each campaign, shoppers set up alerts on a product, its price falls
/// (or it comes back in stock) a week or two later, and of the shoppers told, some read the notice, some follow
/// its link, and some buy within the week; a few buy later, which the merchant's figures do not credit. The
/// busiest buyers (the storefront's sign-in list) are left out, so that their inboxes start empty. Its own random
/// stream, so that adding it left the rest of the store as it was.
async fn seed_alerts(
    db: &Db,
    products: &[SeedProduct],
    shoppers: &[SeedShopper],
    seed: u64,
    today: Millis,
    loaded: &mut Loaded,
) -> Result<(), StoreError> {
    use app::alerts::ssr::{self as alerts, AlertRequest};
    use app::alerts::{AlertKind, PriceRule};
    use app::catalog::StockChange;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x414c_4552);
    let policy = AlertPolicy::default();
    let busiest: HashSet<String> = orders::busiest_buyers(db, 50)
        .await?
        .into_iter()
        .map(|buyer| buyer.shopper_id)
        .collect();
    let quiet: Vec<&SeedShopper> = shoppers
        .iter()
        .filter(|s| !busiest.contains(&s.id))
        .collect();
    let campaigns = (shoppers.len() / 100).clamp(12, 400);
    let mut used = HashSet::new();
    // Each shopper in one campaign at most: reading the inbox marks all of a shopper's notices read.
    let mut asked = HashSet::new();
    let mut progress = Progress::start("alert campaigns", campaigns);
    for campaign in 0..campaigns {
        progress.at(campaign);
        let product = loop {
            let pick = rng.gen_range(0..products.len());
            if used.insert(pick) {
                break &products[pick];
            }
        };
        let opened = today - rng.gen_range(20..150) * DAY_MS;
        let restock = rng.gen_bool(0.25);
        let request = AlertRequest {
            kind: if restock {
                AlertKind::BackInStock
            } else {
                AlertKind::PriceDrop
            },
            rule: PriceRule::AnyDrop,
            email: None,
        };
        if restock {
            let sold_out = StockChange {
                sku: product.sku.clone(),
                stock: 0,
            };
            catalog::change_stock(db, &[sold_out], &CatalogAlerts(&policy), opened).await?;
        }
        let mut waiting = Vec::new();
        for _ in 0..rng.gen_range(4..16) {
            let shopper = quiet[rng.gen_range(0..quiet.len())];
            if !asked.insert(&shopper.id) {
                continue;
            }
            let viewer = Viewer::Shopper(shopper.id.clone());
            let at = opened + Millis(rng.gen_range(0..5 * DAY_MS.0));
            match alerts::subscribe(db, &viewer, &product.sku, &request, "en", &policy, at).await {
                Ok(_) => {
                    loaded.alerts += 1;
                    waiting.push(shopper);
                }
                // Withdrawn products take no alerts.
                Err(StoreError::Rejected(_)) => {}
                Err(error) => return Err(error),
            }
        }
        if waiting.is_empty() {
            continue;
        }
        let told_at = opened + rng.gen_range(6..14) * DAY_MS;
        let price = if restock {
            let back = StockChange {
                sku: product.sku.clone(),
                stock: rng.gen_range(5..40),
            };
            catalog::change_stock(db, &[back], &CatalogAlerts(&policy), told_at).await?;
            product.price
        } else {
            let price = ((product.price as f64 * rng.gen_range(0.75..0.92) / 10.0).round() as i64)
                .max(1)
                * 10;
            let fall = PriceChange {
                sku: product.sku.clone(),
                price_minor: price,
                currency: "CNY".into(),
            };
            catalog::change_prices(db, &[fall], &CatalogAlerts(&policy), told_at).await?;
            price
        };
        for (index, shopper) in waiting.into_iter().enumerate() {
            let viewer = Viewer::Shopper(shopper.id.clone());
            let inbox = alerts::inbox(db, &viewer, "en").await?;
            let Some(notice) = inbox.notices.iter().find(|n| n.sku == product.sku) else {
                continue;
            };
            loaded.notices += 1;
            let seen_at = told_at + Millis(rng.gen_range(DAY_MS.0 / 24..2 * DAY_MS.0));
            if rng.gen_bool(0.6) {
                alerts::mark_read(db, &viewer, seen_at).await?;
            }
            if rng.gen_bool(0.3) {
                alerts::clicked(db, notice.id, seen_at).await?;
            }
            let bought_after = match unit(&mut rng) {
                roll if roll < 0.22 => Some(Millis(rng.gen_range(DAY_MS.0 / 12..6 * DAY_MS.0))),
                roll if roll < 0.27 => Some(rng.gen_range(9..30) * DAY_MS),
                _ => None,
            };
            if let Some(after) = bought_after.filter(|after| told_at + *after < today) {
                let order_id = format!("A{campaign:04}{index:02}");
                let order = OrderInput {
                    order_id: order_id.clone(),
                    shopper_id: shopper.id.clone(),
                    currency: "CNY".into(),
                    shipping_minor: 0,
                    tax_minor: 0,
                    placed_at: rfc(told_at + after),
                    lines: vec![OrderLineInput {
                        sku: product.sku.clone(),
                        quantity: 1,
                        unit_price_minor: price,
                    }],
                };
                orders::record_order(
                    db,
                    &format!("seed-{order_id}"),
                    &order,
                    &ORDERS_FOLLOWED,
                    today,
                )
                .await?;
                loaded.orders += 1;
            }
        }
        if !restock {
            // The sale ends just before today, back at the price the catalogue's history ends with.
            let back = PriceChange {
                sku: product.sku.clone(),
                price_minor: product.price,
                currency: "CNY".into(),
            };
            catalog::change_prices(
                db,
                &[back],
                &CatalogAlerts(&policy),
                today - Millis::hours(1),
            )
            .await?;
        }
        if restock && rng.gen_bool(0.5) {
            // Sold out again: the storefront keeps its share of products to wait for.
            let sold_out = StockChange {
                sku: product.sku.clone(),
                stock: 0,
            };
            let at = (told_at + 20 * DAY_MS).min(today);
            catalog::change_stock(db, &[sold_out], &CatalogAlerts(&policy), at).await?;
        }
    }
    progress.finish();
    Ok(())
}

/// What the questions phase draws on: the catalogue, the shoppers (and which write Chinese), who bought what.
struct QuestionSeed<'a> {
    products: &'a [SeedProduct],
    shoppers: &'a [SeedShopper],
    buyers: &'a [Vec<usize>],
    by_activity: &'a WeightedIndex<f64>,
    chinese: &'a [bool],
}

/// Questions about the more popular products: most published, with the shop's answer, a buyer's, or both, and a few
/// helpful marks; some wait for the shop, a few were turned down. Their own random stream, so that adding them
/// left the rest of the store as it was.
async fn seed_questions(
    db: &Db,
    from: &QuestionSeed<'_>,
    count: usize,
    seed: u64,
    today: Millis,
    loaded: &mut Loaded,
) -> Result<(), StoreError> {
    use app::flows::verified_buyers::OrderedProducts;
    use app::questions::QuestionDecision;
    use app::questions::ssr as questions;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5155_4553);
    let policy = app::questions::rules::QuestionPolicy {
        questions_per_day: i64::MAX,
        answers_per_day: i64::MAX,
        votes_per_minute: i64::MAX,
    };
    let context = questions::Questions {
        policy,
        purchases: std::sync::Arc::new(OrderedProducts),
        then: std::sync::Arc::new(ToldAtTheTime),
    };
    let popular = WeightedIndex::new((0..from.products.len()).map(|i| 1.0 / (i as f64 + 5.0)))
        .expect("products");
    let mut progress = Progress::start("questions", count);
    for index in 0..count {
        progress.at(index);
        let product_index = popular.sample(&mut rng);
        let product = &from.products[product_index];
        let asker = from.by_activity.sample(&mut rng);
        let text = &QUESTION_TEXTS[rng.gen_range(0..QUESTION_TEXTS.len())];
        let in_language = |(english, chinese): (&'static str, &'static str),
                           chinese_speaker: bool| {
            if chinese_speaker { chinese } else { english }
        };
        let asked_at = today - Millis(rng.gen_range(DAY_MS.0..200 * DAY_MS.0));
        let chinese = from.chinese[asker];
        let asked = match questions::ask(
            db,
            &from.shoppers[asker].id,
            &product.sku,
            in_language(text.question, chinese),
            &policy,
            asked_at,
        )
        .await
        {
            Ok(asked) => asked,
            // Withdrawn products take no questions.
            Err(StoreError::Rejected(_)) => continue,
            Err(error) => return Err(error),
        };
        loaded.questions += 1;
        let roll = unit(&mut rng);
        if roll < 0.1 {
            continue;
        }
        if roll < 0.13 {
            let reason =
                "Please ask about the product; for your order, write to the shop.".to_owned();
            questions::decide(db, asked.id, &QuestionDecision::Reject { reason }, asked_at).await?;
            continue;
        }
        let answered_at = asked_at + Millis(rng.gen_range(Millis::hours(1).0..DAY_MS.0));
        let mut answers = Vec::new();
        if rng.gen_bool(0.7) {
            let shop = in_language(text.shop, chinese);
            answers.push(
                questions::answer_as_shop(db, asked.id, shop, &ToldAtTheTime, answered_at).await?,
            );
        } else {
            questions::decide(db, asked.id, &QuestionDecision::Publish, answered_at).await?;
        }
        let product_buyers = &from.buyers[product_index];
        if !product_buyers.is_empty() && rng.gen_bool(0.5) {
            let buyer = product_buyers[rng.gen_range(0..product_buyers.len())];
            match questions::answer_as_shopper(
                db,
                &from.shoppers[buyer].id,
                asked.id,
                in_language(text.buyer, from.chinese[buyer]),
                &context,
                (answered_at + Millis::hours(2)).min(today),
            )
            .await
            {
                Ok(answer) => answers.push(answer),
                // A buyer whose only order was cancelled answers nothing.
                Err(StoreError::Rejected(_)) => {}
                Err(error) => return Err(error),
            }
        }
        loaded.answers += answers.len();
        for answer in &answers {
            for _ in 0..rng.gen_range(0..6) {
                let voter = &from.shoppers[from.by_activity.sample(&mut rng)].id;
                match questions::vote(db, voter, answer.id, true, &policy, today).await {
                    Ok(_) | Err(StoreError::Rejected(_)) => {}
                    Err(error) => return Err(error),
                }
            }
        }
    }
    progress.finish();
    Ok(())
}

/// The demo's answers are history: their askers were told at the time, so loading them emails no one.
struct ToldAtTheTime;

impl app::store::Then<app::questions::ssr::AnswerChange> for ToldAtTheTime {
    fn then<'t>(
        &'t self,
        _: &'t mut app::store::Tx,
        _: app::questions::ssr::AnswerChange,
    ) -> futures::future::BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Questions shoppers ask about any product, with the shop's answer and a buyer's, in English and Chinese.
const QUESTION_TEXTS: [QuestionText; 6] = [
    QuestionText {
        question: ("How long does delivery take?", "多久能到货？"),
        shop: (
            "We ship within 24 hours; most orders arrive in two to three days.",
            "我们在 24 小时内发货，大多数订单两到三天送达。",
        ),
        buyer: (
            "Mine arrived in two days, well packed.",
            "我的两天就到了，包装很好。",
        ),
    },
    QuestionText {
        question: ("Is there a warranty?", "有保修吗？"),
        shop: (
            "Yes: one year against manufacturing faults, and 30 days to return it unused.",
            "有：制造缺陷保修一年，未使用的商品 30 天内可退货。",
        ),
        buyer: (
            "I have used it daily for months and never needed it.",
            "我每天都用，用了几个月，还没用上保修。",
        ),
    },
    QuestionText {
        question: (
            "Can it be sent as a gift, without the price?",
            "可以作为礼物寄出、不附价格吗？",
        ),
        shop: (
            "Yes: choose gift wrapping at checkout and the parcel carries no price.",
            "可以：结账时选择礼品包装，包裹内不附价格。",
        ),
        buyer: (
            "I sent one to my mother; there was no receipt in the box.",
            "我寄给了妈妈，盒子里没有小票。",
        ),
    },
    QuestionText {
        question: (
            "Is the colour the same as in the photos?",
            "颜色和图片一样吗？",
        ),
        shop: (
            "The photos are taken in daylight; screens can show it slightly warmer.",
            "图片在自然光下拍摄，屏幕上可能略偏暖。",
        ),
        buyer: ("Same as the photos for me.", "我收到的和图片一样。"),
    },
    QuestionText {
        question: ("Will it be back in stock soon?", "很快会补货吗？"),
        shop: (
            "We restock every month; set a back-in-stock alert and we will tell you.",
            "我们每月补货一次；设置到货提醒，我们会通知你。",
        ),
        buyer: (
            "I set an alert and got mine within three weeks.",
            "我设置了到货提醒，三周内就买到了。",
        ),
    },
    QuestionText {
        question: ("How do I clean it?", "怎么清洁？"),
        shop: (
            "A damp cloth and mild soap; no bleach.",
            "用湿布和温和的肥皂即可，不要用漂白剂。",
        ),
        buyer: (
            "Easy to clean, just a quick rinse.",
            "很好清洁，冲一下就行。",
        ),
    },
];

/// A question with the shop's answer and a buyer's, each in English and Chinese.
struct QuestionText {
    question: (&'static str, &'static str),
    shop: (&'static str, &'static str),
    buyer: (&'static str, &'static str),
}
