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
        MyAlerts,
        ReviewPoints,
        Stars,
        ProductView,
    ];
    for widget in &all {
        match widget {
            Reviews | WishlistButton | Wishlist | PriceAlert | AlertInbox | TierBadge
            | TierProgress | Feed | AlsoBought | AlsoViewed | MyAlerts | ReviewPoints | Stars
            | ProductView => {}
        }
    }
    all
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
    expected += "  ];\n  // End of the generated lists.\n";
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
