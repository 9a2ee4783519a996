//! `rapport-tools publish-assets`: readies a built site's widgets for the wire.
//!
//! The widgets' glue, WASM and stylesheet get names holding a hash of their content, so that browsers keep them
//! for a year (`Cache-Control: immutable`, see the server's `site_file_caching`): a release brings new names, so
//! a browser never pairs an old glue file with a new WASM. The loader, whose URL stores paste into their pages and
//! which must stay, is rewritten to name them. Each hashed file gets brotli and gzip twins, compressed once here at
//! the strongest settings rather than per request; a file named by its content cannot outlive its twins.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The loader's line naming the widgets' files, as `public/embed.js` holds it and as this rewrites it.
const FILES_LINE: &str = "  const FILES = ";

/// What the loader loads, by its place in the built site before publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub glue: String,
    pub wasm: String,
    pub style: String,
}

/// The name `path` (a site path such as `widgets/rapport-widgets_bg.wasm`) takes for `content`: its stem, the
/// first 16 hex digits of the content's SHA-256, its extension.
pub fn hashed_name(path: &str, content: &[u8]) -> String {
    let hash = hex::encode(&Sha256::digest(content)[..8]);
    match path.rsplit_once('.') {
        Some((stem, extension)) if !stem.ends_with('/') => format!("{stem}.{hash}.{extension}"),
        _ => format!("{path}.{hash}"),
    }
}

/// The loader with its `FILES` line naming `published`; an error when it has no such line (not Rapport's loader).
pub fn rewrite_loader(loader: &str, published: &Published) -> Result<String, String> {
    let line = loader
        .lines()
        .find(|line| line.starts_with(FILES_LINE))
        .ok_or_else(|| format!("the loader has no line starting with {FILES_LINE:?}"))?;
    let named = format!(
        "{FILES_LINE}{{ glue: '/{}', wasm: '/{}', style: '/{}' }};",
        published.glue, published.wasm, published.style
    );
    Ok(loader.replacen(line, &named, 1))
}

/// Publishes the widgets of the site built at `site` (`target/site`): hashed copies of the glue and the WASM
/// (which replace them) and of the stylesheet (which the storefront keeps too), their compressed twins, and the
/// loader naming them. `quality` is brotli's, 0 to 11.
pub fn publish(site: &Path, quality: u32) -> Result<Published, String> {
    let published = Published {
        glue: hash_into_place(site, "widgets/rapport-widgets.js", "widgets", true)?,
        wasm: hash_into_place(site, "widgets/rapport-widgets_bg.wasm", "widgets", true)?,
        style: hash_into_place(site, "pkg/rapport.css", "widgets", false)?,
    };
    for file in [&published.glue, &published.wasm, &published.style] {
        compress_beside(&site.join(file), quality)?;
    }
    let loader_path = site.join("embed.js");
    let loader = read_text(&loader_path)?;
    std::fs::write(&loader_path, rewrite_loader(&loader, &published)?)
        .map_err(|error| format!("{}: {error}", loader_path.display()))?;
    Ok(published)
}

/// Puts the file at `source` (a site path) under its hashed name in the folder `into`, moving it when `replace`,
/// and returns the new site path.
fn hash_into_place(site: &Path, source: &str, into: &str, replace: bool) -> Result<String, String> {
    let from = site.join(source);
    let content = std::fs::read(&from).map_err(|error| {
        format!(
            "{}: {error} (build the site and the widgets first)",
            from.display()
        )
    })?;
    let file_name = source.rsplit('/').next().unwrap_or(source);
    let name = hashed_name(&format!("{into}/{file_name}"), &content);
    let to = site.join(&name);
    std::fs::write(&to, &content).map_err(|error| format!("{}: {error}", to.display()))?;
    if replace {
        std::fs::remove_file(&from).map_err(|error| format!("{}: {error}", from.display()))?;
    }
    Ok(name)
}

fn read_text(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))
}

/// Writes `<file>.br` and `<file>.gz` beside `file`, which the server sends in its place to browsers that accept
/// them.
fn compress_beside(file: &Path, quality: u32) -> Result<(), String> {
    let content = std::fs::read(file).map_err(|error| format!("{}: {error}", file.display()))?;
    let twin = |extension: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(extension);
        PathBuf::from(name)
    };
    let params = brotli::enc::BrotliEncoderParams {
        quality: quality.min(11) as i32,
        lgwin: 24,
        ..Default::default()
    };
    let mut brotli = Vec::new();
    brotli::BrotliCompress(&mut content.as_slice(), &mut brotli, &params)
        .map_err(|error| format!("{}: brotli: {error}", file.display()))?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&content)
        .map_err(|error| format!("{}: gzip: {error}", file.display()))?;
    let gzip = gzip
        .finish()
        .map_err(|error| format!("{}: gzip: {error}", file.display()))?;
    for (extension, bytes) in [(".br", brotli), (".gz", gzip)] {
        let path = twin(extension);
        std::fs::write(&path, bytes).map_err(|error| format!("{}: {error}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_the_stem_and_extension_and_follow_the_content() {
        let name = hashed_name("widgets/rapport-widgets_bg.wasm", b"one");
        assert!(name.starts_with("widgets/rapport-widgets_bg."), "{name}");
        assert!(name.ends_with(".wasm"), "{name}");
        assert_eq!(name.len(), "widgets/rapport-widgets_bg..wasm".len() + 16);
        assert_eq!(name, hashed_name("widgets/rapport-widgets_bg.wasm", b"one"));
        assert_ne!(name, hashed_name("widgets/rapport-widgets_bg.wasm", b"two"));
    }

    #[test]
    fn the_loader_names_the_published_files_however_often_it_is_rewritten() {
        let loader = "(() => {\n  const FILES = { glue: '/widgets/rapport-widgets.js', wasm: '/widgets/rapport-widgets_bg.wasm', style: '/pkg/rapport.css' };\n  load(FILES.glue);\n})();\n";
        let published = Published {
            glue: "widgets/rapport-widgets.0123456789abcdef.js".into(),
            wasm: "widgets/rapport-widgets_bg.0123456789abcdef.wasm".into(),
            style: "widgets/rapport.0123456789abcdef.css".into(),
        };
        let once = rewrite_loader(loader, &published).unwrap();
        assert_eq!(
            once,
            "(() => {\n  const FILES = { glue: '/widgets/rapport-widgets.0123456789abcdef.js', wasm: '/widgets/rapport-widgets_bg.0123456789abcdef.wasm', style: '/widgets/rapport.0123456789abcdef.css' };\n  load(FILES.glue);\n})();\n"
        );
        assert_eq!(rewrite_loader(&once, &published).unwrap(), once);
        assert!(rewrite_loader("console.log(1);", &published).is_err());
    }

    #[test]
    fn publishing_hashes_the_widgets_compresses_them_and_names_them_in_the_loader() {
        let site = std::env::temp_dir().join(format!("rapport-publish-{}", std::process::id()));
        std::fs::create_dir_all(site.join("widgets")).unwrap();
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        let glue = "export default function init() {}\n".repeat(50);
        std::fs::write(site.join("widgets/rapport-widgets.js"), &glue).unwrap();
        std::fs::write(site.join("widgets/rapport-widgets_bg.wasm"), b"\0asm wasm").unwrap();
        std::fs::write(site.join("pkg/rapport.css"), "p { color: red; }").unwrap();
        std::fs::write(
            site.join("embed.js"),
            "  const FILES = { glue: '/widgets/rapport-widgets.js', wasm: '', style: '' };\n",
        )
        .unwrap();

        let published = publish(&site, 5).unwrap();
        assert!(
            !site.join("widgets/rapport-widgets.js").exists(),
            "replaced"
        );
        assert!(
            site.join("pkg/rapport.css").exists(),
            "the storefront keeps its stylesheet"
        );
        let glue_path = site.join(&published.glue);
        assert_eq!(std::fs::read_to_string(&glue_path).unwrap(), glue);
        let mut unzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(
                std::fs::File::open(site.join(format!("{}.gz", published.glue))).unwrap(),
            ),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, glue);
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(
            &mut std::fs::File::open(site.join(format!("{}.br", published.glue))).unwrap(),
            &mut unbrotlied,
        )
        .unwrap();
        assert_eq!(unbrotlied, glue.as_bytes());
        let loader = std::fs::read_to_string(site.join("embed.js")).unwrap();
        assert!(
            loader.contains(&format!("wasm: '/{}'", published.wasm)),
            "{loader}"
        );

        // Published already: the widgets must be built again first, which the error says.
        let again = publish(&site, 5).unwrap_err();
        assert!(
            again.contains("build the site and the widgets first"),
            "{again}"
        );
        std::fs::remove_dir_all(&site).unwrap();
    }
}
