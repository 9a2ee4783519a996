//! Lists the languages from the files in `locales/`, so that adding a language is adding its file: each
//! `locales/<tag>.json` becomes one entry of `i18n::CATALOGS`, named by its BCP 47 tag.

use std::path::Path;
use std::{env, fs};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("locales");
    // A directory's change time moves when a file is added or removed; include_str! follows each file's edits.
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
        if !well_formed {
            panic!(
                "app/locales/{}: name a language's file by its BCP 47 tag, such as fr.json or pt-BR.json",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
        }
        catalogs.push_str(&format!(
            "    ({tag:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    catalogs.push(']');
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalogs.rs");
    fs::write(&out, catalogs)
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", out.display()));
}
