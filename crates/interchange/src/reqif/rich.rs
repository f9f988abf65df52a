//! Rich text out of an XHTML value, safe to put in a page: the XHTML namespace's elements under
//! their HTML names (`xhtml:p` becomes `p`), then cleaned by ammonia's allow-list, so whatever a
//! file carries (a script, an event handler, a `javascript:` link, a style) never reaches the
//! reader's browser as anything but text or plain formatting.

use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::HashSet;
use std::sync::OnceLock;

fn local(q: &[u8]) -> &[u8] {
    match q.iter().rposition(|b| *b == b':') {
        Some(i) => &q[i + 1..],
        None => q,
    }
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        // Pictures and objects live in the archive, not on the web: none is fetched from a page.
        b.rm_tags(["img"]);
        b.link_rel(Some("noopener noreferrer"));
        b.url_schemes(HashSet::from(["http", "https", "mailto"]));
        // A relative link points into the archive, which a page cannot reach.
        b.url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

fn open_tag(out: &mut String, e: &BytesStart) {
    out.push('<');
    out.push_str(&String::from_utf8_lossy(local(e.name().as_ref())));
    for a in e.attributes().flatten() {
        let name = local(a.key.as_ref());
        // Namespace declarations are XML's business, not the page's.
        if a.key.as_ref() == b"xmlns" || a.key.as_ref().starts_with(b"xmlns:") {
            continue;
        }
        let value = a
            .unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_default();
        out.push(' ');
        out.push_str(&String::from_utf8_lossy(name));
        out.push_str("=\"");
        out.push_str(&escape(value.as_str()));
        out.push('"');
    }
    out.push('>');
}

fn is_figure(e: &BytesStart) -> bool {
    matches!(local(e.name().as_ref()), b"object" | b"img")
}

/// What a picture or an object is called: its file's name, else its type.
fn figure_name(e: &BytesStart) -> String {
    let attr = |n: &[u8]| {
        e.attributes()
            .flatten()
            .find(|a| local(a.key.as_ref()) == n)
            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
    };
    attr(b"data")
        .or_else(|| attr(b"src"))
        .map(|p| p.rsplit('/').next().unwrap_or("").to_string())
        .filter(|n| !n.is_empty())
        .or_else(|| attr(b"type"))
        .unwrap_or_else(|| "figure".into())
}

/// Safe HTML for an XHTML fragment; a fragment that is not well-formed comes out as its text.
pub fn xhtml_to_html(xhtml: &str) -> String {
    let mut r = Reader::from_str(xhtml);
    let mut html = String::with_capacity(xhtml.len());
    loop {
        match r.read_event() {
            // Pictures and objects are not shown: a marker says what was there.
            Ok(Event::Empty(e)) if is_figure(&e) => {
                html.push_str(&escape(format!("[{}]", figure_name(&e)).as_str()));
            }
            Ok(Event::Start(e)) if is_figure(&e) => {
                html.push_str(&escape(format!("[{}]", figure_name(&e)).as_str()));
                let name = e.name().as_ref().to_vec();
                // Its fallback content goes with it.
                if r.read_to_end(quick_xml::name::QName(&name)).is_err() {
                    html = escape(xhtml).into_owned();
                    break;
                }
            }
            Ok(Event::Start(e)) => open_tag(&mut html, &e),
            Ok(Event::Empty(e)) => {
                open_tag(&mut html, &e);
                let name = String::from_utf8_lossy(local(e.name().as_ref())).into_owned();
                if !matches!(name.as_str(), "br" | "hr") {
                    html.push_str(&format!("</{name}>"));
                }
            }
            Ok(Event::End(e)) => {
                html.push_str("</");
                html.push_str(&String::from_utf8_lossy(local(e.name().as_ref())));
                html.push('>');
            }
            Ok(Event::Text(t)) => match t.unescape() {
                Ok(s) => html.push_str(&escape(s.as_ref())),
                Err(_) => html.push_str(&escape(String::from_utf8_lossy(&t))),
            },
            Ok(Event::CData(c)) => html.push_str(&escape(String::from_utf8_lossy(&c))),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(_) => {
                html = escape(xhtml).into_owned();
                break;
            }
        }
    }
    cleaner().clean(&html).to_string()
}

#[cfg(test)]
mod tests {
    use super::xhtml_to_html;

    #[test]
    fn formatting_stays_and_the_namespace_prefix_goes() {
        let x = r#"<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml"><xhtml:p>The system <xhtml:b>shall</xhtml:b> flag OOS &amp; block.</xhtml:p><xhtml:ul><xhtml:li>one</xhtml:li></xhtml:ul><xhtml:br/></xhtml:div>"#;
        assert_eq!(
            xhtml_to_html(x),
            "<div><p>The system <b>shall</b> flag OOS &amp; block.</p><ul><li>one</li></ul><br></div>"
        );
    }

    #[test]
    fn scripts_handlers_styles_and_script_links_never_reach_the_page() {
        let x = r#"<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script><p onclick="alert(2)" style="color:red">a <a href="javascript:alert(3)">b</a> <a href="https://example.org/">c</a></p><img src="https://evil.example/x.png"/><iframe src="https://evil.example/"></iframe></div>"#;
        let h = xhtml_to_html(x);
        for bad in [
            "script",
            "onclick",
            "style",
            "javascript",
            "img",
            "iframe",
            "alert",
        ] {
            assert!(!h.contains(bad), "{bad} in {h}");
        }
        assert!(
            h.contains(r#"<a href="https://example.org/" rel="noopener noreferrer">c</a>"#),
            "{h}"
        );
    }

    #[test]
    fn pictures_and_objects_leave_a_marker_and_relative_links_go() {
        let x = r#"<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml">See <xhtml:object data="files/flow.png" type="image/png"><xhtml:object data="files/flow.ole">flow</xhtml:object></xhtml:object> and <xhtml:img src="files/b.png"/> in <xhtml:a href="files/x.pdf">x</xhtml:a>.</xhtml:div>"#;
        assert_eq!(
            xhtml_to_html(x),
            "<div>See [flow.png] and [b.png] in <a rel=\"noopener noreferrer\">x</a>.</div>"
        );
    }

    #[test]
    fn a_fragment_that_is_not_xml_is_shown_as_text() {
        assert_eq!(xhtml_to_html("<p>a < b</p"), "&lt;p&gt;a &lt; b&lt;/p");
    }
}
