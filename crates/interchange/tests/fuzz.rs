//! The ReqIF reader against hostile input (issue 5's fuzz target, as property tests that run on
//! stable Rust): arbitrary bytes, and a valid document truncated, cut and spliced at random
//! places. The reader must answer (a model with warnings, or an error that says what and
//! where) without panicking, and whatever it accepts must write back to the same model.
//!
//! CI runs the default 256 cases of each property; for a longer run by hand:
//!
//!     PROPTEST_CASES=200000 cargo test --release -p accord-interchange --test fuzz

use accord_interchange::reqif::{self, zip};
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
}
