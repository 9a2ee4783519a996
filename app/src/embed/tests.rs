use super::*;

#[test]
fn every_widget_is_found_by_its_tag_and_pastes_as_an_element() {
    for widget in EmbeddableWidget::ALL {
        assert_eq!(EmbeddableWidget::from_tag(widget.tag()), Some(widget));
        assert!(widget.tag().starts_with("rapport-"));
    }
    assert_eq!(
        EmbeddableWidget::from_tag("RAPPORT-FEED"),
        Some(EmbeddableWidget::Feed)
    );
    assert_eq!(EmbeddableWidget::from_tag("rapport-nothing"), None);
    assert_eq!(
        EmbeddableWidget::Reviews.snippet("KIT-00001"),
        "<rapport-reviews product=\"KIT-00001\"></rapport-reviews>"
    );
    assert_eq!(
        EmbeddableWidget::WishlistButton.snippet("a\"<b>"),
        "<rapport-wishlist-button product=\"a&quot;&lt;b&gt;\"></rapport-wishlist-button>"
    );
    assert_eq!(
        EmbeddableWidget::Feed.snippet("ignored"),
        "<rapport-feed></rapport-feed>"
    );
    assert_eq!(
        loader_snippet("https://rapport.example/"),
        "<script src=\"https://rapport.example/embed.js\" async></script>\n\
         <link rel=\"stylesheet\" href=\"https://rapport.example/rapport-theme.css\">"
    );
}

/// Every widget, written out so that the compiler asks for a new one here; the test below then asks for its row.
fn every_variant() -> Vec<EmbeddableWidget> {
    use EmbeddableWidget::*;
    let all = vec![
        Reviews,
        WishlistButton,
        Wishlist,
        PriceAlert,
        AlertInbox,
        TierBadge,
        TierProgress,
        Feed,
        AlsoBought,
        AlsoViewed,
        WentOnTo,
        MyAlerts,
        ReviewPoints,
        Stars,
        ProductView,
        RecentlyViewed,
        Questions,
        EmailPreferences,
    ];
    for widget in &all {
        match widget {
            Reviews | WishlistButton | Wishlist | PriceAlert | AlertInbox | TierBadge
            | TierProgress | Feed | AlsoBought | AlsoViewed | WentOnTo | MyAlerts
            | ReviewPoints | Stars | ProductView | RecentlyViewed | Questions
            | EmailPreferences => {}
        }
    }
    all
}

/// The mount's split points, read from its source (it builds for the browser only): each widget's mount function
/// must be in the chunk its registry row names, or the loader fetches one chunk ahead while the WASM asks for
/// another.
#[test]
fn every_widget_mounts_from_the_chunk_its_registry_row_names() {
    let source: String = include_str!("mount.rs")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let chunk_of_function: std::collections::HashMap<&str, &str> = source
        .split("widget_chunk!(")
        .skip(1) // The text before the first use.
        .map(|call| {
            let mut parts = call.splitn(3, ',');
            let chunk = parts.next().unwrap();
            (parts.next().unwrap(), chunk)
        })
        .collect();
    for widget in EmbeddableWidget::ALL {
        let arm = format!("EmbeddableWidget::{widget:?}=>");
        let function = source
            .split(&arm)
            .nth(1)
            .and_then(|rest| rest.split('(').next())
            .unwrap_or_else(|| panic!("no arm for {widget:?} in mount_widget"));
        match widget.chunk() {
            Some(chunk) => assert_eq!(
                chunk_of_function.get(function),
                Some(&chunk.name()),
                "{widget:?} mounts with {function}"
            ),
            // The loader draws it: its arm refuses, and no split point carries its code.
            None => assert_eq!(function, "{returnErr", "{widget:?} is drawn by the loader"),
        }
    }
    let in_wasm = EmbeddableWidget::ALL
        .iter()
        .filter(|widget| widget.chunk().is_some())
        .count();
    assert_eq!(chunk_of_function.len(), in_wasm);
    for chunk in Chunk::ALL {
        assert!(
            EmbeddableWidget::ALL
                .iter()
                .any(|widget| widget.chunk() == Some(chunk)),
            "{chunk:?} holds no widget"
        );
    }
}

#[test]
fn every_widget_has_one_row_and_one_tag() {
    let variants = every_variant();
    assert_eq!(variants.len(), WIDGETS.len());
    for widget in variants {
        assert_eq!(
            WIDGETS.iter().filter(|spec| spec.widget == widget).count(),
            1,
            "{widget:?}"
        );
    }
    let tags: std::collections::BTreeSet<_> = WIDGETS.iter().map(|spec| spec.tag).collect();
    assert_eq!(tags.len(), WIDGETS.len(), "tags are unique");
}

fn repo_file(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// Checks that the part of `path` from the line holding `start` to the next line holding `end` is `expected`.
/// With `RAPPORT_WRITE_GENERATED=1` it writes `expected` there instead: how a new registry row reaches the file.
fn generated(path: &str, start: &str, end: &str, expected: &str) {
    let file = repo_file(path);
    let text = std::fs::read_to_string(&file).unwrap();
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{path} has no {start:?}"));
    let from = text[..from].rfind('\n').map_or(0, |line| line + 1);
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("{path} has no {end:?}"));
    let to = to
        + text[to..]
            .find('\n')
            .map_or(text.len() - to, |line| line + 1);
    if text[from..to] == *expected {
        return;
    }
    if std::env::var_os("RAPPORT_WRITE_GENERATED").is_some() {
        std::fs::write(&file, format!("{}{expected}{}", &text[..from], &text[to..])).unwrap();
        return;
    }
    panic!(
        "{path} does not follow the widget registry (WIDGETS in app/src/embed/mod.rs); rerun this test with \
         RAPPORT_WRITE_GENERATED=1 to rewrite it. It should read:\n{expected}"
    );
}

/// [`generated`] for a whole file.
fn generated_file(path: &str, expected: &str) {
    let file = repo_file(path);
    if std::fs::read_to_string(&file).is_ok_and(|text| text == expected) {
        return;
    }
    if std::env::var_os("RAPPORT_WRITE_GENERATED").is_some() {
        std::fs::write(&file, expected).unwrap();
        return;
    }
    panic!(
        "{path} does not follow the widget registry (WIDGETS in app/src/embed/mod.rs); rerun the embed tests with \
         RAPPORT_WRITE_GENERATED=1 to rewrite it"
    );
}

/// The loader draws exactly the widgets the registry says it does (`Code::Loader`, `Code::LoaderWhen`), each with a
/// function of its own.
#[test]
fn the_loader_draws_the_widgets_the_registry_gives_it() {
    let loader = std::fs::read_to_string(repo_file("public/embed.js")).unwrap();
    let drawn = loader
        .lines()
        .find_map(|line| line.trim().strip_prefix("const DRAWN = {"))
        .expect("the loader's DRAWN");
    let tags: Vec<&str> = drawn
        .split(',')
        .filter_map(|entry| entry.split('\'').nth(1))
        .collect();
    let by_registry: Vec<&str> = WIDGETS
        .iter()
        .filter(|spec| matches!(spec.code, Code::Loader | Code::LoaderWhen { .. }))
        .map(|spec| spec.tag)
        .collect();
    assert_eq!(tags, by_registry);
}

/// A widget the loader draws when it carries a flag names one of its own flag options.
#[test]
fn a_widget_drawn_when_flagged_names_a_flag_it_takes() {
    for spec in &WIDGETS {
        if let Code::LoaderWhen { flag, .. } = spec.code {
            assert!(
                spec.options
                    .iter()
                    .any(|option| option.attribute == flag && option.kind == OptionKind::Flag),
                "{}: {flag}",
                spec.tag
            );
        }
    }
}

/// Every text the loader says is a key of the translation files (which every language has, as the locale's tests
/// hold), not a misspelling the loader would show as it is.
#[test]
fn the_loader_says_only_keys_the_translation_files_hold() {
    let counted = LOADER_COUNTS
        .iter()
        .flat_map(|key| [format!("{key}.one"), format!("{key}.other")]);
    for key in LOADER_SAYS.map(str::to_owned).into_iter().chain(counted) {
        assert!(
            crate::kernel::locale::translate_if_any(crate::kernel::locale::DEFAULT_LOCALE, &key)
                .is_some(),
            "{key}"
        );
    }
}

/// `text` as a JavaScript string literal.
fn js_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The loader picks a badge's text for a count as `count === 1 ? one : other`: right while every language the shop
/// speaks has at most a form for 1 and one for every other count, which this holds.
#[test]
fn every_language_counts_as_the_loader_does() {
    for (locale, _) in crate::kernel::locale::languages() {
        for count in [0, 2, 3, 11, 21, 101, 1_000_001] {
            assert_eq!(
                crate::kernel::locale::plural(locale, count),
                crate::kernel::locale::plural(locale, 2),
                "{locale}, {count}"
            );
        }
    }
}

/// How the loader names an option's kind.
fn kind_name(kind: OptionKind) -> &'static str {
    match kind {
        OptionKind::Count { .. } => "count",
        OptionKind::Flag => "flag",
        OptionKind::Text => "text",
    }
}

#[test]
fn the_loader_defines_every_widgets_element() {
    let mut expected = String::from(
        "  // Generated from the widget registry (app/src/embed/mod.rs), whose tests keep it in step.\n  const TAGS = [\n",
    );
    for spec in &WIDGETS {
        expected += &format!("    '{}',\n", spec.tag);
    }
    expected += "  ];\n  // Elements that show nothing: they mount at once, as nothing of them comes into view.\n  const UNSEEN = [\n";
    for spec in WIDGETS
        .iter()
        .filter(|spec| spec.reserve == Reserve::Nothing)
    {
        expected += &format!("    '{}',\n", spec.tag);
    }
    expected +=
        "  ];\n  // Elements about one product (`product=\"SKU\"`).\n  const NEEDS_PRODUCT = [\n";
    for spec in WIDGETS.iter().filter(|spec| spec.needs_product) {
        expected += &format!("    '{}',\n", spec.tag);
    }
    expected += "  ];\n  // Elements that ask for the shopper's or guest's own data as they mount.\n  const AS_VIEWER = [\n";
    for spec in WIDGETS.iter().filter(|spec| spec.as_viewer) {
        expected += &format!("    '{}',\n", spec.tag);
    }
    expected += &format!(
        "  ];\n  // Where a browser without a token asks for a guest session, and where it keeps the token.\n  \
         const GUEST_SESSION = '{}';\n  const TOKEN_KEY = '{}';\n",
        <crate::identity::StartGuestSession as leptos::server_fn::ServerFn>::PATH,
        crate::identity::client::TOKEN_KEY,
    );
    expected += &format!(
        "  // Where star badges ask for their stars (this many products a request at most), and what a product's SKU \
         may be.\n  const STAR_RATINGS = '{}';\n  const MAX_STAR_RATINGS = {};\n  \
         const SKU = /^[A-Za-z0-9._-]{{1,{}}}$/;\n",
        <crate::reviews::StarRatings as leptos::server_fn::ServerFn>::PATH,
        crate::reviews::MAX_STAR_RATINGS,
        crate::kernel::validate::MAX_KEY_LEN,
    );
    expected += &format!(
        "  // Where compact hearts ask for their saved states (this many products a request at most) and save, with \
         the\n  // shopper's or guest's token in this header.\n  const WISHLIST_STATES = '{}';\n  \
         const MAX_WISHLIST_STATES = {};\n  const CHANGE_WISHLIST = '{}';\n  const TOKEN_HEADER = '{}';\n",
        <crate::wishlist::WishlistStates as leptos::server_fn::ServerFn>::PATH,
        crate::wishlist::MAX_STATES,
        <crate::wishlist::ChangeWishlist as leptos::server_fn::ServerFn>::PATH,
        crate::identity::TOKEN_HEADER,
    );
    expected += &format!(
        "  // Widgets the loader draws itself, with the flag that has it draw one ('' when it always does).\n  \
         const DRAWN_WHEN = {{\n{}  }};\n",
        WIDGETS
            .iter()
            .filter_map(|spec| match spec.code {
                Code::Loader => Some(format!("    '{}': '',\n", spec.tag)),
                Code::LoaderWhen { flag, .. } => Some(format!("    '{}': '{flag}',\n", spec.tag)),
                Code::Wasm(_) => None,
            })
            .collect::<String>()
    );
    expected += "  // What the widgets the loader draws say in each language (the first when nothing matches the page's): a \
         counted\n  // text in its form for one and for any other count.\n  const SAID = {\n";
    assert_eq!(
        crate::kernel::locale::languages()
            .next()
            .map(|(locale, _)| locale),
        Some(crate::kernel::locale::DEFAULT_LOCALE)
    );
    for (locale, _) in crate::kernel::locale::languages() {
        expected += &format!("    {}: {{\n", js_string(locale));
        for key in LOADER_SAYS {
            expected += &format!(
                "      {}: {},\n",
                js_string(key),
                js_string(&crate::kernel::locale::translate(locale, key))
            );
        }
        for key in LOADER_COUNTS {
            for (form, count) in [("one", 1), ("other", 2)] {
                expected += &format!(
                    "      {}: {},\n",
                    js_string(&format!("{key}.{form}")),
                    js_string(&crate::kernel::locale::counted_text(locale, key, count))
                );
            }
        }
        expected += "    },\n";
    }
    expected += "  };\n";
    expected += "  // Each element's settings: attribute, JS property, kind (count, flag or text), a count's default.\n";
    expected += "  const OPTIONS = {\n";
    for spec in WIDGETS.iter().filter(|spec| !spec.options.is_empty()) {
        let options: Vec<String> = spec
            .options
            .iter()
            .map(|option| match option.kind {
                OptionKind::Count { default, .. } => format!(
                    "['{}', '{}', 'count', {default}]",
                    option.attribute, option.property
                ),
                kind => format!(
                    "['{}', '{}', '{}']",
                    option.attribute,
                    option.property,
                    kind_name(kind)
                ),
            })
            .collect();
        expected += &format!("    '{}': [{}],\n", spec.tag, options.join(", "));
    }
    expected += "  };\n  // End of the generated lists.\n";
    generated(
        "public/embed.js",
        "Generated from the widget registry",
        "End of the generated lists",
        &expected,
    );
}

#[test]
fn the_theme_keeps_each_widgets_room_until_it_is_ready() {
    let waiting = r#":not([data-rapport="ready"], [data-rapport="error"])"#;
    let tags = |inline: bool| {
        WIDGETS
            .iter()
            .filter(|spec| spec.reserve != Reserve::Nothing)
            .filter(|spec| matches!(spec.reserve, Reserve::Inline { .. }) == inline)
            .map(|spec| spec.tag)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut expected = String::from(
        "  /* Generated from the widget registry (app/src/embed/mod.rs), whose tests keep it in step. */\n",
    );
    expected += &format!("  :is({}) {{ display: block; }}\n", tags(false));
    expected += &format!("  :is({}) {{ display: inline-block; }}\n", tags(true));
    let unseen: Vec<_> = WIDGETS
        .iter()
        .filter(|spec| spec.reserve == Reserve::Nothing)
        .map(|spec| spec.tag)
        .collect();
    expected += &format!("  :is({}) {{ display: none; }}\n", unseen.join(", "));
    for spec in &WIDGETS {
        let tag = spec.tag;
        expected += &match spec.reserve {
            Reserve::Block(height) => format!("  {tag}{waiting} {{ min-height: {height}; }}\n"),
            Reserve::Inline {
                height,
                width,
                always,
            } => {
                let only_signed_in = if always {
                    ""
                } else {
                    r#":root:has(meta[name="rapport-shopper-token"]) "#
                };
                format!(
                    "  {only_signed_in}{tag}{waiting} {{ min-height: {height}; min-width: {width}; }}\n"
                )
            }
            Reserve::Nothing => String::new(),
        };
    }
    expected += "  /* End of the generated rules. */\n";
    generated(
        "public/rapport-theme.css",
        "Generated from the widget registry",
        "End of the generated rules",
        &expected,
    );
}

#[test]
fn the_widgets_stylesheet_lays_out_inline_widgets_by_their_content() {
    let tags = |reserve: fn(&Reserve) -> bool| {
        WIDGETS
            .iter()
            .filter(|spec| reserve(&spec.reserve))
            .map(|spec| spec.tag)
            .collect::<Vec<_>>()
    };
    let inline = tags(|reserve| matches!(reserve, Reserve::Inline { .. }));
    let hosts = |tags: &[&str]| {
        tags.iter()
            .map(|tag| format!(":host({tag})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut expected = String::from(
        "/* Generated from the widget registry (app/src/embed/mod.rs), whose tests keep it in step. */\n",
    );
    expected += &format!("{} {{ display: inline-block; }}\n", hosts(&inline));
    expected += &format!(
        "{} {{ display: none; }}\n",
        hosts(&tags(|reserve| *reserve == Reserve::Nothing))
    );
    expected += &format!(
        ":host(:not({})) .rapport-embed {{ container-type: inline-size; }}\n",
        inline.join(", ")
    );
    expected += "/* End of the generated rules. */\n";
    generated(
        "app/src/ui/ui.css",
        "Generated from the widget registry",
        "End of the generated rules",
        &expected,
    );
}

#[test]
fn the_embedding_guide_describes_every_widget() {
    let guide = std::fs::read_to_string(repo_file("EMBEDDING.md")).unwrap();
    for spec in &WIDGETS {
        let start = format!("| `<{}>` | ", spec.tag);
        let row = guide
            .lines()
            .find(|line| line.starts_with(&start))
            .unwrap_or_else(|| panic!("EMBEDDING.md has no row for {}", spec.tag));
        let cells: Vec<_> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(
            cells[1],
            if spec.needs_product { "yes" } else { "no" },
            "{row}"
        );
        let events: Vec<_> = cells
            .last()
            .unwrap()
            .split(", ")
            .filter(|event| !event.is_empty())
            .map(|event| event.trim_matches('`'))
            .collect();
        assert_eq!(events, spec.emits, "{row}");
    }
    for event in &DOM_EVENTS {
        let start = format!("| `{}` | ", event.name);
        assert!(
            guide.lines().any(|line| line.starts_with(&start)),
            "EMBEDDING.md's DOM events have no row for {}",
            event.name
        );
    }
}

#[test]
fn every_language_names_every_widget() {
    let locales = repo_file("app/locales");
    let mut checked = 0;
    for entry in std::fs::read_dir(&locales).unwrap() {
        let path = entry.unwrap().path();
        let strings: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for spec in &WIDGETS {
            let key = format!("embed.widget.{}", spec.tag.trim_start_matches("rapport-"));
            assert!(
                strings
                    .get(&key)
                    .and_then(|name| name.as_str())
                    .is_some_and(|name| !name.is_empty()),
                "{} has no {key}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 2, "the English and Chinese files at least");
}

#[test]
fn settings_come_from_the_registrys_attributes_and_refuse_counts_out_of_range() {
    let feed = EmbeddableWidget::Feed;
    let read = feed
        .settings([("per-section", " 12 "), ("class", "wide")])
        .unwrap();
    assert_eq!(read.count("per-section"), 12);
    assert_eq!(
        feed.settings([]).unwrap().count("per-section"),
        crate::feed::rules::DEFAULT_PER_SECTION
    );
    for wrong in ["2", "25", "ten", "", "-3", "4.5"] {
        let problem = feed.settings([("per-section", wrong)]).unwrap_err();
        assert!(
            problem.contains("per-section takes a whole number from 3 to 24"),
            "{wrong}: {problem}"
        );
    }
    let heart = EmbeddableWidget::WishlistButton;
    assert!(heart.settings([("compact", "")]).unwrap().flag("compact"));
    assert!(!heart.settings([]).unwrap().flag("compact"));
    let reviews = EmbeddableWidget::Reviews;
    assert_eq!(
        reviews
            .settings([("product-name", " Kettle ")])
            .unwrap()
            .text("product-name")
            .as_deref(),
        Some("Kettle")
    );
    assert_eq!(
        reviews
            .settings([("product-name", "  ")])
            .unwrap()
            .text("product-name"),
        None
    );
}

#[test]
fn every_option_is_named_once_and_its_property_is_its_attribute_in_camel_case() {
    for spec in &WIDGETS {
        let mut attributes = std::collections::BTreeSet::new();
        for option in spec.options {
            assert!(attributes.insert(option.attribute), "{}", spec.tag);
            assert!(
                !["product", "lang", "loading", "reserve"].contains(&option.attribute),
                "{} redefines a common attribute",
                spec.tag
            );
            let camel: String = option
                .attribute
                .split('-')
                .enumerate()
                .map(|(index, word)| {
                    if index == 0 {
                        word.to_owned()
                    } else {
                        word[..1].to_uppercase() + &word[1..]
                    }
                })
                .collect();
            assert_eq!(option.property, camel);
            if let OptionKind::Count { min, max, default } = option.kind {
                assert!(min <= default && default <= max, "{}", option.attribute);
            }
        }
        for event in spec.emits {
            assert!(
                DOM_EVENTS.iter().any(|known| known.name == *event),
                "{} sends {event}, which DOM_EVENTS does not describe",
                spec.tag
            );
        }
    }
}

/// The element's class name in the manifest and the declarations: `rapport-also-bought` is
/// `RapportAlsoBoughtElement`.
fn class_name(tag: &str) -> String {
    let words: String = tag
        .split('-')
        .map(|word| word[..1].to_uppercase() + &word[1..])
        .collect();
    format!("{words}Element")
}

/// An option's value in TypeScript.
fn option_type(kind: OptionKind) -> &'static str {
    match kind {
        OptionKind::Count { .. } => "number",
        OptionKind::Flag => "boolean",
        OptionKind::Text => "string | null",
    }
}

/// An event's `detail` in TypeScript.
fn detail_type(event: &DomEvent) -> String {
    if event.detail.is_empty() {
        return "null".into();
    }
    let fields: Vec<String> = event
        .detail
        .iter()
        .map(|(name, kind)| format!("{name}: {kind}"))
        .collect();
    format!("{{ {} }}", fields.join("; "))
}

fn dom_event(name: &str) -> &'static DomEvent {
    DOM_EVENTS.iter().find(|event| event.name == name).unwrap()
}

const PRODUCT_ABOUT: &str = "The product's SKU, as in the store's catalogue.";
/// The attributes every element takes besides its settings (EMBEDDING.md, "Element attributes").
const COMMON_ATTRIBUTES: [(&str, &str, &str); 3] = [
    (
        "lang",
        "string",
        "The language (en, zh-CN, …); without it the page's nearest lang, else English.",
    ),
    (
        "loading",
        "'lazy' | 'eager' | 'manual'",
        "lazy (the default) loads near the viewport, eager at once, manual on load().",
    ),
    (
        "reserve",
        "string",
        "The height kept while the widget loads, as a CSS length.",
    ),
];

#[test]
fn the_elements_manifest_follows_the_registry() {
    use serde_json::{Value, json};
    let declarations: Vec<Value> = WIDGETS
        .iter()
        .map(|spec| {
            let mut attributes = Vec::new();
            let mut members = Vec::new();
            if spec.needs_product {
                attributes.push(json!({"name": "product", "type": {"text": "string"}, "description": PRODUCT_ABOUT}));
                members.push(json!({"kind": "field", "name": "product", "type": {"text": "string | null"}, "attribute": "product", "description": PRODUCT_ABOUT}));
            }
            for option in spec.options {
                let mut attribute = json!({
                    "name": option.attribute,
                    "type": {"text": match option.kind {
                        OptionKind::Count { .. } => "number",
                        OptionKind::Flag => "boolean",
                        OptionKind::Text => "string",
                    }},
                    "description": option.about,
                });
                if let OptionKind::Count { min, max, default } = option.kind {
                    attribute["default"] = json!(default.to_string());
                    attribute["description"] = json!(format!("{} From {min} to {max}.", option.about));
                }
                members.push(json!({
                    "kind": "field",
                    "name": option.property,
                    "type": {"text": option_type(option.kind)},
                    "attribute": option.attribute,
                    "description": attribute["description"].clone(),
                }));
                attributes.push(attribute);
            }
            for (name, kind, about) in COMMON_ATTRIBUTES {
                attributes.push(json!({"name": name, "type": {"text": kind}, "description": about}));
            }
            members.push(json!({
                "kind": "method",
                "name": "load",
                "description": "Loads the widget now (for loading=\"manual\").",
                "return": {"type": {"text": "Promise<void>"}},
            }));
            let events: Vec<Value> = std::iter::once(READY_EVENT)
                .chain(spec.emits.iter().copied())
                .map(|name| {
                    let event = dom_event(name);
                    json!({"name": name, "type": {"text": format!("CustomEvent<{}>", detail_type(event))}, "description": event.about})
                })
                .collect();
            json!({
                "kind": "class",
                "customElement": true,
                "tagName": spec.tag,
                "name": class_name(spec.tag),
                "description": spec.about,
                "attributes": attributes,
                "members": members,
                "events": events,
            })
        })
        .collect();
    let manifest = json!({
        "schemaVersion": "1.0.0",
        "readme": "EMBEDDING.md",
        "modules": [{
            "kind": "javascript-module",
            "path": "embed.js",
            "description": "The loader: a classic script (<script src async>), which exports nothing and defines \
                each element itself. The class names are the TypeScript declarations' (rapport-widgets.d.ts).",
            "declarations": declarations,
        }],
    });
    generated_file(
        "public/custom-elements.json",
        &(serde_json::to_string_pretty(&manifest).unwrap() + "\n"),
    );
}

#[test]
fn the_typescript_declarations_follow_the_registry() {
    let mut out = String::from(
        "// Rapport's embedded widgets for TypeScript: the elements the loader (embed.js) defines, the DOM events they\n\
         // send and `window.Rapport`. Generated from the widget registry (app/src/embed/mod.rs) by its tests.\n\n\
         /** What every Rapport element has. */\n\
         export interface RapportWidgetElement extends HTMLElement {\n  \
         /** Loads the widget now (for `loading=\"manual\"`). */\n  load(): Promise<void>;\n}\n",
    );
    for spec in &WIDGETS {
        out += &format!(
            "\n/** `<{}>`: {} */\nexport interface {} extends RapportWidgetElement {{\n",
            spec.tag,
            spec.about,
            class_name(spec.tag)
        );
        if spec.needs_product {
            out += &format!("  /** {PRODUCT_ABOUT} */\n  product: string | null;\n");
        }
        for option in spec.options {
            let range = match option.kind {
                OptionKind::Count { min, max, default } => {
                    format!(" From {min} to {max}; {default} when unset.")
                }
                _ => String::new(),
            };
            out += &format!(
                "  /** {}{range} Mirrors the `{}` attribute. */\n  {}: {};\n",
                option.about,
                option.attribute,
                option.property,
                option_type(option.kind)
            );
        }
        out += "}\n";
    }
    out += "\n/** Each DOM event's `detail` (EMBEDDING.md, \"DOM events\"). Every one bubbles and is composed. */\n\
            export interface RapportEventDetails {\n";
    for event in &DOM_EVENTS {
        out += &format!(
            "  /** {} */\n  '{}': {};\n",
            event.about,
            event.name,
            detail_type(event)
        );
    }
    out += "}\n\n/** `window.Rapport`, set by the loader (EMBEDDING.md). */\nexport interface RapportApi {\n  \
            /** The Rapport server's origin. */\n  readonly server: string;\n  \
            /** Records a product view, a cart addition or a cart removal for the page's shopper or guest. */\n  \
            track(kind: 'view' | 'cart' | 'uncart', event: { sku: string; quantity?: number }): Promise<void>;\n  \
            /** This browser's guest id, for the store's server to send the guest's events; null for a shopper. */\n  \
            guestId(): Promise<string | null>;\n  \
            /** Names the signed-in shopper with the token the store's server signed (v1.s.…). */\n  \
            identify(token: string): void;\n  \
            /** Forgets the signed-in shopper. */\n  signOut(): void;\n}\n\n\
            declare global {\n  interface HTMLElementTagNameMap {\n";
    for spec in &WIDGETS {
        out += &format!("    '{}': {};\n", spec.tag, class_name(spec.tag));
    }
    out +=
        "  }\n  /** Each DOM event as a listener receives it. */\n  interface RapportEventMap {\n";
    for event in &DOM_EVENTS {
        out += &format!(
            "    '{0}': CustomEvent<RapportEventDetails['{0}']>;\n",
            event.name
        );
    }
    out += "  }\n  interface HTMLElementEventMap extends RapportEventMap {}\n  \
            interface WindowEventMap extends RapportEventMap {}\n";
    out += "  interface Window {\n    Rapport: RapportApi;\n  }\n}\n";
    generated_file("public/rapport-widgets.d.ts", &out);
}

#[test]
fn the_embedding_guide_lists_every_setting() {
    let mut expected = String::from(
        "<!-- Generated from the widget registry (app/src/embed/mod.rs), whose tests keep it in step. -->\n\
         | Element | Attribute | JS property | Value | What it sets |\n|---|---|---|---|---|\n",
    );
    for spec in &WIDGETS {
        for option in spec.options {
            let value = match option.kind {
                OptionKind::Count { min, max, default } => {
                    format!("{min} to {max}, default {default}")
                }
                OptionKind::Flag => "present or absent".into(),
                OptionKind::Text => "text".into(),
            };
            expected += &format!(
                "| `<{}>` | `{}` | `{}` | {value} | {} |\n",
                spec.tag, option.attribute, option.property, option.about
            );
        }
    }
    expected += "<!-- End of the generated table. -->\n";
    generated(
        "EMBEDDING.md",
        "<!-- Generated from the widget registry",
        "<!-- End of the generated table",
        &expected,
    );
}
