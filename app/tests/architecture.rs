//! The app's module structure, read from its source: imports point one way (ARCHITECTURE.md), from pages down to
//! the kernel, and no two top-level modules import each other, directly or round a cycle.
//!
//! An import against the layers fails it, naming the import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How low each top-level module sits: a module may import modules below it. Capabilities (level 6) may read each
/// other's public types, never another's store functions (`ssr`).
const LEVELS: &[(&str, u8)] = &[
    ("kernel", 0),
    ("i18n", 1),
    ("store", 1),
    ("ui", 2),
    ("identity", 3),
    // The catalogue is what every other capability refers to: they may look up its products.
    ("catalog", 4),
    // The event log every capability writes to and the feed reads.
    ("events", 5),
    ("reviews", 6),
    ("wishlist", 6),
    ("alerts", 6),
    ("tiers", 6),
    ("feed", 6),
    ("orders", 6),
    ("questions", 6),
    ("messages", 6),
    ("insights", 6),
    ("carts", 6),
    ("flows", 7),
    ("embed", 8),
    // Merchant pages that compose several capabilities.
    ("merchant", 8),
    ("storefront", 9),
];

/// The level of the capabilities that build on the catalogue: they may read each other's public types.
const CAPABILITIES: u8 = 6;

fn level(module: &str) -> Option<u8> {
    LEVELS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, level)| *level)
}

/// Every `.rs` file under `dir` that is not a test module file.
fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|name| name != "tests.rs")
        {
            found.push(path);
        }
    }
}

/// The code of a file without its unit tests (kept at the end of a file, by convention) and its comments.
fn production_code(source: &str) -> String {
    let end = ["#[cfg(test)]\nmod tests", "#[cfg(all(test"]
        .iter()
        .filter_map(|marker| source.find(marker))
        .min()
        .unwrap_or(source.len());
    source[..end]
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each top-level module's imports of other top-level modules, with `::ssr` for their store functions.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap();
        let from = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if from == "lib" {
            continue;
        }
        assert!(level(&from).is_some(), "{from} has no level in LEVELS");
        let code = production_code(&std::fs::read_to_string(&file).unwrap());
        assert!(
            !code.contains("crate::{"),
            "{}: name one module per `use crate::…`, so that this test reads it",
            relative.display()
        );
        for (start, _) in code.match_indices("crate::") {
            let mut path = code[start + "crate::".len()..].split("::").map(|part| {
                part.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
            });
            let Some(Some(to)) = path.next() else {
                continue;
            };
            if to == from || level(to).is_none() {
                continue;
            }
            let target = match path.next() {
                Some(Some("ssr")) => format!("{to}::ssr"),
                _ => to.to_owned(),
            };
            imports.entry(from.clone()).or_default().insert(target);
        }
    }
    imports
}

#[test]
fn imports_point_down_the_layers() {
    let imports = imports();
    assert!(
        imports.values().map(BTreeSet::len).sum::<usize>() > 40,
        "the scan found too few imports: {imports:?}"
    );
    let mut against = BTreeSet::new();
    for (from, targets) in &imports {
        let from_level = level(from).unwrap();
        for target in targets {
            let module = target.trim_end_matches("::ssr");
            let to_level = level(module).unwrap();
            let allowed = to_level < from_level
                || (to_level == CAPABILITIES
                    && from_level == CAPABILITIES
                    && !target.ends_with("::ssr"));
            if !allowed {
                against.insert((from.as_str(), target.as_str()));
            }
        }
    }
    assert!(
        against.is_empty(),
        "imports against the layers in LEVELS (ARCHITECTURE.md): {against:?}"
    );
}

#[test]
fn the_kernel_imports_nothing_of_the_app() {
    let imports = imports();
    assert_eq!(imports.get("kernel"), None, "{:?}", imports.get("kernel"));
    assert_eq!(
        imports
            .get("i18n")
            .map(|targets| targets.iter().collect::<Vec<_>>()),
        Some(vec![&"kernel".to_owned()])
    );
}

#[test]
fn no_cycle_among_the_top_level_modules() {
    let graph: BTreeMap<String, BTreeSet<String>> = imports()
        .into_iter()
        .map(|(from, targets)| {
            let modules = targets
                .iter()
                .map(|target| target.trim_end_matches("::ssr").to_owned())
                .collect();
            (from, modules)
        })
        .collect();
    // Depth-first search for a path back to where it started.
    fn reaches(
        graph: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        goal: &str,
        seen: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> bool {
        for next in graph.get(from).into_iter().flatten() {
            path.push(next.clone());
            if next == goal || (seen.insert(next.clone()) && reaches(graph, next, goal, seen, path))
            {
                return true;
            }
            path.pop();
        }
        false
    }
    for module in graph.keys() {
        let mut path = vec![module.clone()];
        assert!(
            !reaches(&graph, module, module, &mut BTreeSet::new(), &mut path),
            "import cycle: {}",
            path.join(" → ")
        );
    }
}
