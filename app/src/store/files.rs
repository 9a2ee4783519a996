//! Files shoppers upload (review photos), kept under names made from their content: the same bytes are kept once,
//! and a name never changes what it names, so browsers may keep a file for good.
//!
//! Only [`Files::put`], [`Files::read`] and [`Files::remove`] touch the disk: another place to keep files (an
//! S3-compatible bucket) would be a second implementation of these three, with no change to their callers.

use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The kinds of file kept, by the extension their name ends with.
pub const EXTENSIONS: [&str; 1] = ["jpg"];

/// The directory uploaded files are kept in, shared by everything that serves or writes them.
#[derive(Debug, Clone)]
pub struct Files {
    root: Arc<PathBuf>,
}

impl Files {
    /// Files kept in `root` (made when the first file comes), two levels deep by the name's first characters so
    /// that no directory grows too long to list.
    pub fn on_disk(root: impl Into<PathBuf>) -> Self {
        Self {
            root: Arc::new(root.into()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Keeps `bytes` and answers their name: the SHA-256 of the bytes in hex, then `.{extension}`. Keeping bytes
    /// already kept changes nothing. The file appears whole or not at all (written aside, then renamed).
    pub async fn put(&self, bytes: &[u8], extension: &'static str) -> io::Result<String> {
        let key = format!("{}.{extension}", hex::encode(Sha256::digest(bytes)));
        let path = self
            .path_of(&key)
            .ok_or_else(|| io::Error::other("unknown extension"))?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(key);
        }
        let directory = path.parent().unwrap_or(&self.root);
        tokio::fs::create_dir_all(directory).await?;
        let aside = directory.join(format!(".{key}.{}", rand::random::<u64>()));
        tokio::fs::write(&aside, bytes).await?;
        if let Err(error) = tokio::fs::rename(&aside, &path).await {
            let _ = tokio::fs::remove_file(&aside).await;
            return Err(error);
        }
        Ok(key)
    }

    /// The bytes kept under `key`; none for a name this store never gave or a file since removed.
    pub async fn read(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match tokio::fs::read(path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Forgets the file kept under `key`; a file already gone is no error.
    pub async fn remove(&self, key: &str) -> io::Result<()> {
        let Some(path) = self.path_of(key) else {
            return Ok(());
        };
        match tokio::fs::remove_file(path).await {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Where `key` lives, if it is a name [`Files::put`] gives: 64 hex digits and a known extension, so that no
    /// name from a request can reach outside the directory.
    fn path_of(&self, key: &str) -> Option<PathBuf> {
        let (hash, extension) = key.split_once('.')?;
        let named = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && EXTENSIONS.contains(&extension);
        named.then(|| self.root.join(&hash[..2]).join(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_bytes_once_under_their_hash_and_refuses_other_names() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::on_disk(dir.path());
        let key = files.put(b"photo", "jpg").await.unwrap();
        assert_eq!(key.len(), 64 + 4);
        assert_eq!(files.put(b"photo", "jpg").await.unwrap(), key);
        assert_eq!(
            files.read(&key).await.unwrap().as_deref(),
            Some(&b"photo"[..])
        );
        let kept: Vec<_> = std::fs::read_dir(dir.path().join(&key[..2]))
            .unwrap()
            .collect();
        assert_eq!(kept.len(), 1, "one file, nothing left aside");
        for name in [
            "../../etc/passwd",
            "x.jpg",
            &key.replace(".jpg", ".php"),
            &key.to_uppercase(),
        ] {
            assert_eq!(files.read(name).await.unwrap(), None, "{name}");
        }
        files.remove(&key).await.unwrap();
        files.remove(&key).await.unwrap();
        assert_eq!(files.read(&key).await.unwrap(), None);
        assert!(files.put(b"x", "php").await.is_err());
    }
}
