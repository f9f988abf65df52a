//! The audit trail's tamper evidence: the canonical form of an event, the keyed link between
//! events, and the verification of a chain.
//!
//! Every mutation appends one event to a chain (one chain per engagement, one per organisation).
//! Each event's `hash` is HMAC-SHA256, under a key kept outside the database, over the previous
//! event's hash and the event's canonical bytes. Changing, deleting, inserting or reordering a
//! row breaks a link; recomputing the whole chain needs the key; cutting rows off the end and
//! rewriting the chain head is caught by a checkpoint exported earlier.

use ring::hmac;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The hash that stands before the first event of every chain.
pub const GENESIS: [u8; 32] = [0; 32];

/// Format version mixed into every link, so a future canonical form cannot collide with this one.
const DOMAIN_TAG: &[u8] = b"accord-audit-v1";
const CHECKPOINT_TAG: &[u8] = b"accord-checkpoint-v1";

/// The secret that keys the chain. The key holds the MAC's prepared inner and outer states, so
/// each event starts from them instead of re-deriving the padded key. ring's SHA-256 rather
/// than the `sha2` crate's: on a processor without the SHA extensions (the machine the
/// benchmarks ran on) the audit bench's HMAC links went from 0.35 to 0.40 million per second to 0.67
/// million, and hashing is most of verifying the trail.
#[derive(Clone)]
pub struct AuditKey {
    key: hmac::Key,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

impl AuditKey {
    /// A key from at least 32 bytes of secret material.
    pub fn new(secret: &[u8]) -> Result<Self, crate::DomainError> {
        if secret.len() < 32 {
            return Err(crate::DomainError::invalid(
                "audit_key",
                "must be at least 32 bytes",
            ));
        }
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        })
    }

    /// The link hash of an event: HMAC(key, tag ‖ prev ‖ canonical(event)).
    pub fn link(&self, prev: &[u8; 32], ev: &EventFields<'_>) -> [u8; 32] {
        let mut mac = hmac::Context::with_key(&self.key);
        mac.update(DOMAIN_TAG);
        mac.update(prev);
        ev.feed(&mut mac);
        let mut out = [0u8; 32];
        out.copy_from_slice(mac.sign().as_ref());
        out
    }

    /// What a checkpoint's signature covers: the tag, the time, and each head in order.
    fn heads_message(created_at_us: i64, heads: &[ChainHead]) -> Vec<u8> {
        let mut m = Vec::with_capacity(CHECKPOINT_TAG.len() + 8 + heads.len() * 88);
        m.extend_from_slice(CHECKPOINT_TAG);
        m.extend_from_slice(&created_at_us.to_be_bytes());
        for h in heads {
            m.extend_from_slice(h.chain_id.as_bytes());
            m.extend_from_slice(&h.seq.to_be_bytes());
            m.extend_from_slice(h.hash.as_bytes());
        }
        m
    }

    fn sign_heads(&self, created_at_us: i64, heads: &[ChainHead]) -> String {
        let m = Self::heads_message(created_at_us, heads);
        hex::encode(hmac::sign(&self.key, &m).as_ref())
    }

    /// True when `signature` (hex) signs the heads, compared in constant time: how much of a
    /// forged signature matches tells nothing about the right one.
    fn heads_signed(&self, created_at_us: i64, heads: &[ChainHead], signature: &str) -> bool {
        let Ok(tag) = hex::decode(signature) else {
            return false;
        };
        let m = Self::heads_message(created_at_us, heads);
        hmac::verify(&self.key, &m, &tag).is_ok()
    }
}

/// The fields of an event that the link covers, borrowed from wherever they are stored.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    pub chain_id: Uuid,
    pub seq: i64,
    /// Microseconds since the Unix epoch, UTC; stored as this integer so that what is hashed is
    /// exactly what is stored on either backend.
    pub at_us: i64,
    pub actor_id: Option<Uuid>,
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: Option<Uuid>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    pub reason: Option<&'a str>,
}

impl EventFields<'_> {
    /// Canonical serialisation: fixed-width integers and length-prefixed strings, `None`
    /// distinct from an empty string. Unambiguous, so two different events never feed the
    /// MAC the same bytes.
    fn feed(&self, mac: &mut hmac::Context) {
        // The pieces are small; gathering them before the MAC sees them saves a buffer
        // shuffle per piece. The byte stream is the same either way.
        let mut w = Gather {
            mac,
            buf: [0; 256],
            len: 0,
        };
        w.put(self.chain_id.as_bytes());
        w.put(&self.seq.to_be_bytes());
        w.put(&self.at_us.to_be_bytes());
        w.opt_uuid(self.actor_id);
        w.str_field(Some(self.action));
        w.str_field(Some(self.record_type));
        w.opt_uuid(self.record_id);
        w.str_field(self.before);
        w.str_field(self.after);
        w.str_field(self.reason);
        w.flush();
    }
}

struct Gather<'m> {
    mac: &'m mut hmac::Context,
    buf: [u8; 256],
    len: usize,
}

impl Gather<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > self.buf.len() {
            self.flush();
            if bytes.len() >= self.buf.len() {
                self.mac.update(bytes);
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn flush(&mut self) {
        self.mac.update(&self.buf[..self.len]);
        self.len = 0;
    }

    fn opt_uuid(&mut self, id: Option<Uuid>) {
        match id {
            None => self.put(&[0]),
            Some(id) => {
                self.put(&[1]);
                self.put(id.as_bytes());
            }
        }
    }

    fn str_field(&mut self, s: Option<&str>) {
        match s {
            None => self.put(&[0]),
            Some(s) => {
                self.put(&[1]);
                self.put(&(s.len() as u64).to_be_bytes());
                self.put(s.as_bytes());
            }
        }
    }
}

/// The head of a chain: its last sequence number and that event's hash (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub chain_id: Uuid,
    pub seq: i64,
    pub hash: String,
}

/// Signed chain heads, exported to a file kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub created_at_us: i64,
    pub heads: Vec<ChainHead>,
    /// HMAC-SHA256 over the heads, hex.
    pub signature: String,
}

impl Checkpoint {
    pub const FORMAT: &'static str = "accord-audit-checkpoint/1";

    pub fn new(key: &AuditKey, created_at_us: i64, mut heads: Vec<ChainHead>) -> Self {
        heads.sort_by_key(|h| h.chain_id);
        let signature = key.sign_heads(created_at_us, &heads);
        Self {
            format: Self::FORMAT.to_string(),
            created_at_us,
            heads,
            signature,
        }
    }

    /// True when the signature matches the heads under `key` (the file was not edited).
    pub fn is_authentic(&self, key: &AuditKey) -> bool {
        self.format == Self::FORMAT
            && key.heads_signed(self.created_at_us, &self.heads, &self.signature)
    }
}

/// Why a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum BreakKind {
    /// A sequence number is missing, repeated or out of order (a row deleted, inserted or
    /// reordered).
    Sequence { expected: i64, found: i64 },
    /// The stored previous-hash does not match the hash of the event before.
    PrevHash,
    /// The stored hash does not match the event's content (a row changed or forged).
    Hash,
    /// The chain ends before or after the head the database records.
    Head { head_seq: i64, last_seq: i64 },
    /// The chain does not contain the head an exported checkpoint recorded.
    Checkpoint { checkpoint_seq: i64 },
}

/// The first broken event found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broken {
    pub chain_id: Uuid,
    pub seq: i64,
    #[serde(flatten)]
    pub kind: BreakKind,
    pub message: String,
}

impl Broken {
    fn new(chain_id: Uuid, seq: i64, kind: BreakKind) -> Self {
        let message = match &kind {
            BreakKind::Sequence { expected, found } => format!(
                "event {expected} expected but event {found} found: an event was deleted, inserted or reordered"
            ),
            BreakKind::PrevHash => {
                format!("event {seq} does not link to the event before it")
            }
            BreakKind::Hash => format!("event {seq} was altered: its content does not match its hash"),
            BreakKind::Head { head_seq, last_seq } => format!(
                "the chain head says {head_seq} events but the chain ends at {last_seq}"
            ),
            BreakKind::Checkpoint { checkpoint_seq } => format!(
                "the exported checkpoint recorded event {checkpoint_seq} with another hash, or it is missing"
            ),
        };
        Self {
            chain_id,
            seq,
            kind,
            message,
        }
    }
}

/// A stored event as the verifier reads it.
#[derive(Debug, Clone, Copy)]
pub struct StoredEvent<'a> {
    pub fields: EventFields<'a>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// Walks chains event by event (ordered by chain, then seq) and stops at the first break.
pub struct Verifier<'k> {
    key: &'k AuditKey,
    checkpoint: HashMap<Uuid, ChainHead>,
    chain: Option<Uuid>,
    next_seq: i64,
    prev: [u8; 32],
    /// `prev` as the lowercase hex the store holds, so links compare without decoding.
    prev_hex: [u8; 64],
    checkpoint_seen: bool,
    checked: u64,
}

/// Lowercase hex of a hash into a stack buffer.
fn hex32(h: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in h.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0x0f)];
    }
    out
}

impl<'k> Verifier<'k> {
    pub fn new(key: &'k AuditKey, checkpoint: Option<&Checkpoint>) -> Self {
        Self {
            key,
            checkpoint: checkpoint
                .map(|c| c.heads.iter().map(|h| (h.chain_id, h.clone())).collect())
                .unwrap_or_default(),
            chain: None,
            next_seq: 1,
            prev: GENESIS,
            prev_hex: hex32(&GENESIS),
            checkpoint_seen: false,
            checked: 0,
        }
    }

    /// Events checked so far.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Starts a new chain. Call [`Verifier::end_chain`] for the previous one first.
    pub fn start_chain(&mut self, chain_id: Uuid) {
        self.chain = Some(chain_id);
        self.next_seq = 1;
        self.prev = GENESIS;
        self.prev_hex = hex32(&GENESIS);
        self.checkpoint_seen = false;
    }

    /// Checks one event of the current chain.
    pub fn push(&mut self, ev: &StoredEvent<'_>) -> Result<(), Broken> {
        let f = &ev.fields;
        if self.chain != Some(f.chain_id) {
            self.start_chain(f.chain_id);
        }
        if f.seq != self.next_seq {
            return Err(Broken::new(
                f.chain_id,
                self.next_seq,
                BreakKind::Sequence {
                    expected: self.next_seq,
                    found: f.seq,
                },
            ));
        }
        // The store writes lowercase hex; anything else in these columns was edited.
        if ev.prev_hash.as_bytes() != self.prev_hex {
            return Err(Broken::new(f.chain_id, f.seq, BreakKind::PrevHash));
        }
        let h = self.key.link(&self.prev, f);
        let h_hex = hex32(&h);
        if ev.hash.as_bytes() != h_hex {
            return Err(Broken::new(f.chain_id, f.seq, BreakKind::Hash));
        }
        if let Some(cp) = self.checkpoint.get(&f.chain_id) {
            if cp.seq == f.seq {
                if !cp.hash.eq_ignore_ascii_case(ev.hash) {
                    return Err(Broken::new(
                        f.chain_id,
                        f.seq,
                        BreakKind::Checkpoint {
                            checkpoint_seq: cp.seq,
                        },
                    ));
                }
                self.checkpoint_seen = true;
            }
        }
        self.prev = h;
        self.prev_hex = h_hex;
        self.next_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Ends the chain `chain_id`, comparing where it ended with the head the database records
    /// (`None` when the head row is missing) and with the checkpoint.
    pub fn end_chain(&mut self, chain_id: Uuid, head: Option<(i64, &str)>) -> Result<(), Broken> {
        let last = if self.chain == Some(chain_id) {
            self.next_seq - 1
        } else {
            0
        };
        let last_hash = hex::encode(self.prev);
        let head_ok = match head {
            Some((seq, hash)) => {
                seq == last && (last == 0 || hash.eq_ignore_ascii_case(&last_hash))
            }
            None => last == 0,
        };
        if !head_ok {
            let head_seq = head.map(|h| h.0).unwrap_or(0);
            return Err(Broken::new(
                chain_id,
                last.min(head_seq) + 1,
                BreakKind::Head {
                    head_seq,
                    last_seq: last,
                },
            ));
        }
        if let Some(cp) = self.checkpoint.get(&chain_id) {
            let seen = self.chain == Some(chain_id) && self.checkpoint_seen;
            if !seen && cp.seq > 0 {
                return Err(Broken::new(
                    chain_id,
                    cp.seq.min(last + 1),
                    BreakKind::Checkpoint {
                        checkpoint_seq: cp.seq,
                    },
                ));
            }
        }
        Ok(())
    }

    /// Chains in the checkpoint that the database no longer has at all.
    pub fn missing_checkpoint_chains<'a>(
        &'a self,
        seen: &'a std::collections::HashSet<Uuid>,
    ) -> impl Iterator<Item = Broken> + 'a {
        self.checkpoint
            .values()
            .filter(|h| !seen.contains(&h.chain_id))
            .map(|h| {
                Broken::new(
                    h.chain_id,
                    1,
                    BreakKind::Checkpoint {
                        checkpoint_seq: h.seq,
                    },
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Owned {
        chain_id: Uuid,
        seq: i64,
        at_us: i64,
        action: String,
        after: Option<String>,
        prev: String,
        hash: String,
    }

    impl Owned {
        fn fields(&self) -> EventFields<'_> {
            EventFields {
                chain_id: self.chain_id,
                seq: self.seq,
                at_us: self.at_us,
                actor_id: None,
                action: &self.action,
                record_type: "engagement",
                record_id: None,
                before: None,
                after: self.after.as_deref(),
                reason: None,
            }
        }
        fn stored(&self) -> StoredEvent<'_> {
            StoredEvent {
                fields: self.fields(),
                prev_hash: &self.prev,
                hash: &self.hash,
            }
        }
    }

    fn key() -> AuditKey {
        AuditKey::new(&[7u8; 32]).unwrap()
    }

    fn chain(key: &AuditKey, n: i64) -> Vec<Owned> {
        let chain_id = Uuid::from_u128(1);
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let mut e = Owned {
                    chain_id,
                    seq,
                    at_us: 1_000 + seq,
                    action: "engagement.update".into(),
                    after: Some(format!("{{\"n\":{seq}}}")),
                    prev: hex::encode(prev),
                    hash: String::new(),
                };
                let h = key.link(&prev, &e.fields());
                e.hash = hex::encode(h);
                prev = h;
                e
            })
            .collect()
    }

    fn verify(
        key: &AuditKey,
        events: &[Owned],
        head: Option<(i64, &str)>,
        cp: Option<&Checkpoint>,
    ) -> Result<u64, Broken> {
        let mut v = Verifier::new(key, cp);
        v.start_chain(Uuid::from_u128(1));
        for e in events {
            v.push(&e.stored())?;
        }
        v.end_chain(Uuid::from_u128(1), head)?;
        Ok(v.checked())
    }

    #[test]
    fn intact_chain_verifies() {
        let k = key();
        let c = chain(&k, 5);
        let last = c.last().unwrap();
        assert_eq!(verify(&k, &c, Some((5, &last.hash.clone())), None), Ok(5));
    }

    #[test]
    fn changed_row_is_named() {
        let k = key();
        let mut c = chain(&k, 5);
        c[2].after = Some("{\"n\":99}".into());
        let head = c[4].hash.clone();
        let err = verify(&k, &c, Some((5, &head)), None).unwrap_err();
        assert_eq!((err.seq, err.kind), (3, BreakKind::Hash));
    }

    #[test]
    fn deleted_and_reordered_rows_are_named() {
        let k = key();
        let mut c = chain(&k, 5);
        let head = c[4].hash.clone();
        c.remove(1);
        let err = verify(&k, &c, Some((5, &head)), None).unwrap_err();
        assert_eq!(err.seq, 2);
        assert!(matches!(
            err.kind,
            BreakKind::Sequence {
                expected: 2,
                found: 3
            }
        ));

        let mut c = chain(&k, 5);
        c[1].seq = 3;
        c[2].seq = 2;
        c.swap(1, 2);
        let err = verify(&k, &c, Some((5, &head)), None).unwrap_err();
        assert_eq!(err.seq, 2);
    }

    #[test]
    fn recomputed_chain_without_the_key_fails() {
        let k = key();
        let forged = chain(&AuditKey::new(&[8u8; 32]).unwrap(), 3);
        let head = forged[2].hash.clone();
        let err = verify(&k, &forged, Some((3, &head)), None).unwrap_err();
        assert_eq!((err.seq, err.kind), (1, BreakKind::Hash));
    }

    #[test]
    fn truncation_with_head_rewrite_is_caught_by_checkpoint() {
        let k = key();
        let c = chain(&k, 5);
        let cp = Checkpoint::new(
            &k,
            0,
            vec![ChainHead {
                chain_id: Uuid::from_u128(1),
                seq: 5,
                hash: c[4].hash.clone(),
            }],
        );
        assert!(cp.is_authentic(&k));
        let cut = &c[..3];
        let head = cut[2].hash.clone();
        // Without the checkpoint the truncated chain with a rewritten head looks fine...
        assert_eq!(verify(&k, cut, Some((3, &head)), None), Ok(3));
        // ...with it, the missing head is named.
        let err = verify(&k, cut, Some((3, &head)), Some(&cp)).unwrap_err();
        assert!(matches!(
            err.kind,
            BreakKind::Checkpoint { checkpoint_seq: 5 }
        ));
        let mut tampered = cp.clone();
        tampered.heads[0].seq = 3;
        assert!(!tampered.is_authentic(&k));
        // A signature that is not hex, is cut short, or has one digit changed is refused.
        for bad in [
            "not hex".to_string(),
            cp.signature[..62].to_string(),
            format!(
                "{}{}",
                &cp.signature[..63],
                if cp.signature.ends_with('0') {
                    '1'
                } else {
                    '0'
                }
            ),
        ] {
            let mut forged = cp.clone();
            forged.signature = bad;
            assert!(!forged.is_authentic(&k), "{}", forged.signature);
        }
        // Another key's checkpoint of the same heads is refused.
        let other = Checkpoint::new(&AuditKey::new(&[8u8; 32]).unwrap(), 0, cp.heads.clone());
        assert!(!other.is_authentic(&k));
    }

    #[test]
    fn head_beyond_the_last_event_is_caught() {
        let k = key();
        let c = chain(&k, 5);
        let head = c[4].hash.clone();
        let err = verify(&k, &c[..4], Some((5, &head)), None).unwrap_err();
        assert!(matches!(
            err.kind,
            BreakKind::Head {
                head_seq: 5,
                last_seq: 4
            }
        ));
    }

    proptest::proptest! {
        #[test]
        fn any_single_byte_change_of_the_payload_is_detected(idx in 0usize..5, pos in 0usize..7, byte in 0u8..=255) {
            let k = key();
            let mut c = chain(&k, 5);
            let mut bytes = c[idx].after.clone().unwrap().into_bytes();
            let p = pos % bytes.len();
            proptest::prop_assume!(bytes[p] != byte);
            bytes[p] = byte;
            c[idx].after = Some(String::from_utf8_lossy(&bytes).into_owned());
            proptest::prop_assume!(c[idx].after.as_deref() != Some(&format!("{{\"n\":{}}}", idx + 1)));
            let head = c[4].hash.clone();
            let err = verify(&k, &c, Some((5, &head)), None).unwrap_err();
            proptest::prop_assert_eq!(err.seq, idx as i64 + 1);
        }
    }
}
