//! `rapport-tools split-widgets` and `publish-assets`: ready the widgets' bundle for the wire.
//!
//! Splitting: each widget's code leaves the main WASM for its chunk (the `widget_chunk!` split points of
//! `app::embed`, one chunk per kind of page: [`app::embed::Chunk`]), which a page fetches only when it shows one
//! of its widgets; code several chunks share goes into files fetched with the first of them. Leptos's own
//! splitter does it (`wasm_split_cli_support`, what cargo-leptos runs for `--split`), on the WASM as the linker
//! wrote it, with its relocations, before wasm-bindgen.
//!
//! Publishing: the widgets' files, and the storefront's bundle, each go into a folder named by a hash of their
//! content, so that browsers keep them for a year (`Cache-Control: immutable`, see the server's
//! `site_file_caching`): a release brings a new folder, so a browser never pairs an old glue file with a new WASM.
//! One folder rather than a hash in each name, because the chunks' loader imports the glue by its plain name;
//! `pkg/build` names the storefront's folder for the server's pages. The widgets' stylesheet
//! (`style/widgets.css`) is in their folder. The loader, whose URL stores paste into their pages and which must stay, is rewritten
//! to name them and each chunk's files. Each published file gets brotli and gzip twins, compressed once here at
//! the strongest settings rather than per request; a file named by its content cannot outlive its twins.

use app::embed::{Chunk, EmbeddableWidget};
use server::STOREFRONT_BUILD;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The loader's line naming the widgets' files, as `public/embed.js` holds it and as this rewrites it.
const FILES_LINE: &str = "  const FILES = ";
/// The glue wasm-bindgen writes for the main module, which the chunks' loader imports.
const GLUE: &str = "rapport-widgets.js";
/// The main module once wasm-bindgen has read it.
const WASM: &str = "rapport-widgets_bg.wasm";
/// The main module as split, before wasm-bindgen.
const SPLIT_MAIN: &str = "rapport-widgets_split.wasm";
/// The JavaScript that fetches and links the chunks, imported by the main module.
const CHUNK_LOADER: &str = "rapport-chunks.js";
/// The widgets' stylesheet, bundled from `style/widgets.css`, which the loader gives every shadow root.
const STYLE: &str = "rapport-widgets.css";
/// Which files each chunk needs (its own and the shared ones), from the split to the publishing.
const CHUNK_MAP: &str = "chunks.json";
/// The storefront's bundle as the build leaves it in `pkg/`: glue, WASM and stylesheet.
const STOREFRONT: [&str; 3] = ["rapport.js", "rapport_bg.wasm", "rapport.css"];

/// Which files (stems in the build's folder) each chunk needs, by the chunk's name ([`app::embed::Chunk`]).
pub type Chunks = BTreeMap<String, Vec<String>>;

/// Splits the widgets' WASM at `input` (as the linker wrote it, with `--emit-relocs`) into `out`: the main module
/// for wasm-bindgen ([`SPLIT_MAIN`]), a WASM file per chunk, their loader and the map of who needs which.
pub fn split_widgets(input: &Path, out: &Path) -> Result<Chunks, String> {
    let wasm = std::fs::read(input).map_err(|error| {
        format!(
            "{}: {error} (build the widgets' WASM first)",
            input.display()
        )
    })?;
    std::fs::create_dir_all(out).map_err(|error| format!("{}: {error}", out.display()))?;
    let main = out.join(SPLIT_MAIN);
    let link_name = format!("./{CHUNK_LOADER}");
    let main_module = format!("./{GLUE}");
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = out;
    options.main_out_path = &main;
    options.link_name = &link_name;
    options.main_module = &main_module;
    let split = wasm_split_cli_support::transform(options)
        .map_err(|error| format!("{}: splitting: {error:#}", input.display()))?;
    let chunks: Chunks = split.prefetch_map.into_iter().collect();
    if chunks.is_empty() {
        return Err(format!(
            "{}: no split points (built without -Clink-args=--emit-relocs?)",
            input.display()
        ));
    }
    let map = out.join(CHUNK_MAP);
    std::fs::write(
        &map,
        serde_json::to_string_pretty(&chunks).expect("a map of strings is JSON"),
    )
    .map_err(|error| format!("{}: {error}", map.display()))?;
    Ok(chunks)
}

/// What the loader loads, as site paths after publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub glue: String,
    pub wasm: String,
    pub style: String,
    /// Each chunk's files (its own and the shared ones it needs), as file stems beside the glue.
    pub chunks: Chunks,
    /// Each custom element's chunk.
    pub chunk_of: BTreeMap<String, String>,
    /// The folder of the storefront's bundle (`pkg/<hash>`).
    pub storefront: String,
}

/// The loader with its `FILES` line naming `published`; an error when it has no such line (not Rapport's loader).
pub fn rewrite_loader(loader: &str, published: &Published) -> Result<String, String> {
    let line = loader
        .lines()
        .find(|line| line.starts_with(FILES_LINE))
        .ok_or_else(|| format!("the loader has no line starting with {FILES_LINE:?}"))?;
    let chunks = published
        .chunks
        .iter()
        .map(|(widget, files)| {
            let files = files
                .iter()
                .map(|file| format!("'{file}'"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{widget}: [{files}]")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let chunk_of = published
        .chunk_of
        .iter()
        .map(|(tag, chunk)| format!("'{tag}': '{chunk}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let named = format!(
        "{FILES_LINE}{{ glue: '/{}', wasm: '/{}', style: '/{}', chunks: {{ {chunks} }}, chunkOf: {{ {chunk_of} }} }};",
        published.glue, published.wasm, published.style
    );
    Ok(loader.replacen(line, &named, 1))
}

/// Publishes the widgets and the storefront's bundle of the site built at `site` (`target/site`): each build's
/// files moved into a folder named by their content, their compressed twins, the loader naming the widgets' files and [`STOREFRONT_BUILD`] the storefront's folder.
/// `quality` is brotli's, 0 to 11.
pub fn publish(site: &Path, quality: u32) -> Result<Published, String> {
    let widgets = site.join("widgets");
    let map = widgets.join(CHUNK_MAP);
    let chunks: Chunks = serde_json::from_str(
        &read_text(&map)
            .map_err(|error| format!("{error} (build the site and the widgets first)"))?,
    )
    .map_err(|error| format!("{}: {error}", map.display()))?;
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(&widgets).map_err(|error| format!("{}: {error}", widgets.display()))?
    {
        let entry = entry.map_err(|error| format!("{}: {error}", widgets.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|kind| kind.is_file()) && name != CHUNK_MAP {
            files.push(name);
        }
    }
    files.sort();
    for needed in [GLUE, WASM, CHUNK_LOADER, STYLE] {
        if !files.iter().any(|file| file == needed) {
            return Err(format!(
                "{}: no {needed} (build the site and the widgets first)",
                widgets.display()
            ));
        }
    }
    for (chunk, stems) in &chunks {
        if let Some(stem) = stems
            .iter()
            .find(|stem| !files.contains(&format!("{stem}.wasm")))
        {
            return Err(format!(
                "the chunk {chunk} needs {stem}.wasm, which the build lacks"
            ));
        }
    }
    let chunk_of = chunk_of(&chunks)?;
    // Everything is checked before anything moves: a refused publish leaves the site as the build left it.
    for file in STOREFRONT {
        let path = site.join("pkg").join(file);
        if !path.is_file() {
            return Err(format!(
                "{}: missing (build the site and the widgets first)",
                path.display()
            ));
        }
    }
    let folder = move_into_build_folder(site, "widgets", &files, quality)?;
    std::fs::remove_file(&map).map_err(|error| format!("{}: {error}", map.display()))?;
    let storefront = move_into_build_folder(site, "pkg", &STOREFRONT, quality)?;
    std::fs::write(site.join(STOREFRONT_BUILD), format!("{storefront}\n"))
        .map_err(|error| format!("{STOREFRONT_BUILD}: {error}"))?;
    let published = Published {
        glue: format!("{folder}/{GLUE}"),
        wasm: format!("{folder}/{WASM}"),
        style: format!("{folder}/{STYLE}"),
        chunks,
        chunk_of,
        storefront,
    };
    let loader_path = site.join("embed.js");
    let loader = read_text(&loader_path)?;
    std::fs::write(&loader_path, rewrite_loader(&loader, &published)?)
        .map_err(|error| format!("{}: {error}", loader_path.display()))?;
    Ok(published)
}

/// Moves the `files` of the site's folder `parent` into `parent/<hash>`, the hash being of their names and
/// contents, with compressed twins, and returns that folder's site path.
fn move_into_build_folder(
    site: &Path,
    parent: &str,
    files: &[impl AsRef<str>],
    quality: u32,
) -> Result<String, String> {
    let mut build = Sha256::new();
    for file in files {
        let path = site.join(parent).join(file.as_ref());
        let content = std::fs::read(&path).map_err(|error| {
            format!(
                "{}: {error} (build the site and the widgets first)",
                path.display()
            )
        })?;
        build.update(file.as_ref().as_bytes());
        build.update((content.len() as u64).to_le_bytes());
        build.update(&content);
    }
    let folder = format!("{parent}/{}", hex::encode(&build.finalize()[..8]));
    std::fs::create_dir_all(site.join(&folder)).map_err(|error| format!("{folder}: {error}"))?;
    for file in files {
        let to = site.join(&folder).join(file.as_ref());
        std::fs::rename(site.join(parent).join(file.as_ref()), &to)
            .map_err(|error| format!("{}: {error}", to.display()))?;
        compress_beside(&to, quality)?;
    }
    Ok(folder)
}

/// Each widget's chunk by its custom element, as the registry says (none for those the loader draws); an error
/// when the split made other chunks than the registry names (a widget's split point in `app::embed::mount` under
/// another chunk's name).
fn chunk_of(chunks: &Chunks) -> Result<BTreeMap<String, String>, String> {
    let named: Vec<_> = Chunk::ALL.iter().map(|chunk| chunk.name()).collect();
    let split: Vec<_> = chunks.keys().map(String::as_str).collect();
    if named
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        != split.iter().copied().collect()
    {
        return Err(format!(
            "the split made the chunks {split:?}, the widget registry names {named:?}"
        ));
    }
    Ok(EmbeddableWidget::ALL
        .iter()
        .filter_map(|widget| Some((widget.tag().to_owned(), widget.chunk()?.name().to_owned())))
        .collect())
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
    fn the_loader_names_the_published_files_and_chunks_however_often_it_is_rewritten() {
        let loader = "(() => {\n  const FILES = { glue: '/widgets/rapport-widgets.js', wasm: '/widgets/rapport-widgets_bg.wasm', style: '/pkg/rapport.css' };\n  load(FILES.glue);\n})();\n";
        let published = Published {
            glue: "widgets/0123456789abcdef/rapport-widgets.js".into(),
            wasm: "widgets/0123456789abcdef/rapport-widgets_bg.wasm".into(),
            style: "widgets/0123456789abcdef/rapport-widgets.css".into(),
            chunks: Chunks::from([
                (
                    "product".into(),
                    vec!["chunk_2".into(), "split_product".into()],
                ),
                ("badges".into(), vec!["split_badges".into()]),
            ]),
            chunk_of: BTreeMap::from([
                ("rapport-reviews".into(), "product".into()),
                ("rapport-stars".into(), "badges".into()),
            ]),
            storefront: "pkg/0123456789abcdef".into(),
        };
        let once = rewrite_loader(loader, &published).unwrap();
        assert_eq!(
            once,
            "(() => {\n  const FILES = { glue: '/widgets/0123456789abcdef/rapport-widgets.js', wasm: '/widgets/0123456789abcdef/rapport-widgets_bg.wasm', style: '/widgets/0123456789abcdef/rapport-widgets.css', chunks: { badges: ['split_badges'], product: ['chunk_2', 'split_product'] }, chunkOf: { 'rapport-reviews': 'product', 'rapport-stars': 'badges' } };\n  load(FILES.glue);\n})();\n"
        );
        assert_eq!(rewrite_loader(&once, &published).unwrap(), once);
        assert!(rewrite_loader("console.log(1);", &published).is_err());
    }

    /// A built site's widgets as the build leaves them in `site` for publishing.
    fn built_widgets(site: &Path, glue: &str) {
        std::fs::create_dir_all(site.join("widgets")).unwrap();
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        std::fs::write(site.join("widgets").join(GLUE), glue).unwrap();
        for file in [
            WASM,
            "split_badges.wasm",
            "split_product.wasm",
            "split_account.wasm",
            "chunk_2.wasm",
        ] {
            std::fs::write(site.join("widgets").join(file), b"\0asm wasm").unwrap();
        }
        std::fs::write(
            site.join("widgets").join(CHUNK_LOADER),
            "export const x = 1;",
        )
        .unwrap();
        std::fs::write(site.join("widgets").join(STYLE), "p { color: blue; }").unwrap();
        std::fs::write(
            site.join("widgets").join(CHUNK_MAP),
            r#"{"product": ["chunk_2", "split_product"], "badges": ["chunk_2", "split_badges"],
                "account": ["split_account"]}"#,
        )
        .unwrap();
        std::fs::write(site.join("pkg/rapport.css"), "p { color: red; }").unwrap();
        std::fs::write(site.join("pkg/rapport.js"), "export function hydrate() {}").unwrap();
        std::fs::write(site.join("pkg/rapport_bg.wasm"), b"\0asm storefront").unwrap();
        std::fs::write(
            site.join("embed.js"),
            "  const FILES = { glue: '/widgets/rapport-widgets.js', wasm: '', style: '' };\n",
        )
        .unwrap();
    }

    #[test]
    fn publishing_moves_the_build_into_a_folder_named_by_its_content_compresses_it_and_names_it_in_the_loader()
     {
        let site = std::env::temp_dir().join(format!("rapport-publish-{}", std::process::id()));
        let glue = "export default function init() {}\n".repeat(50);
        built_widgets(&site, &glue);

        let published = publish(&site, 5).unwrap();
        let folder = published.glue.strip_suffix("/rapport-widgets.js").unwrap();
        let hash = folder.strip_prefix("widgets/").unwrap();
        assert!(
            hash.len() == 16 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()),
            "{folder}"
        );
        assert!(!site.join("widgets").join(GLUE).exists(), "moved");
        for file in [
            GLUE,
            WASM,
            CHUNK_LOADER,
            STYLE,
            "split_product.wasm",
            "chunk_2.wasm",
        ] {
            assert!(site.join(folder).join(file).exists(), "{file}");
            assert!(
                site.join(folder).join(format!("{file}.br")).exists(),
                "{file}.br"
            );
        }
        assert!(
            !site.join(folder).join(CHUNK_MAP).exists(),
            "the map is in the loader"
        );
        let storefront = std::fs::read_to_string(site.join(STOREFRONT_BUILD)).unwrap();
        assert_eq!(storefront.trim(), published.storefront);
        assert!(published.storefront.starts_with("pkg/"), "{published:?}");
        for file in STOREFRONT {
            assert!(!site.join("pkg").join(file).exists(), "{file} moved");
            assert!(
                site.join(&published.storefront).join(file).exists(),
                "{file}"
            );
            assert!(
                site.join(&published.storefront)
                    .join(format!("{file}.gz"))
                    .exists(),
                "{file}.gz"
            );
        }
        assert_eq!(published.style, format!("{folder}/{STYLE}"));
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
            loader.contains(&format!("wasm: '/{}'", published.wasm))
                && loader.contains("product: ['chunk_2', 'split_product']")
                && loader.contains("'rapport-reviews': 'product'"),
            "{loader}"
        );

        // Published already: the widgets must be built again first, which the error says.
        let again = publish(&site, 5).unwrap_err();
        assert!(
            again.contains("build the site and the widgets first"),
            "{again}"
        );

        // Another build, another folder; a build whose map names a chunk it lacks is refused.
        std::fs::remove_dir_all(&site).unwrap();
        built_widgets(&site, "export default function init() { return 2; }");
        let next = publish(&site, 5).unwrap();
        assert_ne!(next.glue, published.glue);
        std::fs::remove_dir_all(&site).unwrap();
        built_widgets(&site, &glue);
        std::fs::remove_file(site.join("widgets/chunk_2.wasm")).unwrap();
        let lacking = publish(&site, 5).unwrap_err();
        assert!(
            lacking.contains("the chunk badges needs chunk_2.wasm"),
            "{lacking}"
        );
        std::fs::remove_dir_all(&site).unwrap();
        // A split point under a name the registry does not know.
        built_widgets(&site, &glue);
        std::fs::write(
            site.join("widgets").join(CHUNK_MAP),
            r#"{"product": ["chunk_2"], "reviews": ["chunk_2"]}"#,
        )
        .unwrap();
        let unnamed = publish(&site, 5).unwrap_err();
        assert!(unnamed.contains("the widget registry names"), "{unnamed}");
        assert!(
            site.join("widgets").join(GLUE).exists()
                && site.join("widgets").join(CHUNK_MAP).exists(),
            "a refused publish moves nothing"
        );
        std::fs::remove_dir_all(&site).unwrap();
        // Widgets built again into a site whose storefront was published already: refused, nothing moved.
        built_widgets(&site, &glue);
        std::fs::remove_file(site.join("pkg/rapport.css")).unwrap();
        let half = publish(&site, 5).unwrap_err();
        assert!(half.contains("rapport.css: missing"), "{half}");
        assert!(site.join("widgets").join(GLUE).exists(), "{half}");
        std::fs::remove_dir_all(&site).unwrap();
    }
}
