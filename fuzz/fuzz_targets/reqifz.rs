//! A `.reqifz` archive's unpacking on any bytes (sizes declared and real, names, nesting), then
//! each document in it read. Nothing may panic, and what unpacks stays within the limit given.
#![no_main]

use accord_interchange::reqif::{self, zip};
use libfuzzer_sys::fuzz_target;

const LIMIT: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    if let Ok(archive) = zip::unpack(data, LIMIT) {
        let total: u64 = archive
            .documents
            .iter()
            .map(|(_, d)| d.len() as u64)
            .chain(archive.attachments.iter().map(|a| a.bytes.len() as u64))
            .sum();
        assert!(
            total <= LIMIT,
            "{total} bytes unpacked past a limit of {LIMIT}"
        );
        for (_, document) in archive.documents {
            let _ = reqif::read(&document);
        }
    }
});
