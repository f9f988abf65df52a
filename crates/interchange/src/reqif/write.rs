//! Writes a [`ReqIf`] back as ReqIF 1.2 XML: the same identifiers, LAST-CHANGE, datatypes and
//! values as written, XHTML and tool extensions as the XML they were, and the elements in the
//! namespace prefix the document used.

use super::model::*;

struct Out {
    s: String,
    prefix: String,
}

fn escape_into(out: &mut String, v: &str, attr: bool) {
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            // Attribute values lose their line breaks and tabs unless written as references.
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

impl Out {
    fn open(&mut self, name: &str, attrs: &[(&str, &str)], empty: bool) {
        self.s.push('<');
        self.s.push_str(&self.prefix);
        self.s.push_str(name);
        for (k, v) in attrs {
            self.s.push(' ');
            self.s.push_str(k);
            self.s.push_str("=\"");
            escape_into(&mut self.s, v, true);
            self.s.push('"');
        }
        self.s.push_str(if empty { "/>" } else { ">" });
    }

    fn close(&mut self, name: &str) {
        self.s.push_str("</");
        self.s.push_str(&self.prefix);
        self.s.push_str(name);
        self.s.push('>');
    }

    fn text_element(&mut self, name: &str, text: &str) {
        self.open(name, &[], false);
        escape_into(&mut self.s, text, false);
        self.close(name);
    }

    /// `<CONTAINER><REF-ELEMENT>id</REF-ELEMENT></CONTAINER>`.
    fn reference(&mut self, container: &str, element: &str, id: &Option<String>) {
        if let Some(id) = id {
            self.open(container, &[], false);
            self.text_element(element, id);
            self.close(container);
        }
    }

    fn raw(&mut self, xml: &[String]) {
        for x in xml {
            self.s.push_str(x);
        }
    }

    /// Opens an identifiable element with its identity and other attributes.
    fn identifiable(&mut self, name: &str, id: &Identity, attrs: &Attrs, empty: bool) {
        let mut all: Vec<(&str, &str)> = vec![("IDENTIFIER", id.identifier.as_str())];
        if let Some(v) = &id.last_change {
            all.push(("LAST-CHANGE", v));
        }
        if let Some(v) = &id.long_name {
            all.push(("LONG-NAME", v));
        }
        if let Some(v) = &id.desc {
            all.push(("DESC", v));
        }
        all.extend(attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.open(name, &all, empty && id.alternative_id.is_none());
        if let Some(alt) = &id.alternative_id {
            self.open("ALTERNATIVE-ID", &[], false);
            self.open("ALTERNATIVE-ID", &[("IDENTIFIER", alt)], true);
            self.close("ALTERNATIVE-ID");
            if empty {
                self.close(name);
            }
        }
    }

    fn value(&mut self, v: &Value) {
        let name = format!("ATTRIBUTE-VALUE-{}", v.kind);
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        if let Content::Simple(Some(the)) = &v.content {
            attrs.push(("THE-VALUE", the));
        }
        attrs.extend(v.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        self.open(&name, &attrs, false);
        if !v.definition.is_empty() {
            self.open("DEFINITION", &[], false);
            self.text_element(
                &format!("ATTRIBUTE-DEFINITION-{}-REF", v.kind),
                &v.definition,
            );
            self.close("DEFINITION");
        }
        match &v.content {
            Content::Simple(_) => {}
            Content::Xhtml { value, original } => {
                // The schema's order: THE-ORIGINAL-VALUE before THE-VALUE.
                for (el, x) in [("THE-ORIGINAL-VALUE", original), ("THE-VALUE", value)] {
                    if let Some(x) = x {
                        self.open(el, &[], false);
                        self.s.push_str(x);
                        self.close(el);
                    }
                }
            }
            Content::Enumeration(refs) => {
                self.open("VALUES", &[], false);
                for r in refs {
                    self.text_element("ENUM-VALUE-REF", r);
                }
                self.close("VALUES");
            }
        }
        self.close(&name);
    }

    fn values(&mut self, values: &[Value]) {
        if values.is_empty() {
            return;
        }
        self.open("VALUES", &[], false);
        for v in values {
            self.value(v);
        }
        self.close("VALUES");
    }

    fn hierarchy(&mut self, h: &Hierarchy) {
        // The schema's order: CHILDREN, EDITABLE-ATTS (kept verbatim), OBJECT.
        self.identifiable("SPEC-HIERARCHY", &h.id, &h.attrs, false);
        self.children(&h.children);
        self.raw(&h.extra);
        self.reference("OBJECT", "SPEC-OBJECT-REF", &h.object);
        self.close("SPEC-HIERARCHY");
    }

    fn children(&mut self, children: &[Hierarchy]) {
        if children.is_empty() {
            return;
        }
        self.open("CHILDREN", &[], false);
        for c in children {
            self.hierarchy(c);
        }
        self.close("CHILDREN");
    }
}

/// The document as ReqIF XML (UTF-8, no byte order mark).
pub fn write(doc: &ReqIf) -> String {
    let prefix = doc
        .prefix
        .as_ref()
        .map(|p| format!("{p}:"))
        .unwrap_or_default();
    let mut o = Out {
        s: String::with_capacity(1 << 20),
        prefix,
    };
    o.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let root: Vec<(&str, &str)> = doc
        .root_attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    o.open("REQ-IF", &root, false);
    o.open("THE-HEADER", &[], false);
    o.open(
        "REQ-IF-HEADER",
        &[("IDENTIFIER", doc.header.identifier.as_str())],
        false,
    );
    for (k, v) in &doc.header.fields {
        o.text_element(k, v);
    }
    o.close("REQ-IF-HEADER");
    o.close("THE-HEADER");
    o.open("CORE-CONTENT", &[], false);
    o.open("REQ-IF-CONTENT", &[], false);

    o.open("DATATYPES", &[], false);
    for d in &doc.datatypes {
        let name = format!("DATATYPE-DEFINITION-{}", d.kind);
        o.identifiable(&name, &d.id, &d.attrs, false);
        if d.kind == "ENUMERATION" {
            o.open("SPECIFIED-VALUES", &[], false);
            for v in &d.values {
                o.identifiable("ENUM-VALUE", &v.id, &Vec::new(), false);
                o.open("PROPERTIES", &[], false);
                let mut attrs: Vec<(&str, &str)> = Vec::new();
                if let Some(k) = &v.key {
                    attrs.push(("KEY", k));
                }
                if let Some(c) = &v.other_content {
                    attrs.push(("OTHER-CONTENT", c));
                }
                o.open("EMBEDDED-VALUE", &attrs, true);
                o.close("PROPERTIES");
                o.close("ENUM-VALUE");
            }
            o.close("SPECIFIED-VALUES");
        }
        o.raw(&d.extra);
        o.close(&name);
    }
    o.close("DATATYPES");

    o.open("SPEC-TYPES", &[], false);
    for t in &doc.spec_types {
        o.identifiable(&t.element, &t.id, &t.attrs, false);
        if !t.attributes.is_empty() {
            o.open("SPEC-ATTRIBUTES", &[], false);
            for a in &t.attributes {
                let name = format!("ATTRIBUTE-DEFINITION-{}", a.kind);
                o.identifiable(&name, &a.id, &a.attrs, false);
                if let Some(dv) = &a.default_value {
                    o.open("DEFAULT-VALUE", &[], false);
                    o.value(dv);
                    o.close("DEFAULT-VALUE");
                }
                o.reference(
                    "TYPE",
                    &format!("DATATYPE-DEFINITION-{}-REF", a.kind),
                    &a.datatype,
                );
                o.raw(&a.extra);
                o.close(&name);
            }
            o.close("SPEC-ATTRIBUTES");
        }
        o.raw(&t.extra);
        o.close(&t.element);
    }
    o.close("SPEC-TYPES");

    o.open("SPEC-OBJECTS", &[], false);
    for ob in &doc.spec_objects {
        o.identifiable("SPEC-OBJECT", &ob.id, &ob.attrs, false);
        o.values(&ob.values);
        o.reference("TYPE", "SPEC-OBJECT-TYPE-REF", &ob.type_ref);
        o.raw(&ob.extra);
        o.close("SPEC-OBJECT");
    }
    o.close("SPEC-OBJECTS");

    o.open("SPEC-RELATIONS", &[], false);
    for r in &doc.spec_relations {
        o.identifiable("SPEC-RELATION", &r.id, &r.attrs, false);
        o.values(&r.values);
        o.reference("SOURCE", "SPEC-OBJECT-REF", &r.source);
        o.reference("TARGET", "SPEC-OBJECT-REF", &r.target);
        o.reference("TYPE", "SPEC-RELATION-TYPE-REF", &r.type_ref);
        o.raw(&r.extra);
        o.close("SPEC-RELATION");
    }
    o.close("SPEC-RELATIONS");

    o.open("SPECIFICATIONS", &[], false);
    for s in &doc.specifications {
        o.identifiable("SPECIFICATION", &s.id, &s.attrs, false);
        o.values(&s.values);
        o.reference("TYPE", "SPECIFICATION-TYPE-REF", &s.type_ref);
        o.children(&s.children);
        o.raw(&s.extra);
        o.close("SPECIFICATION");
    }
    o.close("SPECIFICATIONS");

    if !doc.relation_groups.is_empty() {
        o.open("SPEC-RELATION-GROUPS", &[], false);
        for g in &doc.relation_groups {
            o.identifiable("RELATION-GROUP", &g.id, &g.attrs, false);
            o.reference(
                "SOURCE-SPECIFICATION",
                "SPECIFICATION-REF",
                &g.source_specification,
            );
            if !g.relations.is_empty() {
                o.open("SPEC-RELATIONS", &[], false);
                for r in &g.relations {
                    o.text_element("SPEC-RELATION-REF", r);
                }
                o.close("SPEC-RELATIONS");
            }
            o.reference(
                "TARGET-SPECIFICATION",
                "SPECIFICATION-REF",
                &g.target_specification,
            );
            o.reference("TYPE", "RELATION-GROUP-TYPE-REF", &g.type_ref);
            o.raw(&g.extra);
            o.close("RELATION-GROUP");
        }
        o.close("SPEC-RELATION-GROUPS");
    }
    o.close("REQ-IF-CONTENT");
    o.close("CORE-CONTENT");
    if !doc.tool_extensions.is_empty() {
        o.open("TOOL-EXTENSIONS", &[], false);
        o.raw(&doc.tool_extensions);
        o.close("TOOL-EXTENSIONS");
    }
    o.raw(&doc.extra);
    o.close("REQ-IF");
    o.s.push('\n');
    o.s
}
