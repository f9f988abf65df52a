//! Files uploaded for a preview, held until the user confirms (or leaves): a re-import or a CSV
//! import is shown before it is written, and confirming should not mean choosing the file again.
//! Held in memory, per user and by the file's SHA-256, for half an hour, within a byte budget;
//! the oldest go first. One user holds at most four files and half the budget, their own oldest
//! going first, so one busy user cannot push everybody else's files out. A restarted server has
//! none: the user uploads again.

use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

const KEEP: Duration = Duration::from_secs(30 * 60);
const MAX_FILES: usize = 16;
const MAX_PER_USER: usize = 4;

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
        // The user's own share first: four files and half the budget (the pages hold files
        // within the import limit, which is half the budget, so a user's newest always fits).
        loop {
            let mine: Vec<usize> = (0..held.len()).filter(|i| held[*i].user == user).collect();
            let bytes: usize = mine.iter().map(|i| held[*i].bytes.len()).sum();
            if mine.len() > MAX_PER_USER || (!mine.is_empty() && bytes > self.budget / 2) {
                held.remove(mine[0]);
            } else {
                break;
            }
        }
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
        let u = Uploads::new(12);
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
            "the oldest went to keep within the user's share of the budget"
        );
        assert!(u.take(a, "y").is_some());
    }

    #[test]
    fn one_user_cannot_push_out_everybody_elses_files() {
        let u = Uploads::new(20);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        u.hold(b, "b", vec![0; 3]);
        for i in 0..10 {
            u.hold(a, &format!("a{i}"), vec![0; 2]);
        }
        assert_eq!(
            u.take(b, "b"),
            Some(vec![0; 3]),
            "b's file outlived a's ten"
        );
        assert_eq!(
            u.take(a, "a5"),
            None,
            "a holds four at most: the oldest went"
        );
        assert!(u.take(a, "a6").is_some() && u.take(a, "a9").is_some());
        // Half the budget each: a's large files push out a's own, not b's.
        u.hold(b, "b2", vec![0; 8]);
        u.hold(a, "big1", vec![0; 8]);
        u.hold(a, "big2", vec![0; 8]);
        assert_eq!(u.take(a, "big1"), None);
        assert!(u.take(b, "b2").is_some());
        assert!(u.take(a, "big2").is_some());
    }
}
