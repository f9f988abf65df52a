//! CSV as spreadsheets write it, read for an import: UTF-8 with or without a byte order mark,
//! comma or semicolon separated (Excel in much of Europe writes `;`), quoted cells with line
//! breaks. Cells Accord's export defused against formula injection (`'=…`) come back as they were.

use std::fmt;

/// A CSV file as a header and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    /// Each row with its line number in the file (1 is the header).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Why a file could not be read, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvError {
    pub line: u64,
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for CsvError {}

/// At most this many rows are taken from one file.
pub const MAX_ROWS: usize = 200_000;

/// The separator a file uses, `,` or `;`: the one that reads the header line into more than
/// one column and more of the next rows (up to a hundred) into as many cells as the header has
/// columns; on a tie, the one that makes more columns, then `,` (a file of one column is read
/// with `,`, as Accord writes it). Counting the separators on the first line alone would take
/// `;` in a quoted column name, or `,` in a column name of a file Excel wrote with `;`
/// (`Priority, MoSCoW;Title`), for the separator.
fn separator(text: &str) -> u8 {
    let score = |sep: u8| {
        let mut r = csv::ReaderBuilder::new()
            .delimiter(sep)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut records = r.records();
        let Some(Ok(header)) = records.next() else {
            return (false, 0, 0);
        };
        let columns = header.len();
        if columns < 2 {
            return (false, 0, 0);
        }
        let fitting = records
            .take(100)
            .map_while(Result::ok)
            .filter(|r| r.len() == columns)
            .count();
        (true, fitting, columns)
    };
    if score(b';') > score(b',') {
        b';'
    } else {
        b','
    }
}

/// A cell as it was before Accord's export defused it.
fn undefuse(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// Reads a CSV file.
pub fn read(bytes: &[u8]) -> Result<Table, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        CsvError {
            line,
            message: "not UTF-8 text: save the sheet as \"CSV UTF-8\"".into(),
        }
    })?;
    let sep = separator(text);
    let mut r = csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .map_err(|e| CsvError {
            line: 1,
            message: e.to_string(),
        })?
        .iter()
        // A byte order mark after a blank line (the reader drops one only at the very start)
        // is not part of the first column's name.
        .map(|h| {
            h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .to_string()
        })
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(CsvError {
            line: 1,
            message: "the first line names no columns".into(),
        });
    }
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    // Lines counted from byte offsets (the reader's own count misses CRLF line ends).
    let (mut counted_to, mut lines) = (0usize, 1u64);
    let mut last_start = 0usize;
    loop {
        let mut start = (r.position().byte() as usize).min(text.len());
        // The reader stops at a CR and takes its LF with the next record: a record starts
        // after the line breaks.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        lines += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = start;
        // Where the next record starts: its line, for messages.
        let line = lines;
        let more = r.read_record(&mut rec).map_err(|e| CsvError {
            line: e.position().map_or(line, |p| p.line()),
            message: e.to_string(),
        })?;
        if !more {
            break;
        }
        last_start = start;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(CsvError {
                line,
                message: format!("more than {MAX_ROWS} rows: split the file"),
            });
        }
        rows.push((line, rec.iter().map(undefuse).collect()));
    }
    // A cell whose opening quote is never closed runs to the end of the file, taking every
    // row after it into itself: the reader accepts that without a word, so it is refused here.
    if let Some(at) = unclosed_quote(&text.as_bytes()[last_start..], sep) {
        let at = last_start + at;
        let line = 1 + text.as_bytes()[..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        return Err(CsvError {
            line,
            message: "a quoted cell starts here and its closing quote is missing: every line \
                      after it would be read into that one cell"
                .into(),
        });
    }
    Ok(Table { headers, rows })
}

/// Where the cell is whose opening quote `record` (the text of the last record read, to the
/// end of the file) never closes, read as the CSV reader does: a quote opens a cell only as its
/// first character, and a doubled quote inside stands for one.
fn unclosed_quote(record: &[u8], sep: u8) -> Option<usize> {
    let mut opened = None;
    let mut cell_starts = true;
    let mut i = 0;
    while i < record.len() {
        let b = record[i];
        if opened.is_some() {
            if b == b'"' {
                if record.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                opened = None;
            }
        } else if cell_starts && b == b'"' {
            opened = Some(i);
        }
        cell_starts = opened.is_none() && (b == sep || matches!(b, b'\r' | b'\n'));
        i += 1;
    }
    opened
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_our_export_writes_reads_back_as_it_was() {
        let rows = vec![vec![
            "REQ-0001".to_string(),
            "=SUM(A1)".to_string(),
            "two\nlines, with \"quotes\"".to_string(),
        ]];
        let bytes = crate::csv_out::write(&["key", "title", "statement"], &rows);
        let t = read(&bytes).unwrap();
        assert_eq!(t.headers, ["key", "title", "statement"]);
        assert_eq!(t.rows, vec![(2, rows[0].clone())]);
    }

    #[test]
    fn semicolons_blank_lines_and_bad_bytes() {
        let t = read("Titel;Beschreibung\nA;B\n;\nC;D\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["Titel", "Beschreibung"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1], (4, vec!["C".to_string(), "D".to_string()]));
        let e = read(b"title\nok\n\xff\xfe\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(read(b"").is_err());
    }

    #[test]
    fn the_separator_is_the_one_the_rows_fit() {
        // A column name with a comma in a file Excel wrote with semicolons.
        let t = read("Priority, MoSCoW;Title, short;Text\nMust;A;x, y\nShould;B;z\n".as_bytes())
            .unwrap();
        assert_eq!(t.headers, ["Priority, MoSCoW", "Title, short", "Text"]);
        assert_eq!(t.rows[0].1, ["Must", "A", "x, y"]);
        // A quoted column name with semicolons in a file written with commas.
        let t = read(b"\"Notes; a; b\",title\nn,A\n").unwrap();
        assert_eq!(t.headers, ["Notes; a; b", "title"]);
        assert_eq!(t.rows[0].1, ["n", "A"]);
        // Cells with the other separator in them, and one column alone.
        let t = read(b"title,statement\nA,do x; then y\nB,z\n").unwrap();
        assert_eq!(t.rows[0].1, ["A", "do x; then y"]);
        let t = read(b"Titel;Text\nA;x, y, z\n").unwrap();
        assert_eq!(t.rows[0].1, ["A", "x, y, z"]);
        let t = read(b"title\nA, B\n").unwrap();
        assert_eq!(t.rows[0].1, ["A", " B"]);
    }

    #[test]
    fn a_second_byte_order_mark_is_not_part_of_a_column_name() {
        let t = read("\u{feff}\u{feff}title,statement\nA,B\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["title", "statement"]);
        let t = read("\n\u{feff}title,statement\nA,B\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["title", "statement"]);
    }

    #[test]
    fn a_quote_that_is_never_closed_is_refused_where_it_opens() {
        let e =
            read(b"title,statement\r\nA,\"The first\r\nB,The second\r\nC,third\r\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("closing quote is missing"), "{e}");
        // Across lines, after doubled quotes, on a line of its own, with `;`.
        let e = read("t;s\nA;\"x \"\"y\"\" z\nstill x\"\nB;\"open\nC;D\n".as_bytes()).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        let e = read(b"title\n\"").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        // Closed quotes, quotes inside a cell that did not open with one, a quoted last cell
        // without a line end: read as they are.
        let t = read(b"title,statement\nA,\"two\nlines, \"\"quoted\"\"\"\nB,5\" screen\nC,\"end\"")
            .unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].1[1], "two\nlines, \"quoted\"");
        assert_eq!(t.rows[1].1[1], "5\" screen");
        assert_eq!(t.rows[2].1[1], "end");
    }
}
