//! The audit key file: 32 random bytes, hex, mode 0600, kept outside the database.

use accord_domain::audit::AuditKey;
use accord_store::Store;
use anyhow::{bail, Context, Result};
use rand::RngCore;
use std::io::Write;
use std::path::Path;

/// Reads the key, or creates it when the file is missing and the database has no audit events
/// yet. A database with events and no key is refused: a new key would make its trail unverifiable.
pub async fn load_or_create(path: &Path, store: &Store) -> Result<AuditKey> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the audit key {}", path.display()))?;
        let bytes = hex::decode(text.trim())
            .with_context(|| format!("the audit key {} is not hex", path.display()))?;
        return AuditKey::new(&bytes)
            .map_err(|e| anyhow::anyhow!("the audit key {}: {e}", path.display()));
    }
    let mut tx = store.read().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let events = accord_store::audit::count_all(&mut tx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(tx);
    if events > 0 {
        bail!(
            "the audit key {} is missing but {} already holds {events} audit events; give the key that signed them with --audit-key-file",
            path.display(),
            store.url()
        );
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot create the audit key {}", path.display()))?;
    f.write_all(hex::encode(secret).as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    eprintln!(
        "created the audit key {} (keep it safe and outside the database's backups)",
        path.display()
    );
    AuditKey::new(&secret).map_err(|e| anyhow::anyhow!("{e}"))
}
