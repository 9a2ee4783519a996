//! Compiles the languages from the files in `locales/`, so that adding a language is adding its file: each
//! `locales/<tag>.json` becomes one entry of `kernel::locale::CATALOGS`, named by its BCP 47 tag, its texts sorted
//! by key for a binary search. Compiled rather than parsed at run time: a widget's first paint in a shopper's
//! browser then waits for no JSON.

use std::collections::BTreeMap;
use std::path::Path;
use std::{env, fs};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("locales");
    // A directory's change time moves when a file is added or removed; each file is watched for its edits below.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.expect("a readable entry of app/locales").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    files.sort();
    let mut catalogs = String::from("&[\n");
    for path in &files {
        let tag = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default();
        let well_formed = !tag.is_empty()
            && tag
                .split('-')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !well_formed {
            panic!(
                "app/locales/{name}: name a language's file by its BCP 47 tag, such as fr.json or pt-BR.json"
            );
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("cannot read app/locales/{name}: {error}"));
        let texts: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_else(|error| {
            panic!("app/locales/{name}: {error} (one object of texts by key, each a string)")
        });
        catalogs.push_str(&format!("    ({tag:?}, &[\n"));
        for (key, text) in &texts {
            catalogs.push_str(&format!("        ({key:?}, {text:?}),\n"));
        }
        catalogs.push_str("    ]),\n");
    }
    catalogs.push(']');
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalogs.rs");
    fs::write(&out, catalogs)
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", out.display()));
}
