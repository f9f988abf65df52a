//! Files uploaded for a preview, held until the user confirms (or leaves): a re-import or a CSV
//! import is shown before it is written, and confirming should not mean choosing the file again.
//! Held in memory, per user and by the file's SHA-256, for half an hour, within a byte budget;
//! the oldest go first. A restarted server has none: the user uploads again.

use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

const KEEP: Duration = Duration::from_secs(30 * 60);
const MAX_FILES: usize = 16;

struct Held {
    user: Uuid,
    sha256: String,
    at: Instant,
    bytes: Vec<u8>,
}

pub struct Uploads {
    budget: usize,
    held: Mutex<Vec<Held>>,
}

impl Uploads {
    /// Holds at most `budget` bytes in all.
    pub fn new(budget: usize) -> Self {
        Uploads {
            budget,
            held: Mutex::new(Vec::new()),
        }
    }

    /// Holds a user's file under its SHA-256 (lowercase hex).
    pub fn hold(&self, user: Uuid, sha256: &str, bytes: Vec<u8>) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.retain(|h| h.at.elapsed() < KEEP && !(h.user == user && h.sha256 == sha256));
        held.push(Held {
            user,
            sha256: sha256.to_string(),
            at: Instant::now(),
            bytes,
        });
        while held.len() > MAX_FILES
            || (held.len() > 1 && held.iter().map(|h| h.bytes.len()).sum::<usize>() > self.budget)
        {
            held.remove(0);
        }
    }

    /// The user's file with that SHA-256, taken out (a confirmation uses it once).
    pub fn take(&self, user: Uuid, sha256: &str) -> Option<Vec<u8>> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        held.retain(|h| h.at.elapsed() < KEEP);
        let i = held
            .iter()
            .position(|h| h.user == user && h.sha256.eq_ignore_ascii_case(sha256))?;
        Some(held.remove(i).bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::Uploads;
    use uuid::Uuid;

    #[test]
    fn a_file_is_held_for_its_user_once_within_the_budget() {
        let u = Uploads::new(10);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        u.hold(a, "aa", vec![1; 6]);
        assert_eq!(u.take(b, "aa"), None, "another user's file is not theirs");
        assert_eq!(u.take(a, "AA"), Some(vec![1; 6]));
        assert_eq!(u.take(a, "aa"), None, "taken once");
        u.hold(a, "x", vec![0; 6]);
        u.hold(a, "y", vec![0; 6]);
        assert_eq!(
            u.take(a, "x"),
            None,
            "the oldest went to keep within the budget"
        );
        assert!(u.take(a, "y").is_some());
    }
}
