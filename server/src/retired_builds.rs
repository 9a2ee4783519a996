//! `server prune-assets`: removes the published builds a site no longer serves, a while after they were replaced.
//!
//! Each release publishes its widgets and its storefront's bundle into folders named by their content
//! (`widgets/<hash>/`, `pkg/<hash>/`), and an upgrade copies the new site over the old one, so the folders of every
//! earlier release stay. They must stay for a while: a store's page opened before the upgrade fetches its widgets'
//! chunks from the build it started with, and its loader names that build for up to five minutes. So a build is
//! removed only once it has been out of use for the time given. When it went out of use is not in the files (a
//! copy may keep its build date or take the copying date), so the first run that finds a build out of use marks it
//! with an empty `<name>.retired` beside it, and a later run removes it once that mark is old enough. A build that
//! is in use again (a rollback) loses its mark. Files of releases before the folders (`widgets/rapport.<hash>.css`)
//! are retired the same way.

use crate::content_hash;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// What a run did, by site path (`widgets/<hash>`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Out of use for longer than asked: removed with their mark.
    pub removed: Vec<String>,
    /// Out of use, for less time than asked: marked (or marked before) and kept.
    pub retiring: Vec<String>,
}

/// The suffix of the mark beside a build out of use.
const MARK: &str = ".retired";

/// Removes from the site at `site` the builds out of use for at least `keep` by `now`, marks those newly out of
/// use, and unmarks those in use again. The builds in use are the ones the loader (`embed.js`) and
/// [`crate::STOREFRONT_BUILD`] name; a site that names none (not published) is an error, as every build would look
/// out of use.
pub fn prune(site: &Path, keep: Duration, now: SystemTime) -> Result<Pruned, String> {
    let in_use = builds_in_use(site)?;
    let mut pruned = Pruned::default();
    for parent in ["widgets", "pkg"] {
        let folder = site.join(parent);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(error) => return Err(format!("{}: {error}", folder.display())),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| format!("{}: {error}", folder.display()))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        for name in &names {
            let path = format!("{parent}/{name}");
            if let Some(build) = path.strip_suffix(MARK) {
                // A mark whose build is gone (removed by hand) or in use again goes.
                if used(build, &in_use) || !site.join(build).exists() {
                    remove(&site.join(&path))?;
                }
                continue;
            }
            let published = name.split('.').any(content_hash);
            if !published || used(&path, &in_use) {
                continue;
            }
            let mark = site.join(format!("{path}{MARK}"));
            let marked = std::fs::metadata(&mark)
                .and_then(|meta| meta.modified())
                .ok();
            match marked {
                Some(since) if now.duration_since(since).unwrap_or_default() >= keep => {
                    remove(&site.join(&path))?;
                    remove(&mark)?;
                    pruned.removed.push(path);
                }
                Some(_) => pruned.retiring.push(path),
                None => {
                    std::fs::write(&mark, b"")
                        .map_err(|error| format!("{}: {error}", mark.display()))?;
                    pruned.retiring.push(path);
                }
            }
        }
    }
    Ok(pruned)
}

/// The site paths of the builds the site serves: what the loader names in `widgets/` (its build's folder, or the
/// stylesheet of a release from before the folders) and the storefront's folder.
fn builds_in_use(site: &Path) -> Result<Vec<String>, String> {
    let loader = site.join("embed.js");
    let text = std::fs::read_to_string(&loader)
        .map_err(|error| format!("{}: {error}", loader.display()))?;
    let mut in_use: Vec<String> = text
        .split("'/widgets/")
        .skip(1)
        .filter_map(|rest| rest.split(['/', '\'']).next())
        .filter(|name| name.split('.').any(content_hash))
        .map(|name| format!("widgets/{name}"))
        .collect();
    if in_use.is_empty() {
        return Err(format!(
            "{} names no published widgets' build; publish the site first (./rapport build)",
            loader.display()
        ));
    }
    let storefront = crate::storefront_pkg_dir(site)?;
    if storefront == "pkg" {
        return Err(format!(
            "{} is missing; publish the site first (./rapport build)",
            site.join(crate::STOREFRONT_BUILD).display()
        ));
    }
    in_use.push(storefront);
    Ok(in_use)
}

/// Whether the site path `path` is one of `in_use`, or a compressed twin of one.
fn used(path: &str, in_use: &[String]) -> bool {
    in_use.iter().any(|used| {
        path == used
            || path
                .strip_prefix(used.as_str())
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Removes a build or a mark; one already gone (removed earlier in the same run with its build) is no error.
fn remove(path: &Path) -> Result<(), String> {
    let removed = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match removed {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {error}", path.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    /// A site as three releases copied over each other leave it: the current build, the one before and an older
    /// one in folders, and the stylesheet of a release from before the folders.
    fn site() -> tempfile::TempDir {
        let site = tempfile::tempdir().unwrap();
        for folder in [
            "widgets/0000000000000003",
            "widgets/0000000000000002",
            "widgets/0000000000000001",
            "pkg/aaaaaaaaaaaaaaa3",
            "pkg/aaaaaaaaaaaaaaa2",
        ] {
            std::fs::create_dir_all(site.path().join(folder)).unwrap();
            std::fs::write(site.path().join(folder).join("chunk_1.wasm"), b"\0asm").unwrap();
        }
        for file in [
            "widgets/rapport.bbbbbbbbbbbbbbbb.css",
            "widgets/rapport.bbbbbbbbbbbbbbbb.css.br",
        ] {
            std::fs::write(site.path().join(file), b"p {}").unwrap();
        }
        loader_naming(
            site.path(),
            "glue: '/widgets/0000000000000003/rapport-widgets.js', wasm: '/widgets/0000000000000003/rapport-widgets_bg.wasm'",
        );
        std::fs::write(site.path().join("pkg/build"), "pkg/aaaaaaaaaaaaaaa3\n").unwrap();
        site
    }

    /// Writes the site's loader with `files` in its `FILES` line, as publishing does.
    fn loader_naming(site: &Path, files: &str) {
        std::fs::write(
            site.join("embed.js"),
            format!("  const FILES = {{ {files} }};\n"),
        )
        .unwrap();
    }

    fn age_marks(site: &Path, by: Duration) {
        for parent in ["widgets", "pkg"] {
            for entry in std::fs::read_dir(site.join(parent)).unwrap() {
                let path = entry.unwrap().path();
                if path.to_string_lossy().ends_with(MARK) {
                    let file = std::fs::File::options().write(true).open(&path).unwrap();
                    file.set_modified(SystemTime::now() - by).unwrap();
                }
            }
        }
    }

    #[test]
    fn builds_out_of_use_are_marked_first_and_removed_once_out_of_use_long_enough() {
        let site = site();
        let keep = 48 * HOUR;
        let old = [
            "widgets/0000000000000001",
            "widgets/0000000000000002",
            "widgets/rapport.bbbbbbbbbbbbbbbb.css",
            "widgets/rapport.bbbbbbbbbbbbbbbb.css.br",
            "pkg/aaaaaaaaaaaaaaa2",
        ];

        // However old the files, the first run only marks: when they went out of use is not known before.
        let first = prune(site.path(), keep, SystemTime::now()).unwrap();
        assert_eq!(first.removed, Vec::<String>::new());
        let mut retiring = first.retiring.clone();
        retiring.sort();
        let mut expected: Vec<_> = old.iter().map(|path| path.to_string()).collect();
        expected.sort();
        assert_eq!(retiring, expected);
        for path in old {
            assert!(site.path().join(format!("{path}{MARK}")).exists(), "{path}");
        }

        // A day later: kept still.
        age_marks(site.path(), 24 * HOUR);
        let second = prune(site.path(), keep, SystemTime::now()).unwrap();
        assert!(second.removed.is_empty(), "{second:?}");
        assert!(site.path().join(old[0]).exists());

        // Past the time asked: gone with their marks; the builds in use stay, unmarked.
        age_marks(site.path(), 49 * HOUR);
        let third = prune(site.path(), keep, SystemTime::now()).unwrap();
        assert_eq!(third.removed.len(), old.len(), "{third:?}");
        for path in old {
            assert!(!site.path().join(path).exists(), "{path}");
            assert!(
                !site.path().join(format!("{path}{MARK}")).exists(),
                "{path}"
            );
        }
        for path in ["widgets/0000000000000003", "pkg/aaaaaaaaaaaaaaa3"] {
            assert!(
                site.path().join(path).join("chunk_1.wasm").exists(),
                "{path}"
            );
            assert!(
                !site.path().join(format!("{path}{MARK}")).exists(),
                "{path}"
            );
        }
        assert!(site.path().join("embed.js").exists() && site.path().join("pkg/build").exists());
    }

    #[test]
    fn a_build_in_use_again_loses_its_mark() {
        let site = site();
        prune(site.path(), HOUR, SystemTime::now()).unwrap();
        assert!(
            site.path()
                .join("widgets/0000000000000002.retired")
                .exists()
        );
        // A rollback copies the earlier release over: its loader names its build again.
        loader_naming(
            site.path(),
            "glue: '/widgets/0000000000000002/rapport-widgets.js'",
        );
        age_marks(site.path(), 2 * HOUR);
        let after = prune(site.path(), HOUR, SystemTime::now()).unwrap();
        assert!(
            site.path()
                .join("widgets/0000000000000002/chunk_1.wasm")
                .exists()
        );
        assert!(
            !site
                .path()
                .join("widgets/0000000000000002.retired")
                .exists()
        );
        assert!(
            after
                .retiring
                .contains(&"widgets/0000000000000003".to_owned()),
            "{after:?}"
        );
    }

    #[test]
    fn a_release_from_before_the_folders_keeps_the_stylesheet_it_names() {
        let site = site();
        loader_naming(
            site.path(),
            "glue: '/widgets/0000000000000001/rapport-widgets.js', style: '/widgets/rapport.bbbbbbbbbbbbbbbb.css'",
        );
        let pruned = prune(site.path(), HOUR, SystemTime::now()).unwrap();
        for path in [
            "widgets/rapport.bbbbbbbbbbbbbbbb.css",
            "widgets/rapport.bbbbbbbbbbbbbbbb.css.br",
            "widgets/0000000000000001",
        ] {
            assert!(
                !pruned.retiring.contains(&path.to_owned()),
                "{path}: {pruned:?}"
            );
        }
        assert!(
            pruned
                .retiring
                .contains(&"widgets/0000000000000003".to_owned())
        );
    }

    #[test]
    fn a_site_not_published_is_refused_and_left_alone() {
        let site = site();
        loader_naming(site.path(), "glue: '/widgets/rapport-widgets.js'");
        let error = prune(site.path(), HOUR, SystemTime::now()).unwrap_err();
        assert!(
            error.contains("names no published widgets' build"),
            "{error}"
        );
        loader_naming(
            site.path(),
            "glue: '/widgets/0000000000000003/rapport-widgets.js'",
        );
        std::fs::remove_file(site.path().join("pkg/build")).unwrap();
        let error = prune(site.path(), HOUR, SystemTime::now()).unwrap_err();
        assert!(error.contains("pkg/build is missing"), "{error}");
        assert!(
            !site
                .path()
                .join("widgets/0000000000000001.retired")
                .exists()
        );
    }
}
