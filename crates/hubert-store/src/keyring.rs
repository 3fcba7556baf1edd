//! Where the store's secret key comes from, and the files that must stay private.
//!
//! The key is given (from `HUBERT_SECRET_KEY`, required on PostgreSQL), or, on SQLite
//! without one, read from a key file beside the database (`hubert.db` → `hubert.key`),
//! created with mode 0600 on first start. A key rotation on SQLite writes the next key
//! to `hubert.key.new` first and renames it over `hubert.key` only after the database
//! committed; [`crate::credentials`] finishes or discards such a leftover at start.
//! The database file, its `-wal` and `-shm`, and the key files are made 0600.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::credentials::SecretError;
use crate::crypto::{KeyId, SecretKey};

/// The key the store seals and opens with (swapped in place after a rotation).
pub(crate) struct Keyring {
    current: RwLock<SecretKey>,
    /// The key file the key came from, if it came from one.
    file: Option<PathBuf>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("key", &self.id())
            .field("file", &self.file)
            .finish()
    }
}

impl Keyring {
    /// A key given by the operator (`HUBERT_SECRET_KEY`).
    pub fn given(key: SecretKey) -> Self {
        Self {
            current: RwLock::new(key),
            file: None,
        }
    }

    /// The key file of the SQLite database at `db_path`, created on first use.
    pub fn key_file_beside(db_path: &Path) -> Result<Self, SecretError> {
        let file = key_file_for(db_path);
        let key = load_or_create(&file)?;
        Ok(Self {
            current: RwLock::new(key),
            file: Some(file),
        })
    }

    pub fn key(&self) -> SecretKey {
        self.current.read().expect("keyring lock").clone()
    }

    pub fn id(&self) -> KeyId {
        self.current.read().expect("keyring lock").id()
    }

    pub fn replace(&self, key: SecretKey) {
        *self.current.write().expect("keyring lock") = key;
    }

    /// The key file in use, if the key came from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Where a rotation parks the next key until the database committed.
    pub fn pending_file(&self) -> Option<PathBuf> {
        self.file.as_deref().map(pending_file_for)
    }
}

/// `hubert.db` → `hubert.key`: one key file per database, so rotating one database never
/// touches another kept in the same directory.
pub fn key_file_for(db_path: &Path) -> PathBuf {
    db_path.with_extension("key")
}

fn pending_file_for(key_file: &Path) -> PathBuf {
    let mut name = key_file.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    key_file.with_file_name(name)
}

fn key_file_error(path: &Path, error: impl std::fmt::Display) -> SecretError {
    SecretError::KeyFile {
        path: path.display().to_string(),
        error: error.to_string(),
    }
}

/// Reads the key file (making it 0600), or creates it with a fresh key.
fn load_or_create(path: &Path) -> Result<SecretKey, SecretError> {
    if !path.exists() {
        let key = SecretKey::generate();
        if create_new(path, &key).map_err(|e| key_file_error(path, e))? {
            tracing::info!(file = %path.display(), key = %key.id(), "created a new secret key file");
            return Ok(key);
        }
        // Another process created it first: use theirs.
    }
    read_key_file(path)
}

/// Reads a key file, making it 0600 on the way.
pub(crate) fn read_key_file(path: &Path) -> Result<SecretKey, SecretError> {
    make_private(path).map_err(|e| key_file_error(path, e))?;
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| key_file_error(path, e))?);
    SecretKey::from_base64(&text).map_err(|e| key_file_error(path, e))
}

/// Writes `key` to a private temporary file beside `path` and fsyncs it.
fn write_temp(path: &Path, key: &SecretKey) -> std::io::Result<PathBuf> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", hubert_core::new_id()));
    let temp = path.with_file_name(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp)?;
    let written = file
        .write_all(format!("{}\n", key.to_base64().as_str()).as_bytes())
        .and_then(|_| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(temp)
}

/// Creates `path` holding `key` unless it exists (no partial file is ever visible:
/// written aside, then hard-linked into place). Returns whether it created it.
fn create_new(path: &Path, key: &SecretKey) -> std::io::Result<bool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let temp = write_temp(path, key)?;
    let linked = std::fs::hard_link(&temp, path);
    std::fs::remove_file(&temp)?;
    match linked {
        Ok(()) => {
            sync_dir(path);
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes the next key to `pending` (replacing any leftover), durably.
pub(crate) fn write_pending(pending: &Path, key: &SecretKey) -> Result<(), SecretError> {
    let temp = write_temp(pending, key).map_err(|e| key_file_error(pending, e))?;
    std::fs::rename(&temp, pending).map_err(|e| key_file_error(pending, e))?;
    sync_dir(pending);
    Ok(())
}

/// Moves the pending key over the key file (atomic rename), durably.
pub(crate) fn promote(pending: &Path, file: &Path) -> Result<(), SecretError> {
    std::fs::rename(pending, file).map_err(|e| key_file_error(file, e))?;
    sync_dir(file);
    Ok(())
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Creates `dir` (and its parents) readable by the owner only; an existing directory is
/// left as it is.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Mode 0600 for `path` if it exists.
pub(crate) fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o777 != 0o600 => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates an empty database file with mode 0600 if there is none (SQLite treats an empty
/// file as an empty database and gives its `-wal` and `-shm` the same mode), then makes the
/// database, its `-wal` and `-shm` 0600 in case an older version left them readable.
pub(crate) fn private_database_files(db_path: &Path) -> std::io::Result<()> {
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(db_path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db_path.as_os_str().to_os_string();
        name.push(suffix);
        make_private(Path::new(&name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_key_file_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data").join("hubert.db");
        let first = Keyring::key_file_beside(&db).unwrap();
        let file = dir.path().join("data").join("hubert.key");
        assert_eq!(first.file(), Some(file.as_path()));
        #[cfg(unix)]
        assert_eq!(mode(&file), 0o600);
        let again = Keyring::key_file_beside(&db).unwrap();
        assert_eq!(again.id(), first.id());
        assert_eq!(
            first.pending_file().unwrap(),
            dir.path().join("data").join("hubert.key.new")
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("data")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
    }

    #[cfg(unix)]
    #[test]
    fn readable_files_left_by_an_older_version_become_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("old.db");
        for name in ["old.db", "old.db-wal", "old.key"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
            std::fs::set_permissions(dir.path().join(name), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        std::fs::write(dir.path().join("old.key"), SecretKey::generate().to_base64().as_bytes()).unwrap();
        private_database_files(&db).unwrap();
        Keyring::key_file_beside(&db).unwrap();
        for name in ["old.db", "old.db-wal", "old.key"] {
            assert_eq!(mode(&dir.path().join(name)), 0o600, "{name}");
        }
    }

    #[test]
    fn a_damaged_key_file_is_an_error_that_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hubert.db");
        std::fs::write(dir.path().join("hubert.key"), "too short").unwrap();
        let err = Keyring::key_file_beside(&db).unwrap_err().to_string();
        assert!(err.contains("hubert.key"), "{err}");
    }
}
