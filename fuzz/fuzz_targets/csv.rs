//! The CSV reader on any bytes. It must answer without panicking, and what it reads, written
//! back by `csv_out`, reads as the same cells when none has a `;` in it (`csv_out` writes `,`;
//! a file of `a;b` lines with no `,` is a file written with `;`, whoever wrote it).
#![no_main]

use accord_interchange::{csv_in, csv_out};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = csv_in::read(data) else {
        return;
    };
    let cells = table
        .headers
        .iter()
        .chain(table.rows.iter().flat_map(|(_, r)| r));
    if cells.into_iter().any(|c| c.contains(';')) {
        return;
    }
    let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = table.rows.iter().map(|(_, r)| r.clone()).collect();
    let again = csv_in::read(&csv_out::write(&headers, &rows))
        .unwrap_or_else(|e| panic!("what was read writes back to what does not read: {e}"));
    let back: Vec<Vec<String>> = again.rows.into_iter().map(|(_, r)| r).collect();
    assert_eq!(again.headers, table.headers);
    assert_eq!(back, rows);
});
