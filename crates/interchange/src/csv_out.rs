//! CSV as Excel opens it: UTF-8 with a byte order mark, every cell quoted when it needs to be,
//! and cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
//! return first) prefixed with `'` (OWASP's defence against CSV injection).

/// A CSV document from a header and rows.
pub fn write(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * (rows.len() + 1));
    out.extend_from_slice("\u{feff}".as_bytes());
    // Flexible: a row of another length than the header is written as it is (the writer would
    // otherwise end the line before it without its line break, running rows together).
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(out);
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r.iter().map(|c| defuse(c)));
    }
    w.into_inner().unwrap_or_default()
}

/// A cell a spreadsheet will not take for a formula (a cell that starts with `'` gets one more,
/// so that reading it back gives it as it was).
pub fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_row_longer_or_shorter_than_the_header_is_written_whole() {
        let rows = vec![
            vec!["REQ-0001;A;B".to_string()],
            vec!["1".into(), "2".into(), "3".into(), "4".into()],
            vec!["x".into(), "y".into()],
        ];
        let bytes = super::write(&["key", "title", "statement"], &rows);
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "key,title,statement\r\nREQ-0001;A;B\r\n1,2,3,4\r\nx,y\r\n"
        );
        let back = crate::csv_in::read(text.as_bytes()).unwrap();
        let back: Vec<Vec<String>> = back.rows.into_iter().map(|(_, r)| r).collect();
        assert_eq!(back, rows);
    }

    #[test]
    fn excel_reads_it_and_runs_no_formula() {
        let bytes = super::write(
            &["key", "title"],
            &[
                vec!["REQ-0001".into(), "=HYPERLINK(\"http://x\")".into()],
                vec!["REQ-0002".into(), "Stabilität, \"quoted\"\nline".into()],
            ],
        );
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "key,title\r\nREQ-0001,\"'=HYPERLINK(\"\"http://x\"\")\"\r\nREQ-0002,\"Stabilität, \"\"quoted\"\"\nline\"\r\n"
        );
    }
}
