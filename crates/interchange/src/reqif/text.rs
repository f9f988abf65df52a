//! Plain text out of an XHTML value, for the fields that hold text (a requirement's statement):
//! the words in order, a line break for each block, entities decoded. The XHTML itself is kept
//! beside it, untouched.

use quick_xml::events::Event;
use quick_xml::Reader;

const BLOCKS: [&[u8]; 12] = [
    b"p", b"div", b"br", b"li", b"tr", b"h1", b"h2", b"h3", b"h4", b"h5", b"h6", b"table",
];

fn local(q: &[u8]) -> &[u8] {
    match q.iter().rposition(|b| *b == b':') {
        Some(i) => &q[i + 1..],
        None => q,
    }
}

/// The text of an XHTML fragment; when it is not well-formed, its characters as they are.
pub fn xhtml_to_text(xhtml: &str) -> String {
    let mut r = Reader::from_str(xhtml);
    let mut out = String::new();
    let block = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if BLOCKS.contains(&local(e.name().as_ref())) =>
            {
                block(&mut out)
            }
            Ok(Event::End(e)) if BLOCKS.contains(&local(e.name().as_ref())) => block(&mut out),
            // A line break in the source is white space; blocks make the lines.
            Ok(Event::Text(t)) => match t.unescape() {
                Ok(s) => out.push_str(&s.replace(['\n', '\r'], " ")),
                Err(_) => out.push_str(&String::from_utf8_lossy(&t).replace(['\n', '\r'], " ")),
            },
            Ok(Event::CData(c)) => out.push_str(&String::from_utf8_lossy(&c)),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return xhtml.to_string(),
        }
    }
    // Runs of blank space within a line become one space; blank lines go.
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_in_order_a_line_per_block() {
        let x = r#"<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml"><xhtml:p>The system <xhtml:b>shall</xhtml:b> flag
            OOS &amp; block.</xhtml:p><xhtml:ul><xhtml:li>one</xhtml:li><xhtml:li>two</xhtml:li></xhtml:ul></xhtml:div>"#;
        assert_eq!(
            super::xhtml_to_text(x),
            "The system shall flag OOS & block.\none\ntwo"
        );
        assert_eq!(super::xhtml_to_text("plain words"), "plain words");
    }
}
