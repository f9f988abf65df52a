//! A large `SPEC-OBJECTS` section is read in pieces on several cores. Whatever the document
//! (well-formed, with warnings, with a comment or CDATA that looks like a record's end, cut
//! or spliced at random), reading it in pieces must give exactly what reading it on one core
//! gives: the same model, the same warnings in the same order, the same error.

use accord_interchange::reqif::{self, Read, ReadError};
use proptest::prelude::*;

const SMALL: &str = include_str!("data/small.reqif");

/// On one core, and in pieces on `threads` cores whatever the section's size.
fn both(
    bytes: &[u8],
    threads: usize,
) -> (Result<Read, ReadError>, Result<(Read, usize), ReadError>) {
    let one = reqif::read_with(bytes, 1, usize::MAX).map(|(r, pieces)| {
        assert_eq!(pieces, 1);
        r
    });
    (one, reqif::read_with(bytes, threads, 1))
}

fn same(bytes: &[u8], threads: usize) -> usize {
    match both(bytes, threads) {
        (Ok(one), Ok((many, pieces))) => {
            assert_eq!(one, many);
            pieces
        }
        (Err(one), Err(many)) => {
            assert_eq!(one, many);
            1
        }
        (one, many) => panic!("one core: {one:?}\nin pieces: {many:?}"),
    }
}

/// SMALL with `n` spec objects, each followed by `between` (after the `i`th object's end).
fn many(n: usize, between: impl Fn(usize) -> String) -> String {
    let start = SMALL.find("<SPEC-OBJECT IDENTIFIER=\"o1\">").unwrap();
    let end = SMALL.find("</SPEC-OBJECT>").unwrap() + "</SPEC-OBJECT>".len();
    let object = &SMALL[start..end];
    let mut objects = String::new();
    for i in 1..=n {
        objects.push_str(&object.replace("\"o1\"", &format!("\"o{i}\"")));
        objects.push_str(&between(i));
        objects.push('\n');
    }
    format!("{}{}{}", &SMALL[..start], objects, &SMALL[end..])
}

#[test]
fn a_section_read_in_pieces_gives_the_same_model_and_warnings_in_the_same_order() {
    // Warnings in every piece: an unknown element in each object, one between objects, a
    // dangling type reference, an identifier with an entity in it.
    let doc = many(12, |i| {
        match i {
        5 => "<ODDITY/>".into(),
        7 => "<SPEC-OBJECT IDENTIFIER=\"a&amp;b\"><TYPE><SPEC-OBJECT-TYPE-REF>t-gone</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT>".into(),
        _ => String::new(),
    }
    })
    // The hierarchy, read on this core while the others read the objects, refers to the first
    // and the last.
    .replace(
        "</CHILDREN></SPECIFICATION>",
        "<SPEC-HIERARCHY IDENTIFIER=\"h-3\"><OBJECT><SPEC-OBJECT-REF>o12</SPEC-OBJECT-REF></OBJECT></SPEC-HIERARCHY></CHILDREN></SPECIFICATION>",
    );
    // More pieces than cores: each core takes the next piece when it is free.
    for threads in [2, 3, 5] {
        let pieces = same(doc.as_bytes(), threads);
        assert!(pieces > threads, "{threads} cores, {pieces} pieces");
    }
    let (r, _) = reqif::read_with(doc.as_bytes(), 3, 1).unwrap();
    assert_eq!(r.reqif.spec_objects.len(), 13);
    assert_eq!(r.reqif.spec_objects[7].id.identifier, "a&b");
    let said: Vec<String> = r.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        said.iter().filter(|w| w.contains("VENDOR-THING")).count(),
        12,
        "{said:#?}"
    );
    assert!(said.iter().any(|w| w.contains("ODDITY")), "{said:#?}");
    assert!(said.iter().any(|w| w.contains("t-gone")), "{said:#?}");
    let dangling: Vec<&String> = said
        .iter()
        .filter(|w| w.contains("not in the document"))
        .collect();
    assert_eq!(dangling.len(), 2, "t-gone and missing only: {dangling:#?}");
    assert!(dangling[1].contains("SPEC-HIERARCHY h-2"), "{dangling:#?}");
}

#[test]
fn what_only_looks_like_the_end_of_a_record_does_not_cut_the_section() {
    // After every object, a record's closing tag inside a comment and inside CDATA, with
    // `then` after each; and the number of pieces for 2 to 9 threads.
    let fakes = |then: &str| {
        let doc = many(10, |i| {
            format!(
                "<!-- {} </SPEC-OBJECT>{then} --><KEPT><![CDATA[</SPEC-OBJECT>{then}{i}]]></KEPT>",
                "x".repeat(300)
            )
        });
        let pieces: Vec<usize> = (2..10)
            .map(|threads| same(doc.as_bytes(), threads))
            .collect();
        (doc, pieces)
    };
    // A cut is made only where markup comes next: not before the ` -->` or `]]>` that follows
    // these, so every cut is clean.
    let (doc, pieces) = fakes("");
    assert!(pieces.iter().all(|p| *p > 1), "every cut clean: {pieces:?}");
    // Followed by what looks like markup, they are taken for records' ends: a cut there
    // leaves a piece unfinished, and the document is read on one core instead, with the same
    // result.
    let (_, pieces) = fakes("<x/>");
    assert!(
        pieces.contains(&1),
        "some cut fell in a comment: {pieces:?}"
    );
    let (r, _) = reqif::read_with(doc.as_bytes(), 4, 1).unwrap();
    assert_eq!(r.reqif.spec_objects.len(), 10);
    assert_eq!(r.reqif.extra.len(), 10, "each KEPT element is kept");
    // The section's own end tag in a comment inside it: the section's end is searched from
    // the back, so it is found where it is, and the section still reads in pieces.
    let doc = many(10, |_| "<!-- </SPEC-OBJECTS> -->".into());
    for threads in 2..6 {
        assert!(same(doc.as_bytes(), threads) > 1);
    }
    // One after the section: taken for its end, it gives a piece the real end tag, which
    // does not read on its own, and the document is read on one core.
    let doc = many(10, |_| String::new()).replace(
        "</SPECIFICATIONS>",
        "</SPECIFICATIONS><!-- </SPEC-OBJECTS> -->",
    );
    for threads in 2..6 {
        assert_eq!(same(doc.as_bytes(), threads), 1);
    }
}

#[test]
fn a_byte_order_mark_where_a_piece_starts_moves_nothing() {
    // U+FEFF between records is text, ignored; a reader starting on it must still count it.
    let doc = many(8, |_| "\u{feff}".into());
    let pieces: Vec<usize> = (2..5)
        .map(|threads| same(doc.as_bytes(), threads))
        .collect();
    assert!(pieces.iter().all(|p| *p > 1), "{pieces:?}");
}

#[test]
fn an_error_after_the_pieces_is_where_one_core_puts_it() {
    let doc = many(8, |_| String::new()).replace(
        "<SPECIFICATION IDENTIFIER=\"s1\">",
        "<SPECIFICATION IDENTIFIER=\"s1\" LONG-NAME=\"a&zz;\">",
    );
    let (one, many) = both(doc.as_bytes(), 3);
    let e = one.unwrap_err();
    let line = doc[..doc.find("LONG-NAME=\"a&zz;").unwrap()]
        .lines()
        .count() as u64;
    assert!(
        matches!(e, ReadError::Xml { line: l, .. } if l == line),
        "{e} (line {line})"
    );
    assert_eq!(many.unwrap_err(), e);
}

#[test]
fn a_broken_piece_gives_the_error_one_core_gives() {
    let doc = many(8, |i| {
        if i == 6 {
            "<OPEN>".into()
        } else {
            String::new()
        }
    });
    let (one, many) = both(doc.as_bytes(), 3);
    let e = one.unwrap_err();
    assert!(matches!(e, ReadError::Xml { .. }), "{e}");
    assert_eq!(many.unwrap_err(), e);
    let truncated = &doc[..doc.find("<SPEC-OBJECT IDENTIFIER=\"o7\"").unwrap() + 40];
    same(truncated.as_bytes(), 3);
}

proptest! {
    #[test]
    fn a_spliced_document_reads_the_same_in_pieces(
        at in 0usize..6000,
        drop in 0usize..24,
        insert in "[<>/&;\"'=a-zA-Z0-9 :#!\\[\\]-]{0,16}",
        threads in 2usize..6,
    ) {
        let doc = many(9, |_| String::new());
        let bytes = doc.as_bytes();
        let at = at.min(bytes.len());
        let end = (at + drop).min(bytes.len());
        let mut spliced = bytes[..at].to_vec();
        spliced.extend_from_slice(insert.as_bytes());
        spliced.extend_from_slice(&bytes[end..]);
        same(&spliced, threads);
    }
}
