//! Rich text from a ReqIF file (`THE-VALUE` of an XHTML attribute) on any text: made safe to
//! show in a page, and made plain text. Neither may panic, and what goes into a page carries no
//! element that runs script or fetches anything, and no event handler.
#![no_main]

use accord_interchange::reqif::{xhtml_to_html, xhtml_to_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|xhtml: &str| {
    let _ = xhtml_to_text(xhtml);
    let html = xhtml_to_html(xhtml).to_ascii_lowercase();
    // Text in the output has its `<` escaped: every `<` left starts a tag.
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or(tag);
        let name = tag.split([' ', '/', '\t', '\n']).next().unwrap_or("");
        assert!(
            !matches!(
                name,
                "script"
                    | "img"
                    | "iframe"
                    | "object"
                    | "embed"
                    | "style"
                    | "svg"
                    | "form"
                    | "base"
                    | "link"
                    | "meta"
            ),
            "<{name}> in the page's HTML: {html}"
        );
        // Attribute values are quoted, so a space before `on` outside quotes starts a name.
        let mut quoted = false;
        let mut outside = String::new();
        for c in tag.chars() {
            if c == '"' {
                quoted = !quoted;
            } else if !quoted {
                outside.push(c);
            }
        }
        assert!(
            !outside
                .split_whitespace()
                .skip(1)
                .any(|a| a.starts_with("on")),
            "an event handler in the page's HTML: <{tag}>"
        );
    }
});
