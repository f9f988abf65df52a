//! Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200): what a signature means, and
//! the hash that binds it to the exact content signed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The meaning of a signature (§11.50(a)(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    Authored,
    Reviewed,
    Approved,
    Rejected,
}

impl Meaning {
    pub const ALL: [Meaning; 4] = [
        Meaning::Authored,
        Meaning::Reviewed,
        Meaning::Approved,
        Meaning::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Meaning::Authored => "authored",
            Meaning::Reviewed => "reviewed",
            Meaning::Approved => "approved",
            Meaning::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Meaning::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// SHA-256 of a record's canonical content, hex. A signature stores the hash of what was
/// signed; it covers the record only while the record still hashes the same (§11.70).
pub fn content_hash(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meanings_and_hashes() {
        for m in Meaning::ALL {
            assert_eq!(Meaning::parse(m.as_str()), Some(m));
        }
        assert_eq!(Meaning::parse("liked"), None);
        assert_eq!(content_hash("a"), content_hash("a"));
        assert_ne!(content_hash("a"), content_hash("b"));
        assert_eq!(content_hash("").len(), 64);
    }
}
