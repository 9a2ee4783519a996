//! The storefront's stylesheet (`style/main.css`, published in `/pkg/<hash>/`) imports each part's CSS, kept beside
//! its code (the capabilities' through `style/capabilities.css`), and `rapport-tools bundle-css` inlines them; the
//! widgets' (`style/widgets.css`, which every widget's shadow root adopts) imports the same but the storefront's
//! frame and the merchant pages' parts that no widget shows. A part main.css does not import would never reach a
//! browser; an import of a missing file would break the build.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The parts' CSS files `style/<entry>` brings in, in order: its imports, each resolved against the importing
/// file's folder and followed through the lists that import further (`capabilities.css`), as the bundler does.
fn imported_by(entry: &str) -> Vec<PathBuf> {
    let mut parts = Vec::new();
    follow(&root().join("style").join(entry), &mut parts);
    parts
}

fn follow(file: &Path, parts: &mut Vec<PathBuf>) {
    let stylesheet = std::fs::read_to_string(file).unwrap();
    let imports: Vec<&str> = stylesheet
        .lines()
        .filter_map(|line| line.trim().strip_prefix("@import \""))
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    if imports.is_empty() {
        parts.push(file.to_path_buf());
    }
    for path in imports {
        let imported = file
            .parent()
            .unwrap()
            .join(path)
            .canonicalize()
            .unwrap_or_else(|error| {
                panic!(
                    "{} imports {path}, which is not there: {error}",
                    file.display()
                )
            });
        follow(&imported, parts);
    }
}

fn imported() -> Vec<PathBuf> {
    imported_by("main.css")
}

fn css_beside_the_code(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            css_beside_the_code(&path, found);
        } else if path.extension().is_some_and(|e| e == "css") {
            found.push(path.canonicalize().unwrap());
        }
    }
}

#[test]
fn the_stylesheet_imports_every_parts_css_once() {
    let imported = imported();
    let mut parts = Vec::new();
    css_beside_the_code(&root().join("app/src"), &mut parts);
    assert!(parts.len() >= 8, "the parts' CSS files: {parts:?}");
    for part in &parts {
        assert_eq!(
            imported.iter().filter(|file| *file == part).count(),
            1,
            "style/main.css should import {} once",
            part.display()
        );
    }
    assert_eq!(imported.len(), parts.len(), "imports: {imported:?}");
}

#[test]
fn shared_ui_comes_first_so_that_parts_can_refine_it() {
    let first = imported().into_iter().next().unwrap();
    assert!(first.ends_with("app/src/ui/ui.css"), "{}", first.display());
}

#[test]
fn the_widgets_stylesheet_is_the_storefronts_without_its_frame_in_the_same_order() {
    let pages_only = [
        "app/src/storefront/storefront.css",
        "app/src/ui/charts.css",
        "app/src/insights/insights.css",
        "app/src/merchant/merchant.css",
    ]
    .map(|part| root().join(part).canonicalize().unwrap());
    let expected: Vec<_> = imported()
        .into_iter()
        .filter(|file| !pages_only.contains(file))
        .collect();
    assert_eq!(imported_by("widgets.css"), expected);
}
