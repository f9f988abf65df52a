//! The audit key file: 32 random bytes, hex, mode 0600, kept outside the database.

use accord_domain::audit::AuditKey;
use accord_store::Store;
use anyhow::{bail, Context, Result};
use rand::RngCore;
use std::io::Write;
use std::path::Path;

fn store_err(e: accord_store::StoreError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Reads the key file.
pub fn read(path: &Path) -> Result<AuditKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the audit key {}", path.display()))?;
    let bytes = hex::decode(text.trim())
        .with_context(|| format!("the audit key {} is not hex", path.display()))?;
    AuditKey::new(&bytes).map_err(|e| anyhow::anyhow!("the audit key {}: {e}", path.display()))
}

/// Reads the key, or creates it when the file is missing and the database has no audit events
/// yet. A database with events and no key is refused: a new key would make its trail unverifiable.
pub async fn load_or_create(path: &Path, store: &Store) -> Result<AuditKey> {
    if path.exists() {
        return read(path);
    }
    let mut tx = store.read().await.map_err(store_err)?;
    let events = accord_store::audit::count_all(&mut tx)
        .await
        .map_err(store_err)?;
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

/// Refuses a key that did not sign this database's trail: writing on with it would append
/// events that no verification can link to the ones before. Checks the first and the last
/// event of the first chain; both failing means another key (or a trail altered at both ends,
/// which `accord audit verify` with the right key shows).
pub async fn check_signs(path: &Path, key: &AuditKey, store: &Store) -> Result<()> {
    let mut tx = store.read().await.map_err(store_err)?;
    let heads = accord_store::audit::heads(&mut tx, None)
        .await
        .map_err(store_err)?;
    let Some(head) = heads.into_iter().find(|h| h.head_seq > 0) else {
        return Ok(());
    };
    let first = accord_store::audit::list(&mut tx, head.chain_id, 0, 1)
        .await
        .map_err(store_err)?;
    let last = accord_store::audit::list(&mut tx, head.chain_id, head.head_seq - 1, 1)
        .await
        .map_err(store_err)?;
    let signed = |ev: &accord_store::audit::Event| {
        let mut prev = [0u8; 32];
        hex::decode_to_slice(&ev.prev_hash, &mut prev).is_ok()
            && hex::encode(key.link(&prev, &ev.fields())) == ev.hash
    };
    if first.iter().chain(last.iter()).any(signed) {
        return Ok(());
    }
    bail!(
        "the audit key {} did not sign the audit trail of {}; give the right key with --audit-key-file (accord audit verify with it shows whether the trail itself was altered)",
        path.display(),
        store.url()
    )
}
