//! ReqIF 1.2: reading (`.reqif` and `.reqifz`) and writing, without losing what the source tool
//! wrote.

pub mod model;
mod read;
mod rich;
mod text;
mod write;
pub mod zip;

pub use model::*;
pub use read::{read, read_with, Read, ReadError};
pub use rich::xhtml_to_html;
pub use text::xhtml_to_text;
pub use write::write;

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = include_str!("../../tests/data/small.reqif");

    #[test]
    fn a_document_reads_keeps_what_it_does_not_know_and_writes_back_the_same_model() {
        let r = read(SMALL.as_bytes()).unwrap();
        let m = &r.reqif;
        assert_eq!(m.header.field("TITLE"), Some("Small & plain"));
        assert_eq!(
            m.datatypes[0].id.last_change.as_deref(),
            Some("2024-01-02T03:04:05.678+02:00")
        );
        let o = &m.spec_objects[0];
        assert_eq!(
            o.values[0].content,
            Content::Simple(Some("Line one\nline two <b>".into()))
        );
        assert_eq!(
            o.values[1].content,
            Content::Xhtml {
                value: Some("<xhtml:div>Shall <xhtml:b>flag</xhtml:b> OOS.</xhtml:div>".into()),
                original: None
            }
        );
        assert_eq!(o.extra, ["<VENDOR-THING note=\"kept\"/>"]);
        assert_eq!(m.tool_extensions.len(), 1);
        // The unknown element and the dangling reference are said, with where they are.
        let said: Vec<String> = r.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(
            said[0].starts_with("line 24, column 9: VENDOR-THING"),
            "{said:?}"
        );
        assert!(
            said[1].contains("SPEC-HIERARCHY h-2") && said[1].contains("spec object missing"),
            "{said:?}"
        );
        let again = read(write(m).as_bytes()).unwrap();
        assert_eq!(&again.reqif, m);
    }

    #[test]
    fn a_prefixed_namespace_and_a_byte_order_mark_are_read_and_kept() {
        let prefixed = SMALL
            .replace(
                "<REQ-IF xmlns=\"http://www.omg.org/spec/ReqIF/20110401/reqif.xsd\"",
                "<reqif:REQ-IF xmlns:reqif=\"http://www.omg.org/spec/ReqIF/20110401/reqif.xsd\"",
            )
            .replace("</REQ-IF>", "</reqif:REQ-IF>");
        // Only the root is prefixed here; the reader goes by local names.
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(prefixed.as_bytes());
        let r = read(&bytes).unwrap();
        assert_eq!(r.reqif.prefix.as_deref(), Some("reqif"));
        assert_eq!(r.reqif.spec_objects.len(), 1);
        assert!(write(&r.reqif).contains("<reqif:REQ-IF xmlns:reqif="));
    }

    #[test]
    fn bad_documents_are_refused_with_what_and_where() {
        assert!(matches!(
            read(b"\xff\xfe not text"),
            Err(ReadError::NotUtf8(_))
        ));
        for nothing in [
            &b"just words"[..],
            b"",
            b"\xef\xbb\xbf  \n",
            b"<?xml version=\"1.0\"?>",
        ] {
            assert_eq!(
                read(nothing).unwrap_err().to_string(),
                "not a ReqIF document: it holds no XML element (an empty file, or text that is not XML)"
            );
        }
        assert_eq!(
            read(b"<html><body/></html>").unwrap_err(),
            ReadError::NotReqIf("html".into())
        );
        let truncated = &SMALL[..SMALL.len() / 2];
        let e = read(truncated.as_bytes()).unwrap_err();
        assert!(
            matches!(e, ReadError::Truncated(_) | ReadError::Xml { .. }),
            "{e}"
        );
        // Found by the fuzz test: quick-xml takes any attribute name; such a name would not
        // write back.
        let e = read(b"<REQ-IF a=\"1\"':'=\"2\"></REQ-IF>").unwrap_err();
        assert!(matches!(e, ReadError::Xml { .. }), "{e}");
        // Nesting that would take the stack is refused (found by review, not by the fuzzer).
        let deep = format!(
            "<REQ-IF><THE-HEADER>{}{}</THE-HEADER></REQ-IF>",
            "<a>".repeat(100_000),
            "</a>".repeat(100_000)
        );
        let e = read(deep.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("nested deeper than 256"), "{e}");
        let e = read(b"<REQ-IF><THE-HEADER></REQ-IF>").unwrap_err();
        assert!(matches!(e, ReadError::Xml { line: 1, .. }), "{e}");
        // Where the end tag starts, even with space before its `>`.
        let e = read(b"<REQ-IF><THE-HEADER>\n  </REQ-IF >").unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::Xml {
                    line: 2,
                    column: 3,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("expected `</THE-HEADER>`"), "{e}");
        // An error the reader finds itself (a bad entity) is where it is, not at the start.
        let e = read(b"<REQ-IF>\n<THE-HEADER TITLE=\"a&zz;\"/></REQ-IF>").unwrap_err();
        assert!(matches!(e, ReadError::Xml { line: 2, .. }), "{e}");
        // A billion laughs never gets to expand: no DTD is accepted.
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><REQ-IF>&lol2;</REQ-IF>"#;
        assert!(matches!(
            read(laughs.as_bytes()).unwrap_err(),
            ReadError::Dtd { line: 1, .. }
        ));
    }

    #[test]
    fn a_zip_bomb_stops_at_the_limit() {
        use std::io::Write;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = ::zip::ZipWriter::new(&mut buf);
            let opts = ::zip::write::SimpleFileOptions::default()
                .compression_method(::zip::CompressionMethod::Deflated);
            z.start_file("doc.reqif", opts).unwrap();
            z.write_all(SMALL.as_bytes()).unwrap();
            z.start_file("__MACOSX/._doc.reqif", opts).unwrap();
            z.write_all(b"junk").unwrap();
            z.start_file("files/zeros.bin", opts).unwrap();
            z.write_all(&vec![0u8; 4 << 20]).unwrap();
            z.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < 64 << 10, "4 MiB of zeros compress well");
        assert!(zip::is_zip(&bytes));
        let a = zip::unpack(&bytes, 8 << 20).unwrap();
        assert_eq!(a.documents.len(), 1);
        assert_eq!(a.attachments.len(), 1, "the __MACOSX entry is skipped");
        assert_eq!(
            zip::unpack(&bytes, 1 << 20).unwrap_err(),
            zip::ZipError::TooLarge { limit: 1 << 20 }
        );
        assert!(matches!(
            zip::unpack(b"PK\x03\x04 nonsense", 1 << 20),
            Err(zip::ZipError::NotZip(_))
        ));
    }
}
