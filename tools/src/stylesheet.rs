//! `rapport-tools bundle-css`: the storefront's stylesheet, and the one every widget's shadow root adopts.
//!
//! `style/main.css` imports each part's CSS, kept beside its code; this inlines the imports in order and strips
//! comments and the whitespace no browser needs. Written here rather than taken from a CSS compiler: Rapport's CSS
//! is plain (no nesting to lower, its few vendor prefixes written by hand), and a compiler would add minutes to
//! every first build for what brotli mostly evens out (6.6 KB here against Lightning CSS's 6.8 KB).

use std::path::{Path, PathBuf};

/// The stylesheet at `entry` with every `@import "file";` replaced by that file's bundle, resolved against the
/// importing file's folder. A missing file or an import cycle is an error naming it.
pub fn bundle(entry: &Path) -> Result<String, String> {
    let mut open = Vec::new();
    inline(entry, &mut open)
}

fn inline(path: &Path, open: &mut Vec<PathBuf>) -> Result<String, String> {
    let canonical = path
        .canonicalize()
        .map_err(|error| format!("{}: {error}", path.display()))?;
    if open.contains(&canonical) {
        return Err(format!("{} imports itself", path.display()));
    }
    let text = std::fs::read_to_string(&canonical)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    open.push(canonical);
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut bundled = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match imported(line) {
            Some(file) => bundled.push_str(&inline(&folder.join(file), open)?),
            None => bundled.push_str(line),
        }
    }
    open.pop();
    if !bundled.ends_with('\n') {
        bundled.push('\n');
    }
    Ok(bundled)
}

/// The file a line `@import "file";` names; `None` for any other line. Only this plain form is bundled: an import
/// with media conditions or a URL would change meaning if inlined, so it is left for the browser.
fn imported(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("@import \"")?;
    let (file, tail) = rest.split_once('"')?;
    (tail.trim() == ";").then_some(file)
}

/// `css` without comments and without the whitespace the syntax does not need: runs of whitespace become one
/// space, and none is kept beside `{`, `}`, `;` and `,` or after `:` (never before it: `a :hover` and `a:hover`
/// select different things), nor a `;` before `}`. Strings are kept as written.
pub fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = ' ';
                for c in chars.by_ref() {
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
                pending_space = true;
            }
            c if c.is_whitespace() => pending_space = true,
            '"' | '\'' => {
                push_space(&mut out, pending_space, c);
                pending_space = false;
                out.push(c);
                let mut escaped = false;
                for inner in chars.by_ref() {
                    out.push(inner);
                    if escaped {
                        escaped = false;
                    } else if inner == '\\' {
                        escaped = true;
                    } else if inner == c {
                        break;
                    }
                }
            }
            '}' => {
                if out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                pending_space = false;
            }
            c => {
                push_space(&mut out, pending_space, c);
                pending_space = false;
                out.push(c);
            }
        }
    }
    out.push('\n');
    out
}

/// Writes the one space a run of whitespace became before `next`, unless the syntax around it makes it needless.
fn push_space(out: &mut String, pending: bool, next: char) {
    let needless_after = |c: char| matches!(c, '{' | '}' | ';' | ',' | ':');
    let needless_before = matches!(next, '{' | '}' | ';' | ',');
    if pending && !needless_before && out.chars().last().is_some_and(|c| !needless_after(c)) {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn imports_are_inlined_in_order_against_the_importing_files_folder() {
        let dir = folder();
        std::fs::create_dir_all(dir.path().join("style")).unwrap();
        std::fs::create_dir_all(dir.path().join("parts/ui")).unwrap();
        std::fs::write(
            dir.path().join("style/main.css"),
            "/* head */\n@import \"../parts/ui/ui.css\";\n@import \"../parts/b.css\";\nbody { margin: 0; }",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("parts/ui/ui.css"),
            "@import \"tokens.css\";\n.a { color: red; }\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("parts/ui/tokens.css"), ":root { --x: 1; }").unwrap();
        std::fs::write(dir.path().join("parts/b.css"), ".b { color: blue; }\n").unwrap();
        assert_eq!(
            bundle(&dir.path().join("style/main.css")).unwrap(),
            "/* head */\n:root { --x: 1; }\n.a { color: red; }\n.b { color: blue; }\nbody { margin: 0; }\n"
        );
    }

    #[test]
    fn a_missing_import_or_a_cycle_is_an_error_naming_the_file() {
        let dir = folder();
        std::fs::write(dir.path().join("main.css"), "@import \"gone.css\";\n").unwrap();
        let error = bundle(&dir.path().join("main.css")).unwrap_err();
        assert!(error.contains("gone.css"), "{error}");

        std::fs::write(dir.path().join("a.css"), "@import \"b.css\";\n").unwrap();
        std::fs::write(dir.path().join("b.css"), "@import \"a.css\";\n").unwrap();
        let error = bundle(&dir.path().join("a.css")).unwrap_err();
        assert!(error.contains("imports itself"), "{error}");
    }

    #[test]
    fn imports_with_conditions_are_left_to_the_browser() {
        assert_eq!(imported("@import \"a.css\";\n"), Some("a.css"));
        assert_eq!(imported("@import \"print.css\" print;"), None);
        assert_eq!(imported("@import url(a.css);"), None);
        assert_eq!(imported(".a { color: red; }"), None);
    }

    #[test]
    fn minifying_drops_comments_and_needless_whitespace() {
        let css = "/* the frame */\n.shop-head  >  a,\n.b {\n  color: red;\n  margin: 0 auto;\n}\n\n\
                   @media (min-width: 40em) {\n  .c { gap: 1rem }\n}\n";
        assert_eq!(
            minify(css),
            ".shop-head > a,.b{color:red;margin:0 auto}@media (min-width:40em){.c{gap:1rem}}\n"
        );
    }

    #[test]
    fn minifying_keeps_what_changes_meaning() {
        // A descendant pseudo-class, calc's operators, strings with spaces and comment-like text, and escapes.
        let css = "a :hover { width: calc(100% - 2px); content: \"a  /* b */  c\"; }\n\
                   .q::before { content: '\\'  x'; font-family: \"Noto Sans\", serif; }";
        assert_eq!(
            minify(css),
            "a :hover{width:calc(100% - 2px);content:\"a  /* b */  c\"}\
             .q::before{content:'\\'  x';font-family:\"Noto Sans\",serif}\n"
        );
    }
}
