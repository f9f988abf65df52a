//! The ReqIF and CSV readers against hostile input (issue 5's fuzz target, as property tests that run on
//! stable Rust): arbitrary bytes, and a valid document truncated, cut and spliced at random
//! places. The reader must answer (a model with warnings, or an error that says what and
//! where) without panicking, and whatever it accepts must write back to the same model.
//!
//! CI runs the default 256 cases of each property; for a longer run by hand (or the
//! coverage-guided targets of `fuzz/`, see its README.md):
//!
//!     PROPTEST_CASES=200000 cargo test --release -p accord-interchange --test fuzz

use accord_interchange::reqif::{self, zip};
use accord_interchange::{csv_in, csv_out};
use proptest::prelude::*;

const SMALL: &str = include_str!("data/small.reqif");

/// Whatever is read writes back to a document that reads as the same model.
fn check(bytes: &[u8]) {
    if let Ok(r) = reqif::read(bytes) {
        let again = reqif::read(reqif::write(&r.reqif).as_bytes())
            .expect("what was read writes back to something readable");
        assert_eq!(again.reqif, r.reqif);
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        check(&bytes);
        let _ = zip::unpack(&bytes, 1 << 20);
    }

    #[test]
    fn a_document_cut_short_never_panics(cut in 0..SMALL.len()) {
        check(&SMALL.as_bytes()[..cut]);
    }

    #[test]
    fn a_document_with_something_spliced_in_never_panics(
        at in 0..SMALL.len(),
        drop in 0usize..16,
        insert in "[<>/&;\"'=a-zA-Z0-9 :#-]{0,12}",
    ) {
        let bytes = SMALL.as_bytes();
        let end = (at + drop).min(bytes.len());
        let mut doc = bytes[..at].to_vec();
        doc.extend_from_slice(insert.as_bytes());
        doc.extend_from_slice(&bytes[end..]);
        check(&doc);
    }

    #[test]
    fn a_zip_with_random_members_never_panics(
        name in "[a-z]{1,8}\\.(reqif|bin)",
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let packed = zip::pack(&name, &body, &[]).unwrap();
        if let Ok(a) = zip::unpack(&packed, 1 << 20) {
            for (_, d) in a.documents {
                check(&d);
            }
        }
    }

    #[test]
    fn csv_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = csv_in::read(&bytes);
    }

    #[test]
    fn csv_text_never_panics(text in "[a-z;,\"'=\r\n\u{feff} ]{0,200}") {
        let _ = csv_in::read(text.as_bytes());
    }

    #[test]
    fn what_csv_out_writes_csv_in_reads_back_as_it_was(
        rows in proptest::collection::vec(proptest::collection::vec("[a-z'=+@;,\"\n -]{0,12}", 3), 1..20),
    ) {
        // Rows with a cell in them (blank rows are skipped on reading).
        let rows: Vec<Vec<String>> = rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
        let table = csv_in::read(&csv_out::write(&["a", "b", "c"], &rows)).unwrap();
        let back: Vec<Vec<String>> = table.rows.into_iter().map(|(_, r)| r).collect();
        prop_assert_eq!(back, rows);
    }
}
