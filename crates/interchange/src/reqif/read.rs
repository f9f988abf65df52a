//! Reads ReqIF XML into [`ReqIf`]. One pass over the document with quick-xml; each record
//! (a spec object, a specification...) is first read into a small element tree, then mapped, so
//! memory holds the model and one record's tree, not the whole document's. What the standard
//! does not name is kept as the XML it was; what cannot be taken becomes a [`Warning`] with its
//! line and column, never an abort of the whole file.

use super::model::*;
use quick_xml::events::attributes::Attributes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::HashSet;

/// Why a document cannot be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("not UTF-8 text: {0}")]
    NotUtf8(String),
    #[error("line {line}, column {column}: not well-formed XML: {message}")]
    Xml {
        line: u64,
        column: u64,
        message: String,
    },
    #[error("line {line}, column {column}: document type declarations (DTDs) are not accepted")]
    Dtd { line: u64, column: u64 },
    #[error("not a ReqIF document: the root element is {0}, not REQ-IF")]
    NotReqIf(String),
    #[error("the document ends before {0} is closed (truncated?)")]
    Truncated(String),
}

/// A document read, with what could not be taken as it was.
#[derive(Debug, Clone)]
pub struct Read {
    pub reqif: ReqIf,
    pub warnings: Vec<Warning>,
}

/// A record's element as read: its name, attributes, children, text and where it is. Names,
/// attributes and text borrow from the input where they can (no entity to decode): a record's
/// tree costs few allocations.
#[derive(Debug, Default)]
struct Node<'i> {
    name: &'i str,
    attrs: Vec<(&'i str, Cow<'i, str>)>,
    children: Vec<Node<'i>>,
    text: Cow<'i, str>,
    /// Byte range of the whole element in the input.
    start: usize,
    end: usize,
}

impl<'i> Node<'i> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_ref())
    }
    fn child(&self, name: &str) -> Option<&Node<'i>> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn local(qname: &[u8]) -> &[u8] {
    match qname.iter().rposition(|b| *b == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// Deeper than this, a document is refused: real files nest fewer than 30 levels, and the
/// reader, the writer and the import walk the tree recursively.
pub const MAX_DEPTH: usize = 256;

struct Parser<'i> {
    input: &'i str,
    depth: usize,
    /// Where each line starts, built at the first warning.
    line_starts: Option<Vec<usize>>,
    reader: Reader<&'i [u8]>,
    warnings: Vec<Warning>,
    /// Identifiers of the records read so far: most references point back to one of them.
    known: HashSet<String>,
    /// References to what was not read yet (what refers, its position, the kind of thing
    /// referred to, the identifier), checked once the whole document is read.
    refs: Vec<(String, usize, &'static str, String)>,
}

/// Reads a ReqIF document (UTF-8, with or without a byte order mark; default or prefixed
/// namespace).
pub fn read(bytes: &[u8]) -> Result<Read, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.to_string()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut p = Parser {
        input: text,
        depth: 0,
        line_starts: None,
        reader,
        warnings: Vec::new(),
        known: HashSet::new(),
        refs: Vec::new(),
    };
    let reqif = p.document()?;
    p.check_references(&reqif);
    Ok(Read {
        reqif,
        warnings: p.warnings,
    })
}

/// Line and column (1-based, in characters) of a byte offset.
fn line_col(input: &str, pos: usize) -> (u64, u64) {
    let pos = pos.min(input.len());
    let before = &input.as_bytes()[..pos];
    let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = input.get(line_start..pos).map_or(0, |s| s.chars().count()) as u64 + 1;
    (line, column)
}

enum Ev<'i> {
    Start(BytesStart<'i>, usize),
    Empty(BytesStart<'i>, usize),
    Text(Cow<'i, str>),
    End,
    Eof,
}

impl<'i> Parser<'i> {
    fn pos(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn xml_error(&self, e: impl std::fmt::Display) -> ReadError {
        let at = usize::try_from(self.reader.error_position()).unwrap_or(0);
        let (line, column) = line_col(self.input, at);
        ReadError::Xml {
            line,
            column,
            message: e.to_string(),
        }
    }

    fn warn(&mut self, pos: usize, element: String, message: impl Into<String>) {
        let input = self.input;
        let starts = self.line_starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(input.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line_index = starts.partition_point(|s| *s <= pos).saturating_sub(1);
        let line_start = starts[line_index];
        let line = line_index as u64 + 1;
        let column = input
            .get(line_start..pos.min(input.len()))
            .map_or(0, |s| s.chars().count()) as u64
            + 1;
        self.warnings.push(Warning {
            line,
            column,
            element,
            message: message.into(),
        });
    }

    fn next(&mut self) -> Result<Ev<'i>, ReadError> {
        loop {
            let ev = self.reader.read_event().map_err(|e| self.xml_error(e))?;
            let after = self.pos();
            return Ok(match ev {
                Event::Start(e) => {
                    let start = after.saturating_sub(e.len() + 2);
                    Ev::Start(e, start)
                }
                Event::Empty(e) => {
                    let start = after.saturating_sub(e.len() + 3);
                    Ev::Empty(e, start)
                }
                Event::End(_) => Ev::End,
                Event::Text(t) => Ev::Text(self.unescaped(&t)?),
                Event::CData(c) => Ev::Text(self.text_of(&c)),
                Event::DocType(_) => {
                    let (line, column) = line_col(self.input, after);
                    return Err(ReadError::Dtd { line, column });
                }
                Event::Eof => Ev::Eof,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => continue,
            });
        }
    }

    /// Bytes the reader took from the input, as the input's own text (the reader reads from
    /// the input without copying, so they are in it).
    fn in_input(&self, b: &[u8]) -> Option<&'i str> {
        let at = (b.as_ptr() as usize).checked_sub(self.input.as_ptr() as usize)?;
        self.input.get(at..at.checked_add(b.len())?)
    }

    /// Bytes as text: the input's own when they are in it, a copy otherwise.
    fn text_of(&self, b: &[u8]) -> Cow<'i, str> {
        match self.in_input(b) {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(String::from_utf8_lossy(b).into_owned()),
        }
    }

    /// Text with its entities decoded, borrowed from the input when it has none.
    fn unescaped(&self, b: &[u8]) -> Result<Cow<'i, str>, ReadError> {
        match self.text_of(b) {
            Cow::Borrowed(raw) => quick_xml::escape::unescape(raw).map_err(|e| self.xml_error(e)),
            Cow::Owned(raw) => Ok(Cow::Owned(
                quick_xml::escape::unescape(&raw)
                    .map_err(|e| self.xml_error(e))?
                    .into_owned(),
            )),
        }
    }

    /// An element's name (qualified, as written) and its attributes, from the text of its tag.
    #[allow(clippy::type_complexity)]
    fn tag(
        &self,
        e: BytesStart<'i>,
        keep_prefix: bool,
    ) -> Result<(&'i str, Vec<(&'i str, Cow<'i, str>)>), ReadError> {
        let name_len = e.name().as_ref().len();
        let Some(content) = self.in_input(&e) else {
            return Err(self.xml_error("an element the reader did not take from the input"));
        };
        let name = content.get(..name_len).unwrap_or(content);
        let mut out = Vec::new();
        for a in Attributes::new(content, name_len) {
            let a = a.map_err(|err| self.xml_error(err))?;
            let key_bytes = a.key.into_inner();
            let key_bytes = if keep_prefix {
                key_bytes
            } else {
                local(key_bytes)
            };
            let Some(key) = self.in_input(key_bytes) else {
                return Err(self.xml_error("an attribute name that is not text"));
            };
            if !is_xml_name(key) {
                return Err(self.xml_error(format!("{key:?} is not an attribute name")));
            }
            let value = self.unescaped(&a.value)?;
            out.push((key, value));
        }
        Ok((name, out))
    }

    /// Reads the element that `e` starts (already consumed) into a [`Node`]. The XHTML of
    /// `THE-VALUE` and `THE-ORIGINAL-VALUE` elements is kept as text: the XML it was.
    fn node(
        &mut self,
        e: BytesStart<'i>,
        start: usize,
        empty: bool,
    ) -> Result<Node<'i>, ReadError> {
        let end_name = e.name().as_ref().to_vec();
        // Qualified: `xml:lang` and `xmlns:xhtml` must write back as they were.
        let (qname, attrs) = self.tag(e, true)?;
        let name = qname.rsplit_once(':').map_or(qname, |(_, l)| l);
        let mut node = Node {
            name,
            attrs,
            start,
            ..Default::default()
        };
        if empty {
            node.end = self.pos();
            return Ok(node);
        }
        if self.depth >= MAX_DEPTH {
            let (line, column) = line_col(self.input, start);
            return Err(ReadError::Xml {
                line,
                column,
                message: format!("elements nested deeper than {MAX_DEPTH} levels"),
            });
        }
        if node.name == "THE-VALUE" || node.name == "THE-ORIGINAL-VALUE" {
            let span = self
                .reader
                .read_to_end(quick_xml::name::QName(&end_name))
                .map_err(|err| self.xml_error(err))?;
            let (a, b) = (
                usize::try_from(span.start).unwrap_or(0),
                usize::try_from(span.end).unwrap_or(0),
            );
            node.text = Cow::Borrowed(self.input.get(a..b).unwrap_or("").trim());
            node.end = self.pos();
            return Ok(node);
        }
        self.depth += 1;
        loop {
            match self.next()? {
                Ev::Start(c, s) => {
                    let child = self.node(c, s, false)?;
                    node.children.push(child);
                }
                Ev::Empty(c, s) => {
                    let child = self.node(c, s, true)?;
                    node.children.push(child);
                }
                Ev::Text(t) => {
                    if node.text.is_empty() {
                        node.text = t;
                    } else {
                        node.text.to_mut().push_str(&t);
                    }
                }
                Ev::End => break,
                Ev::Eof => return Err(ReadError::Truncated(node.name.to_string())),
            }
        }
        self.depth -= 1;
        node.end = self.pos();
        Ok(node)
    }

    fn raw(&self, n: &Node) -> String {
        self.input.get(n.start..n.end).unwrap_or("").to_string()
    }

    fn label(n: &Node) -> String {
        match n.attr("IDENTIFIER") {
            Some(id) => format!("{} {id}", n.name),
            None => n.name.to_string(),
        }
    }

    /// Keeps an element the standard does not name here, and says so.
    fn keep(&mut self, n: &Node, extra: &mut Vec<String>, parent: &str) {
        self.warn(
            n.start,
            Self::label(n),
            format!("not part of ReqIF 1.2 inside {parent}; kept verbatim"),
        );
        extra.push(self.raw(n));
    }

    fn document(&mut self) -> Result<ReqIf, ReadError> {
        let (root, start) = loop {
            match self.next()? {
                Ev::Start(e, s) => break (e, s),
                Ev::Empty(e, _) => {
                    return Err(ReadError::NotReqIf(
                        String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    ))
                }
                Ev::Text(_) => continue,
                Ev::End | Ev::Eof => return Err(ReadError::NotReqIf("nothing".into())),
            }
        };
        let _ = start;
        let qname = String::from_utf8_lossy(root.name().as_ref()).into_owned();
        let root_attrs: Attrs = self
            .tag(root, true)?
            .1
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_owned()))
            .collect();
        if local(qname.as_bytes()) != b"REQ-IF" {
            return Err(ReadError::NotReqIf(qname));
        }
        let mut doc = ReqIf {
            root_attrs,
            prefix: qname.split_once(':').map(|(p, _)| p.to_string()),
            ..Default::default()
        };
        loop {
            match self.next()? {
                Ev::Start(e, s) => {
                    let name = local(e.name().as_ref()).to_vec();
                    match name.as_slice() {
                        b"CORE-CONTENT" => self.core_content(&mut doc)?,
                        b"TOOL-EXTENSIONS" => self.tool_extensions(&mut doc)?,
                        _ => {
                            let n = self.node(e, s, false)?;
                            if n.name == "THE-HEADER" {
                                self.header(&n, &mut doc);
                            } else {
                                let mut extra = std::mem::take(&mut doc.extra);
                                self.keep(&n, &mut extra, "REQ-IF");
                                doc.extra = extra;
                            }
                        }
                    }
                }
                Ev::Empty(e, s) => {
                    let n = self.node(e, s, true)?;
                    if !matches!(n.name, "CORE-CONTENT" | "TOOL-EXTENSIONS" | "THE-HEADER") {
                        let mut extra = std::mem::take(&mut doc.extra);
                        self.keep(&n, &mut extra, "REQ-IF");
                        doc.extra = extra;
                    }
                }
                Ev::Text(_) => {}
                Ev::End => break,
                Ev::Eof => return Err(ReadError::Truncated("REQ-IF".into())),
            }
        }
        Ok(doc)
    }

    fn header(&mut self, n: &Node, doc: &mut ReqIf) {
        for h in &n.children {
            if h.name != "REQ-IF-HEADER" {
                let mut extra = std::mem::take(&mut doc.extra);
                self.keep(h, &mut extra, "THE-HEADER");
                doc.extra = extra;
                continue;
            }
            doc.header.identifier = h.attr("IDENTIFIER").unwrap_or("").to_string();
            for f in &h.children {
                doc.header
                    .fields
                    .push((f.name.to_string(), f.text.to_string()));
            }
        }
    }

    fn tool_extensions(&mut self, doc: &mut ReqIf) -> Result<(), ReadError> {
        loop {
            match self.next()? {
                Ev::Start(e, s) => {
                    let n = self.node(e, s, false)?;
                    doc.tool_extensions.push(self.raw(&n));
                }
                Ev::Empty(e, s) => {
                    let n = self.node(e, s, true)?;
                    doc.tool_extensions.push(self.raw(&n));
                }
                Ev::Text(_) => {}
                Ev::End => return Ok(()),
                Ev::Eof => return Err(ReadError::Truncated("TOOL-EXTENSIONS".into())),
            }
        }
    }

    /// `CORE-CONTENT/REQ-IF-CONTENT`, section by section, record by record.
    fn core_content(&mut self, doc: &mut ReqIf) -> Result<(), ReadError> {
        let mut depth = 0;
        loop {
            match self.next()? {
                Ev::Start(e, s) => {
                    let name = String::from_utf8_lossy(local(e.name().as_ref())).into_owned();
                    if depth == 0 && name == "REQ-IF-CONTENT" {
                        depth = 1;
                        continue;
                    }
                    if depth == 1 && SECTIONS.contains(&name.as_str()) {
                        self.section(&name, doc)?;
                        continue;
                    }
                    let n = self.node(e, s, false)?;
                    let mut extra = std::mem::take(&mut doc.extra);
                    self.keep(&n, &mut extra, "REQ-IF-CONTENT");
                    doc.extra = extra;
                }
                Ev::Empty(e, s) => {
                    let n = self.node(e, s, true)?;
                    if !SECTIONS.contains(&n.name) && n.name != "REQ-IF-CONTENT" {
                        let mut extra = std::mem::take(&mut doc.extra);
                        self.keep(&n, &mut extra, "REQ-IF-CONTENT");
                        doc.extra = extra;
                    }
                }
                Ev::Text(_) => {}
                Ev::End => {
                    if depth == 1 {
                        depth = 0;
                    } else {
                        return Ok(());
                    }
                }
                Ev::Eof => return Err(ReadError::Truncated("CORE-CONTENT".into())),
            }
        }
    }

    fn section(&mut self, section: &str, doc: &mut ReqIf) -> Result<(), ReadError> {
        loop {
            let n = match self.next()? {
                Ev::Start(e, s) => self.node(e, s, false)?,
                Ev::Empty(e, s) => self.node(e, s, true)?,
                Ev::Text(_) => continue,
                Ev::End => return Ok(()),
                Ev::Eof => return Err(ReadError::Truncated(section.into())),
            };
            match (section, n.name) {
                ("DATATYPES", name) if name.starts_with("DATATYPE-DEFINITION-") => {
                    let d = self.datatype(&n);
                    self.known.insert(d.id.identifier.clone());
                    doc.datatypes.push(d);
                }
                (
                    "SPEC-TYPES",
                    "SPEC-OBJECT-TYPE"
                    | "SPECIFICATION-TYPE"
                    | "SPEC-RELATION-TYPE"
                    | "RELATION-GROUP-TYPE",
                ) => {
                    let t = self.spec_type(&n);
                    self.known.insert(t.id.identifier.clone());
                    self.known
                        .extend(t.attributes.iter().map(|a| a.id.identifier.clone()));
                    doc.spec_types.push(t);
                }
                ("SPEC-OBJECTS", "SPEC-OBJECT") => {
                    let o = self.spec_object(&n);
                    self.known.insert(o.id.identifier.clone());
                    doc.spec_objects.push(o);
                }
                ("SPEC-RELATIONS", "SPEC-RELATION") => {
                    let r = self.spec_relation(&n);
                    self.known.insert(r.id.identifier.clone());
                    doc.spec_relations.push(r);
                }
                ("SPECIFICATIONS", "SPECIFICATION") => {
                    let s = self.specification(&n);
                    self.known.insert(s.id.identifier.clone());
                    doc.specifications.push(s);
                }
                ("SPEC-RELATION-GROUPS", "RELATION-GROUP") => {
                    let g = self.relation_group(&n);
                    doc.relation_groups.push(g);
                }
                _ => {
                    let mut extra = std::mem::take(&mut doc.extra);
                    self.keep(&n, &mut extra, section);
                    doc.extra = extra;
                }
            }
        }
    }

    /// The identity of an identifiable element and its other XML attributes.
    fn identity(&mut self, n: &Node) -> (Identity, Attrs) {
        let mut id = Identity::default();
        let mut attrs = Vec::new();
        for (k, v) in &n.attrs {
            match *k {
                "IDENTIFIER" => id.identifier = v.to_string(),
                "LAST-CHANGE" => id.last_change = Some(v.to_string()),
                "LONG-NAME" => id.long_name = Some(v.to_string()),
                "DESC" => id.desc = Some(v.to_string()),
                _ => attrs.push((k.to_string(), v.to_string())),
            }
        }
        attrs.sort();
        if id.identifier.is_empty() {
            self.warn(n.start, n.name.to_string(), "has no IDENTIFIER");
        }
        if let Some(alt) = n.child("ALTERNATIVE-ID") {
            id.alternative_id = alt
                .child("ALTERNATIVE-ID")
                .and_then(|a| a.attr("IDENTIFIER"))
                .map(str::to_string);
        }
        (id, attrs)
    }

    /// A reference to `id`: fine when it names a record already read; otherwise remembered, to
    /// check once the whole document is read.
    fn refer(&mut self, n: &Node, pos: usize, kind: &'static str, id: &str) {
        if !self.known.contains(id) {
            self.refs.push((Self::label(n), pos, kind, id.to_string()));
        }
    }

    /// The text of `n/CONTAINER/*-REF` (the first), remembered to check that it resolves.
    fn reference(&mut self, n: &Node, container: &str, kind: &'static str) -> Option<String> {
        let r = n.child(container)?.children.first()?;
        let id = r.text.trim().to_string();
        self.refer(n, r.start, kind, &id);
        Some(id)
    }

    fn datatype(&mut self, n: &Node) -> Datatype {
        let (id, attrs) = self.identity(n);
        let mut d = Datatype {
            kind: n
                .name
                .trim_start_matches("DATATYPE-DEFINITION-")
                .to_string(),
            id,
            attrs,
            ..Default::default()
        };
        for c in &n.children {
            match c.name {
                "ALTERNATIVE-ID" => {}
                "SPECIFIED-VALUES" if d.kind == "ENUMERATION" => {
                    for v in &c.children {
                        if v.name != "ENUM-VALUE" {
                            self.keep(v, &mut d.extra, "SPECIFIED-VALUES");
                            continue;
                        }
                        let (vid, _) = self.identity(v);
                        let embedded = v
                            .child("PROPERTIES")
                            .and_then(|p| p.child("EMBEDDED-VALUE"));
                        d.values.push(EnumValue {
                            id: vid,
                            key: embedded.and_then(|e| e.attr("KEY")).map(str::to_string),
                            other_content: embedded
                                .and_then(|e| e.attr("OTHER-CONTENT"))
                                .map(str::to_string),
                        });
                    }
                }
                _ => self.keep(c, &mut d.extra, n.name),
            }
        }
        d
    }

    fn values(&mut self, n: &Node, extra: &mut Vec<String>) -> Vec<Value> {
        let Some(values) = n.child("VALUES") else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(values.children.len());
        for v in &values.children {
            match self.value(v) {
                Some(value) => out.push(value),
                None => self.keep(v, extra, "VALUES"),
            }
        }
        out
    }

    fn value(&mut self, v: &Node) -> Option<Value> {
        let kind = v.name.strip_prefix("ATTRIBUTE-VALUE-")?.to_string();
        let definition = match v.child("DEFINITION").and_then(|d| d.children.first()) {
            Some(r) => {
                let id = r.text.trim().to_string();
                self.refer(v, r.start, "attribute definition", &id);
                id
            }
            None => {
                self.warn(
                    v.start,
                    v.name.to_string(),
                    "has no DEFINITION; kept without one",
                );
                String::new()
            }
        };
        let mut attrs: Attrs = v
            .attrs
            .iter()
            .filter(|(k, _)| *k != "THE-VALUE")
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        attrs.sort();
        let content = match kind.as_str() {
            "XHTML" => Content::Xhtml {
                value: v.child("THE-VALUE").map(|t| t.text.to_string()),
                original: v.child("THE-ORIGINAL-VALUE").map(|t| t.text.to_string()),
            },
            "ENUMERATION" => Content::Enumeration(
                v.child("VALUES")
                    .map(|vs| {
                        vs.children
                            .iter()
                            .map(|r| r.text.trim().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => Content::Simple(v.attr("THE-VALUE").map(str::to_string)),
        };
        Some(Value {
            kind,
            definition,
            content,
            attrs,
        })
    }

    fn spec_type(&mut self, n: &Node) -> SpecType {
        let (id, attrs) = self.identity(n);
        let mut t = SpecType {
            element: n.name.to_string(),
            id,
            attrs,
            ..Default::default()
        };
        for c in &n.children {
            match c.name {
                "ALTERNATIVE-ID" => {}
                "SPEC-ATTRIBUTES" => {
                    for a in &c.children {
                        if !a.name.starts_with("ATTRIBUTE-DEFINITION-") {
                            self.keep(a, &mut t.extra, "SPEC-ATTRIBUTES");
                            continue;
                        }
                        let (aid, aattrs) = self.identity(a);
                        let mut def = AttributeDefinition {
                            kind: a
                                .name
                                .trim_start_matches("ATTRIBUTE-DEFINITION-")
                                .to_string(),
                            id: aid,
                            attrs: aattrs,
                            ..Default::default()
                        };
                        for ac in &a.children {
                            match ac.name {
                                "ALTERNATIVE-ID" => {}
                                "TYPE" => def.datatype = self.reference(a, "TYPE", "datatype"),
                                "DEFAULT-VALUE" => {
                                    def.default_value =
                                        ac.children.first().and_then(|v| self.value(v));
                                }
                                _ => self.keep(ac, &mut def.extra, a.name),
                            }
                        }
                        t.attributes.push(def);
                    }
                }
                _ => self.keep(c, &mut t.extra, n.name),
            }
        }
        t
    }

    fn spec_object(&mut self, n: &Node) -> SpecObject {
        let (id, attrs) = self.identity(n);
        let mut o = SpecObject {
            id,
            attrs,
            ..Default::default()
        };
        for c in &n.children {
            match c.name {
                "ALTERNATIVE-ID" => {}
                "TYPE" => o.type_ref = self.reference(n, "TYPE", "spec object type"),
                "VALUES" => {
                    let mut extra = std::mem::take(&mut o.extra);
                    o.values = self.values(n, &mut extra);
                    o.extra = extra;
                }
                _ => self.keep(c, &mut o.extra, "SPEC-OBJECT"),
            }
        }
        o
    }

    fn spec_relation(&mut self, n: &Node) -> SpecRelation {
        let (id, attrs) = self.identity(n);
        let mut r = SpecRelation {
            id,
            attrs,
            ..Default::default()
        };
        for c in &n.children {
            match c.name {
                "ALTERNATIVE-ID" => {}
                "TYPE" => r.type_ref = self.reference(n, "TYPE", "spec relation type"),
                "SOURCE" => r.source = self.reference(n, "SOURCE", "spec object"),
                "TARGET" => r.target = self.reference(n, "TARGET", "spec object"),
                "VALUES" => {
                    let mut extra = std::mem::take(&mut r.extra);
                    r.values = self.values(n, &mut extra);
                    r.extra = extra;
                }
                _ => self.keep(c, &mut r.extra, "SPEC-RELATION"),
            }
        }
        r
    }

    fn hierarchy(&mut self, n: &Node) -> Hierarchy {
        let (id, attrs) = self.identity(n);
        let mut h = Hierarchy {
            id,
            attrs,
            ..Default::default()
        };
        for c in &n.children {
            match c.name {
                "ALTERNATIVE-ID" => {}
                "OBJECT" => h.object = self.reference(n, "OBJECT", "spec object"),
                "CHILDREN" => {
                    for k in &c.children {
                        if k.name == "SPEC-HIERARCHY" {
                            let child = self.hierarchy(k);
                            h.children.push(child);
                        } else {
                            self.keep(k, &mut h.extra, "CHILDREN");
                        }
                    }
                }
                _ => self.keep(c, &mut h.extra, "SPEC-HIERARCHY"),
            }
        }
        h
    }

    fn specification(&mut self, n: &Node) -> Specification {
        let (id, attrs) = self.identity(n);
        let mut s = Specification {
            id,
            attrs,
            ..Default::default()
        };
        for c in &n.children {
            match c.name {
                "ALTERNATIVE-ID" => {}
                "TYPE" => s.type_ref = self.reference(n, "TYPE", "specification type"),
                "VALUES" => {
                    let mut extra = std::mem::take(&mut s.extra);
                    s.values = self.values(n, &mut extra);
                    s.extra = extra;
                }
                "CHILDREN" => {
                    for k in &c.children {
                        if k.name == "SPEC-HIERARCHY" {
                            let child = self.hierarchy(k);
                            s.children.push(child);
                        } else {
                            self.keep(k, &mut s.extra, "CHILDREN");
                        }
                    }
                }
                _ => self.keep(c, &mut s.extra, "SPECIFICATION"),
            }
        }
        s
    }

    fn relation_group(&mut self, n: &Node) -> RelationGroup {
        let (id, attrs) = self.identity(n);
        let mut g = RelationGroup {
            id,
            attrs,
            ..Default::default()
        };
        for c in &n.children {
            match c.name {
                "ALTERNATIVE-ID" => {}
                "TYPE" => g.type_ref = self.reference(n, "TYPE", "relation group type"),
                "SOURCE-SPECIFICATION" => {
                    g.source_specification =
                        self.reference(n, "SOURCE-SPECIFICATION", "specification")
                }
                "TARGET-SPECIFICATION" => {
                    g.target_specification =
                        self.reference(n, "TARGET-SPECIFICATION", "specification")
                }
                "SPEC-RELATIONS" => {
                    for r in &c.children {
                        let id = r.text.trim().to_string();
                        self.refer(n, r.start, "spec relation", &id);
                        g.relations.push(id);
                    }
                }
                _ => self.keep(c, &mut g.extra, "RELATION-GROUP"),
            }
        }
        g
    }

    /// Every reference that names nothing in the document becomes a warning at the reference.
    fn check_references(&mut self, doc: &ReqIf) {
        self.known = HashSet::new();
        let mut known: HashSet<&str> = HashSet::new();
        known.extend(doc.datatypes.iter().map(|d| d.id.identifier.as_str()));
        for t in &doc.spec_types {
            known.insert(t.id.identifier.as_str());
            known.extend(t.attributes.iter().map(|a| a.id.identifier.as_str()));
        }
        known.extend(doc.spec_objects.iter().map(|o| o.id.identifier.as_str()));
        known.extend(doc.spec_relations.iter().map(|r| r.id.identifier.as_str()));
        known.extend(doc.specifications.iter().map(|s| s.id.identifier.as_str()));
        let refs = std::mem::take(&mut self.refs);
        for (element, pos, kind, id) in refs {
            if !known.contains(id.as_str()) {
                self.warn(
                    pos,
                    element,
                    format!("refers to the {kind} {id}, which is not in the document; the reference is kept"),
                );
            }
        }
    }
}

/// The record sections of `REQ-IF-CONTENT`.
const SECTIONS: [&str; 6] = [
    "DATATYPES",
    "SPEC-TYPES",
    "SPEC-OBJECTS",
    "SPEC-RELATIONS",
    "SPECIFICATIONS",
    "SPEC-RELATION-GROUPS",
];

/// Whether `s` is an XML name (quick-xml takes attribute names as they come).
fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    let start = |c: char| c.is_alphabetic() || c == '_' || c == ':' || !c.is_ascii();
    chars.next().is_some_and(start)
        && chars.all(|c| start(c) || c.is_ascii_digit() || c == '-' || c == '.')
}
