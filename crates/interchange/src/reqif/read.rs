//! Reads ReqIF XML into [`ReqIf`]. One pass over the document with quick-xml; each record
//! (a spec object, a specification...) is first read into a small element tree, then mapped, so
//! memory holds the model and one record's tree, not the whole document's. What the standard
//! does not name is kept as the XML it was; what cannot be taken becomes a [`Warning`] with its
//! line and column, never an abort of the whole file.
//!
//! A large `SPEC-OBJECTS` section is read on several cores: it is cut after a
//! `</SPEC-OBJECT>` into pieces, each read by its own parser. Other cores take the pieces one
//! at a time from a queue, while the document's parser goes on with the rest of the document
//! (relations, hierarchy) and then takes what pieces are left, so every core stays busy until
//! the end whatever the machine. Then the pieces' records, warnings and unresolved references
//! are put back in document order, and the references the rest made to their records are
//! resolved. Only a cut that falls
//! between two records can read cleanly (a cut inside a comment, a CDATA section or an element
//! leaves a piece unfinished), and any piece that does not read sends the document back to the
//! one-core reader, so the result and the errors are the same either way.

use super::model::*;
use quick_xml::events::attributes::Attributes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

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
    #[error(
        "not a ReqIF document: it holds no XML element (an empty file, or text that is not XML)"
    )]
    NoElement,
    #[error("the document ends before {0} is closed (truncated?)")]
    Truncated(String),
}

/// A document read, with what could not be taken as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub reqif: ReqIf,
    pub warnings: Vec<Warning>,
}

/// One record's elements as read, in one arena reused from record to record: names, attributes
/// and text borrow from the input where they can (no entity to decode), and the arena keeps its
/// capacity, so reading a record allocates next to nothing beyond the model it becomes.
#[derive(Debug, Default)]
struct Tree<'i> {
    slots: Vec<Slot<'i>>,
    attrs: Vec<(&'i str, Cow<'i, str>)>,
}

/// An element in a [`Tree`]; links are indices into the tree, 0 for none (the record's own
/// element, at 0, is nobody's child or sibling).
#[derive(Debug)]
struct Slot<'i> {
    name: &'i str,
    attrs: (u32, u32),
    first_child: u32,
    last_child: u32,
    next: u32,
    text: Cow<'i, str>,
    /// Byte range of the whole element in the input.
    start: usize,
    end: usize,
}

impl Tree<'_> {
    fn clear(&mut self) {
        self.slots.clear();
        self.attrs.clear();
    }
}

/// An element of a record read into a [`Tree`].
#[derive(Clone, Copy)]
struct Node<'t, 'i> {
    tree: &'t Tree<'i>,
    at: u32,
}

impl<'t, 'i> Node<'t, 'i> {
    fn slot(&self) -> &'t Slot<'i> {
        &self.tree.slots[self.at as usize]
    }
    fn name(&self) -> &'i str {
        self.slot().name
    }
    fn text(&self) -> &'t str {
        &self.slot().text
    }
    fn text_cow(&self) -> &'t Cow<'i, str> {
        &self.slot().text
    }
    fn start(&self) -> usize {
        self.slot().start
    }
    fn end(&self) -> usize {
        self.slot().end
    }
    fn attrs(&self) -> &'t [(&'i str, Cow<'i, str>)] {
        let (a, b) = self.slot().attrs;
        &self.tree.attrs[a as usize..b as usize]
    }
    fn attr_cow(&self, name: &str) -> Option<&'t Cow<'i, str>> {
        self.attrs()
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
    fn attr(&self, name: &str) -> Option<&'t str> {
        self.attr_cow(name).map(|v| v.as_ref())
    }
    /// The value of an attribute when it is the input's own text (no entity in it).
    fn attr_in_input(&self, name: &str) -> Option<&'i str> {
        match self.attr_cow(name)? {
            Cow::Borrowed(s) => Some(s),
            Cow::Owned(_) => None,
        }
    }
    fn children(&self) -> Children<'t, 'i> {
        Children {
            tree: self.tree,
            at: self.slot().first_child,
        }
    }
    fn child(&self, name: &str) -> Option<Node<'t, 'i>> {
        self.children().find(|c| c.name() == name)
    }
    fn first_child(&self) -> Option<Node<'t, 'i>> {
        self.children().next()
    }
}

struct Children<'t, 'i> {
    tree: &'t Tree<'i>,
    at: u32,
}

impl<'t, 'i> Iterator for Children<'t, 'i> {
    type Item = Node<'t, 'i>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.at == 0 {
            return None;
        }
        let n = Node {
            tree: self.tree,
            at: self.at,
        };
        self.at = n.slot().next;
        Some(n)
    }
}

fn local(qname: &[u8]) -> &[u8] {
    // memchr's search for the last `:`: every element's name passes here.
    match memchr::memrchr(b':', qname) {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// Deeper than this, a document is refused: real files nest fewer than 30 levels, and the
/// reader, the writer and the import walk the tree recursively.
pub const MAX_DEPTH: usize = 256;

/// Identifiers of records read so far, as written in the input. Identifiers come from the file,
/// so the hash is seeded per process (foldhash), not a fixed function an attacker could collide.
type Known<'i> = HashSet<&'i str, foldhash::fast::RandomState>;

/// A reference to something not read yet, checked once the whole document is read. Its parts
/// borrow from the input where they can: a large document's relations and hierarchy refer
/// to tens of thousands of spec objects that a parser on another core is reading.
struct Ref<'i> {
    /// The referring element's name and identifier (see [`Parser::label`]).
    element: &'i str,
    identifier: Option<Cow<'i, str>>,
    /// Where the reference is.
    pos: usize,
    /// What kind of thing it names, and its identifier.
    kind: &'static str,
    id: Cow<'i, str>,
}

/// Starts another core on the pieces of a `SPEC-OBJECTS` section (it takes them from the
/// queue until none is left).
type Spawn<'k, 'i> = Box<dyn Fn(Arc<Queue<'i>>) + 'k>;

/// The pieces of a `SPEC-OBJECTS` section, taken one at a time by whichever core is free.
struct Queue<'i> {
    input: &'i str,
    /// Piece `k` is `input[cuts[k]..cuts[k + 1]]`.
    cuts: Vec<usize>,
    next: AtomicUsize,
    /// Set when a piece did not read on its own: the rest are not worth reading.
    failed: AtomicBool,
    /// The identifiers the document had read before the section.
    known: Known<'i>,
}

impl<'i> Queue<'i> {
    fn pieces(&self) -> usize {
        self.cuts.len() - 1
    }

    /// Reads the next piece nobody has taken: its number and what it read.
    fn take(&self) -> Option<(usize, Option<Piece<'i>>)> {
        if self.failed.load(Ordering::Relaxed) {
            return None;
        }
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        let (from, to) = (*self.cuts.get(k)?, *self.cuts.get(k + 1)?);
        let piece = Piece::read(self.input, from, to, &self.known).ok();
        if piece.is_none() {
            self.failed.store(true, Ordering::Relaxed);
        }
        Some((k, piece))
    }
}

/// Where a `SPEC-OBJECTS` section read in pieces was, and what was read before the pieces
/// come back: they are put back in document order once the rest of the document (read on this
/// core meanwhile) is read.
struct Split<'i> {
    queue: Arc<Queue<'i>>,
    /// How much of the document's objects, extra, warnings and references there were at the
    /// section, where the pieces' go.
    objects: usize,
    extra: usize,
    warnings: usize,
    refs: usize,
}

/// A `SPEC-OBJECTS` section smaller than this is read on one core: below it, starting threads
/// costs about what they save.
const PARALLEL_FROM: usize = 4 << 20;

/// A section read in pieces is cut into pieces of at least this part of the threshold (256 KiB
/// by default), at most this many for each core: small enough that the cores end together
/// (the last piece is all that one core may still be reading when the others are done), large
/// enough that starting a parser on each costs nothing.
const PIECE_OF_THRESHOLD: usize = 16;
const PIECES_PER_CORE: usize = 8;

struct Parser<'i, 'k> {
    input: &'i str,
    /// Where in `input` the reader's text begins (a piece's parser, or a reader resumed after
    /// the pieces, reads part of it).
    base: usize,
    depth: usize,
    /// Where each line starts, built at the first warning.
    line_starts: Option<Vec<usize>>,
    reader: Reader<&'i [u8]>,
    /// The qualified names of the open elements, innermost last. End tags are checked against
    /// it here rather than by quick-xml, so that a reader resumed part-way through the document
    /// still knows what is open.
    open: Vec<&'i str>,
    /// Where the event being taken apart starts (about: before leading whitespace), for the
    /// errors the reader finds itself in it (a bad entity, a bad attribute).
    at: usize,
    warnings: Vec<Warning>,
    /// Identifiers of the records read so far: most references point back to one of them.
    known: Known<'i>,
    /// A piece's parser also knows what the document's parser had read before the section.
    known_before: Option<&'k Known<'i>>,
    refs: Vec<Ref<'i>>,
    tree: Tree<'i>,
    /// How many parsers a large `SPEC-OBJECTS` section may be read with, and from what size.
    threads: usize,
    parallel_from: usize,
    /// Hands a piece of `SPEC-OBJECTS` to another core (the document's parser, on several).
    spawn: Option<Spawn<'k, 'i>>,
    /// The `SPEC-OBJECTS` section read in pieces, until they are put back.
    split: Option<Split<'i>>,
}

/// Reads a ReqIF document (UTF-8, with or without a byte order mark; default or prefixed
/// namespace), a large one on every core the machine has.
pub fn read(bytes: &[u8]) -> Result<Read, ReadError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    read_with(bytes, threads, PARALLEL_FROM).map(|(read, _)| read)
}

/// [`read`], with a `SPEC-OBJECTS` section of at least `parallel_from` bytes cut into pieces
/// read on `threads` cores side by side; also says how many pieces the section was read in (1
/// also when it was not cut). The result is the same for any `threads`: tests compare.
#[doc(hidden)]
pub fn read_with(
    bytes: &[u8],
    threads: usize,
    parallel_from: usize,
) -> Result<(Read, usize), ReadError> {
    // simdutf8 says only whether it is; std's error says where it is not.
    let text = simdutf8::basic::from_utf8(bytes)
        .or_else(|_| std::str::from_utf8(bytes))
        .map_err(|e| ReadError::NotUtf8(e.to_string()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if threads <= 1 {
        let mut p = Parser::new(text, 0, text.len(), None);
        let doc = p.document()?;
        return Ok((p.finish(doc), 1));
    }
    let read = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut p = Parser::new(text, 0, text.len(), None);
        p.threads = threads;
        p.parallel_from = parallel_from.max(1);
        p.spawn = Some(Box::new(move |queue: Arc<Queue<'_>>| {
            let tx = tx.clone();
            // A thread that cannot start leaves its share to the others and this one.
            let _ = std::thread::Builder::new()
                .name("reqif-piece".into())
                .spawn_scoped(scope, move || {
                    while let Some(done) = queue.take() {
                        let _ = tx.send(done);
                    }
                });
        }));
        let doc = p.document();
        // Dropping the last sender ends `rx` once the other cores are done.
        p.spawn = None;
        let Some(split) = p.split.take() else {
            return Some(doc.map(|doc| (p.finish(doc), 1)));
        };
        // The rest of the document read, this core takes what pieces are left.
        let mut pieces: Vec<Option<Piece<'_>>> = (0..split.queue.pieces()).map(|_| None).collect();
        while let Some((k, piece)) = split.queue.take() {
            pieces[k] = piece;
        }
        for (k, piece) in rx {
            pieces[k] = piece;
        }
        // `None`: a piece did not read on its own (or was not read after one did not).
        let pieces: Vec<Piece<'_>> = pieces.into_iter().collect::<Option<_>>()?;
        // Every piece read: an error after them is the document's first.
        let mut doc = match doc {
            Ok(doc) => doc,
            Err(e) => return Some(Err(e)),
        };
        let count = pieces.len();
        p.put_back(split, pieces, &mut doc);
        Some(Ok((p.finish(doc), count)))
    });
    // `None`: a piece did not read on its own; one core reads the document as it is.
    read.unwrap_or_else(|| read_with(bytes, 1, usize::MAX))
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

fn reader_of(text: &str) -> Reader<&[u8]> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(true);
    // Checked in `Parser::event` instead (see `Parser::open`).
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    reader
}

impl<'i, 'k> Parser<'i, 'k> {
    /// A parser of `input[from..to]`; positions are the whole input's.
    fn new(input: &'i str, from: usize, to: usize, known_before: Option<&'k Known<'i>>) -> Self {
        // quick-xml drops a byte order mark at the start of what it reads without counting it
        // in its positions: drop it here, and count it. (Inside a document U+FEFF is only
        // text, and text between records is ignored, so a piece that starts with one reads as
        // the whole document does.)
        let from = match input.get(from..to) {
            Some(t) if t.starts_with('\u{feff}') => from + '\u{feff}'.len_utf8(),
            _ => from,
        };
        Parser {
            input,
            base: from,
            depth: 0,
            line_starts: None,
            reader: reader_of(input.get(from..to).unwrap_or("")),
            open: Vec::new(),
            at: from,
            warnings: Vec::new(),
            known: Known::default(),
            known_before,
            refs: Vec::new(),
            tree: Tree::default(),
            threads: 1,
            parallel_from: usize::MAX,
            spawn: None,
            split: None,
        }
    }

    fn pos(&self) -> usize {
        self.base
            .saturating_add(usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX))
    }

    /// An error quick-xml reported, where it says it is.
    fn xml_error(&self, e: impl std::fmt::Display) -> ReadError {
        let at = self
            .base
            .saturating_add(usize::try_from(self.reader.error_position()).unwrap_or(0));
        self.xml_error_at(at, e)
    }

    fn xml_error_at(&self, at: usize, e: impl std::fmt::Display) -> ReadError {
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

    /// An error the reader found itself in the current event.
    fn own_error(&self, e: impl std::fmt::Display) -> ReadError {
        self.xml_error_at(self.at, e)
    }

    /// The next event, with the open elements kept and end tags checked against them.
    fn event(&mut self) -> Result<Event<'i>, ReadError> {
        self.at = self.pos();
        let ev = self.reader.read_event().map_err(|e| self.xml_error(e))?;
        match &ev {
            Event::Start(e) => {
                let name = self
                    .in_input(e.name().as_ref())
                    .ok_or_else(|| self.own_error("an element name that is not text"))?;
                self.open.push(name);
            }
            Event::End(e) => {
                let found = e.name();
                let problem = match self.open.pop() {
                    Some(open) if open.as_bytes() == found.as_ref() => None,
                    Some(open) => Some(format!(
                        "expected `</{open}>`, but `</{}>` was found",
                        String::from_utf8_lossy(found.as_ref())
                    )),
                    None => Some(format!(
                        "`</{}>` closes an element that was never opened",
                        String::from_utf8_lossy(found.as_ref())
                    )),
                };
                if let Some(problem) = problem {
                    // The end tag is the last `</` before here (in `</B >` the name is
                    // trimmed, so its length does not say where the tag starts).
                    let after = self.pos();
                    let at = self
                        .input
                        .get(..after)
                        .and_then(|t| t.rfind("</"))
                        .unwrap_or(after);
                    return Err(self.xml_error_at(at, problem));
                }
            }
            Event::DocType(_) => {
                let (line, column) = line_col(self.input, self.pos());
                return Err(ReadError::Dtd { line, column });
            }
            _ => {}
        }
        Ok(ev)
    }

    fn next(&mut self) -> Result<Ev<'i>, ReadError> {
        loop {
            let ev = self.event()?;
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
                Event::Eof => Ev::Eof,
                Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => continue,
            });
        }
    }

    /// Bytes the reader took from the input, as the input's own text (the reader reads from
    /// the input without copying, so they are in it).
    fn in_input(&self, b: &[u8]) -> Option<&'i str> {
        let at = self.offset_of(b)?;
        self.input.get(at..at.checked_add(b.len())?)
    }

    /// Where bytes the reader took from the input are in it.
    fn offset_of(&self, b: &[u8]) -> Option<usize> {
        (b.as_ptr() as usize)
            .checked_sub(self.input.as_ptr() as usize)
            .filter(|at| *at <= self.input.len())
    }

    /// An error in bytes taken from the input (text, an attribute, a tag), at those bytes.
    fn error_in(&self, b: &[u8], e: impl std::fmt::Display) -> ReadError {
        self.xml_error_at(self.offset_of(b).unwrap_or(self.at), e)
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
            Cow::Borrowed(raw) => quick_xml::escape::unescape(raw).map_err(|e| self.error_in(b, e)),
            Cow::Owned(raw) => Ok(Cow::Owned(
                quick_xml::escape::unescape(&raw)
                    .map_err(|e| self.error_in(b, e))?
                    .into_owned(),
            )),
        }
    }

    /// An element's name (qualified, as written), with its attributes added to `out`.
    fn tag(
        &self,
        e: &BytesStart<'i>,
        keep_prefix: bool,
        out: &mut Vec<(&'i str, Cow<'i, str>)>,
    ) -> Result<&'i str, ReadError> {
        let name_len = e.name().as_ref().len();
        let Some(content) = self.in_input(e) else {
            return Err(self.own_error("an element the reader did not take from the input"));
        };
        let name = content.get(..name_len).unwrap_or(content);
        // The tag's `<`, for what is wrong in it.
        let tag_at = self.offset_of(e).unwrap_or(self.at).saturating_sub(1);
        for a in Attributes::new(content, name_len) {
            let a = a.map_err(|err| self.xml_error_at(tag_at, err))?;
            let key_bytes = a.key.into_inner();
            let key_bytes = if keep_prefix {
                key_bytes
            } else {
                local(key_bytes)
            };
            let Some(key) = self.in_input(key_bytes) else {
                return Err(self.xml_error_at(tag_at, "an attribute name that is not text"));
            };
            if !is_xml_name(key) {
                return Err(self.xml_error_at(tag_at, format!("{key:?} is not an attribute name")));
            }
            let value = self.unescaped(&a.value)?;
            out.push((key, value));
        }
        Ok(name)
    }

    /// Reads a record: the element `e` starts (already consumed) and everything in it, into
    /// the parser's arena, which the caller gives back with [`Parser::recycle`].
    fn record(
        &mut self,
        e: BytesStart<'i>,
        start: usize,
        empty: bool,
    ) -> Result<Tree<'i>, ReadError> {
        let mut tree = std::mem::take(&mut self.tree);
        tree.clear();
        self.node(&mut tree, e, start, empty)?;
        Ok(tree)
    }

    fn recycle(&mut self, tree: Tree<'i>) {
        self.tree = tree;
    }

    /// Reads the element that `e` starts (already consumed) into `tree`, returning its index.
    /// The XHTML of `THE-VALUE` and `THE-ORIGINAL-VALUE` elements is kept as text: the XML it
    /// was.
    fn node(
        &mut self,
        tree: &mut Tree<'i>,
        e: BytesStart<'i>,
        start: usize,
        empty: bool,
    ) -> Result<u32, ReadError> {
        let at = u32::try_from(tree.slots.len())
            .map_err(|_| self.xml_error_at(start, "a record with too many elements"))?;
        let a = tree.attrs.len() as u32;
        // Qualified: `xml:lang` and `xmlns:xhtml` must write back as they were.
        let qname = self.tag(&e, true, &mut tree.attrs)?;
        let name = local_str(qname);
        tree.slots.push(Slot {
            name,
            attrs: (a, tree.attrs.len() as u32),
            first_child: 0,
            last_child: 0,
            next: 0,
            text: Cow::Borrowed(""),
            start,
            end: start,
        });
        let me = at as usize;
        if empty {
            tree.slots[me].end = self.pos();
            return Ok(at);
        }
        if self.depth >= MAX_DEPTH {
            return Err(self.xml_error_at(
                start,
                format!("elements nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        if name == "THE-VALUE" || name == "THE-ORIGINAL-VALUE" {
            let (from, to) = self.skip_content()?;
            tree.slots[me].text = Cow::Borrowed(self.input.get(from..to).unwrap_or("").trim());
            tree.slots[me].end = self.pos();
            return Ok(at);
        }
        self.depth += 1;
        loop {
            let child = match self.next()? {
                Ev::Start(c, s) => self.node(tree, c, s, false)?,
                Ev::Empty(c, s) => self.node(tree, c, s, true)?,
                Ev::Text(t) => {
                    let text = &mut tree.slots[me].text;
                    if text.is_empty() {
                        *text = t;
                    } else {
                        text.to_mut().push_str(&t);
                    }
                    continue;
                }
                Ev::End => break,
                Ev::Eof => return Err(ReadError::Truncated(name.to_string())),
            };
            let last = tree.slots[me].last_child as usize;
            if last == 0 {
                tree.slots[me].first_child = child;
            } else {
                tree.slots[last].next = child;
            }
            tree.slots[me].last_child = child;
        }
        self.depth -= 1;
        tree.slots[me].end = self.pos();
        Ok(at)
    }

    /// Passes over the content of the element just opened, up to and including its end tag,
    /// checking that it is well-formed; returns the content's byte range.
    fn skip_content(&mut self) -> Result<(usize, usize), ReadError> {
        let from = self.pos();
        let level = self.open.len();
        loop {
            let before = self.pos();
            match self.event()? {
                Event::End(_) if self.open.len() < level => return Ok((from, before)),
                Event::Eof => {
                    let name = self.open.last().copied().unwrap_or_default();
                    return Err(ReadError::Truncated(local_str(name).to_string()));
                }
                _ => {}
            }
        }
    }

    /// Reads what is left of a section (a piece's parser reads to the end of its text).
    fn records(
        &mut self,
        section: &str,
        doc: &mut ReqIf,
        to_the_end: bool,
    ) -> Result<(), ReadError> {
        loop {
            let tree = match self.next()? {
                Ev::Start(e, s) => self.record(e, s, false)?,
                Ev::Empty(e, s) => self.record(e, s, true)?,
                Ev::Text(_) => continue,
                Ev::End if !to_the_end => return Ok(()),
                Ev::Eof if to_the_end => return Ok(()),
                Ev::End => return Err(self.own_error("a piece of the document ended early")),
                Ev::Eof => return Err(ReadError::Truncated(section.into())),
            };
            self.take_record(section, Node { tree: &tree, at: 0 }, doc);
            self.recycle(tree);
        }
    }

    fn raw(&self, n: Node<'_, 'i>) -> String {
        self.input.get(n.start()..n.end()).unwrap_or("").to_string()
    }

    fn label(n: Node<'_, 'i>) -> String {
        label_of(n.name(), n.attr("IDENTIFIER"))
    }

    /// Keeps an element the standard does not name here, and says so.
    fn keep(&mut self, n: Node<'_, 'i>, extra: &mut Vec<String>, parent: &str) {
        self.warn(
            n.start(),
            Self::label(n),
            format!("not part of ReqIF 1.2 inside {parent}; kept verbatim"),
        );
        extra.push(self.raw(n));
    }

    /// Reads a record that is not one of the sections' and keeps it verbatim in `doc.extra`,
    /// unless it is one of `expected` (elements with a place of their own, written empty).
    fn keep_record(
        &mut self,
        e: BytesStart<'i>,
        s: usize,
        empty: bool,
        doc: &mut ReqIf,
        parent: &str,
        expected: &[&str],
    ) -> Result<(), ReadError> {
        let tree = self.record(e, s, empty)?;
        let n = Node { tree: &tree, at: 0 };
        if !expected.contains(&n.name()) {
            let mut extra = std::mem::take(&mut doc.extra);
            self.keep(n, &mut extra, parent);
            doc.extra = extra;
        }
        self.recycle(tree);
        Ok(())
    }

    fn document(&mut self) -> Result<ReqIf, ReadError> {
        let root = loop {
            match self.next()? {
                Ev::Start(e, _) => break e,
                Ev::Empty(e, _) => {
                    return Err(ReadError::NotReqIf(
                        String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                    ))
                }
                Ev::Text(_) => continue,
                Ev::End | Ev::Eof => return Err(ReadError::NoElement),
            }
        };
        let mut attrs = Vec::new();
        let qname = self.tag(&root, true, &mut attrs)?;
        let root_attrs: Attrs = attrs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_owned()))
            .collect();
        if local_str(qname) != "REQ-IF" {
            return Err(ReadError::NotReqIf(qname.to_string()));
        }
        let mut doc = ReqIf {
            root_attrs,
            prefix: qname.split_once(':').map(|(p, _)| p.to_string()),
            ..Default::default()
        };
        loop {
            match self.next()? {
                Ev::Start(e, s) => match local(e.name().as_ref()) {
                    b"CORE-CONTENT" => self.core_content(&mut doc)?,
                    b"TOOL-EXTENSIONS" => self.tool_extensions(&mut doc)?,
                    _ => {
                        let tree = self.record(e, s, false)?;
                        let n = Node { tree: &tree, at: 0 };
                        if n.name() == "THE-HEADER" {
                            self.header(n, &mut doc);
                        } else {
                            let mut extra = std::mem::take(&mut doc.extra);
                            self.keep(n, &mut extra, "REQ-IF");
                            doc.extra = extra;
                        }
                        self.recycle(tree);
                    }
                },
                Ev::Empty(e, s) => self.keep_record(
                    e,
                    s,
                    true,
                    &mut doc,
                    "REQ-IF",
                    &["CORE-CONTENT", "TOOL-EXTENSIONS", "THE-HEADER"],
                )?,
                Ev::Text(_) => {}
                Ev::End => break,
                Ev::Eof => return Err(ReadError::Truncated("REQ-IF".into())),
            }
        }
        Ok(doc)
    }

    fn header(&mut self, n: Node<'_, 'i>, doc: &mut ReqIf) {
        for h in n.children() {
            if h.name() != "REQ-IF-HEADER" {
                let mut extra = std::mem::take(&mut doc.extra);
                self.keep(h, &mut extra, "THE-HEADER");
                doc.extra = extra;
                continue;
            }
            doc.header.identifier = h.attr("IDENTIFIER").unwrap_or("").to_string();
            for f in h.children() {
                doc.header
                    .fields
                    .push((f.name().to_string(), f.text().to_string()));
            }
        }
    }

    fn tool_extensions(&mut self, doc: &mut ReqIf) -> Result<(), ReadError> {
        loop {
            let tree = match self.next()? {
                Ev::Start(e, s) => self.record(e, s, false)?,
                Ev::Empty(e, s) => self.record(e, s, true)?,
                Ev::Text(_) => continue,
                Ev::End => return Ok(()),
                Ev::Eof => return Err(ReadError::Truncated("TOOL-EXTENSIONS".into())),
            };
            let raw = self.raw(Node { tree: &tree, at: 0 });
            doc.tool_extensions.push(raw);
            self.recycle(tree);
        }
    }

    /// `CORE-CONTENT/REQ-IF-CONTENT`, section by section, record by record.
    fn core_content(&mut self, doc: &mut ReqIf) -> Result<(), ReadError> {
        let mut depth = 0;
        loop {
            match self.next()? {
                Ev::Start(e, s) => {
                    let (is_content, section) = {
                        let qname = e.name();
                        let name = local(qname.as_ref());
                        let section = SECTIONS.iter().find(|x| x.as_bytes() == name).copied();
                        (name == b"REQ-IF-CONTENT", section)
                    };
                    if depth == 0 && is_content {
                        depth = 1;
                        continue;
                    }
                    if let (1, Some(section)) = (depth, section) {
                        self.section(section, doc)?;
                        continue;
                    }
                    self.keep_record(e, s, false, doc, "REQ-IF-CONTENT", &[])?;
                }
                Ev::Empty(e, s) => {
                    let mut expected = SECTIONS.to_vec();
                    expected.push("REQ-IF-CONTENT");
                    self.keep_record(e, s, true, doc, "REQ-IF-CONTENT", &expected)?;
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

    /// One of [`SECTIONS`], whose start tag was just read; a large `SPEC-OBJECTS` in pieces.
    fn section(&mut self, section: &str, doc: &mut ReqIf) -> Result<(), ReadError> {
        if section == "SPEC-OBJECTS" && self.spawn.is_some() && self.split.is_none() {
            if let Some(done) = self.spec_objects_in_pieces(doc) {
                return done;
            }
        }
        self.records(section, doc, false)
    }

    /// Cuts the rest of the `SPEC-OBJECTS` section just opened into pieces for other cores to
    /// read, and goes on after the section while they read (this core takes the pieces left
    /// when it is done; they are put back by [`Parser::put_back`]); `None` (nothing read,
    /// nothing changed) when the section is too small to gain from it.
    fn spec_objects_in_pieces(&mut self, doc: &mut ReqIf) -> Option<Result<(), ReadError>> {
        let from = self.pos();
        let qname = *self.open.last()?;
        let end = from + find_last_end_tag(self.input.get(from..)?, qname)?;
        let objects = end - from;
        if objects < self.parallel_from {
            return None;
        }
        let pieces = (objects / (self.parallel_from / PIECE_OF_THRESHOLD).max(1))
            .min(self.threads * PIECES_PER_CORE);
        if pieces < 2 {
            return None;
        }
        let prefix = qname.strip_suffix("SPEC-OBJECTS")?;
        let close = format!("</{prefix}SPEC-OBJECT>");
        // Each cut after the first record end past its target.
        let mut cuts = vec![from];
        for k in 1..pieces {
            let mut target = (from + objects / pieces * k).max(cuts[cuts.len() - 1]);
            while !self.input.is_char_boundary(target) {
                target += 1;
            }
            if let Some(cut) = record_end_after(self.input, target, end, &close) {
                cuts.push(cut);
            }
        }
        cuts.push(end);
        cuts.dedup();
        if cuts.len() < 3 {
            return None;
        }
        let queue = Arc::new(Queue {
            input: self.input,
            cuts,
            next: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
            known: self.known.clone(),
        });
        let spawn = self.spawn.as_ref()?;
        for _ in 1..self.threads.min(queue.pieces()) {
            spawn(Arc::clone(&queue));
        }
        self.split = Some(Split {
            queue,
            objects: doc.spec_objects.len(),
            extra: doc.extra.len(),
            warnings: self.warnings.len(),
            refs: self.refs.len(),
        });
        // The pieces end where the section's end tag starts; read on from there. The open
        // elements are still on `self.open`, so the end tag is checked as any other.
        self.reader = reader_of(self.input.get(end..).unwrap_or(""));
        self.base = end;
        Some(self.records("SPEC-OBJECTS", doc, false))
    }

    /// Puts the pieces of a `SPEC-OBJECTS` section read on several cores back where the
    /// section was: its records, the elements kept verbatim, the warnings and the references
    /// still to check. The references made after the section (relations, hierarchy) to the
    /// pieces' records are resolved now.
    fn put_back(&mut self, split: Split<'i>, mut pieces: Vec<Piece<'i>>, doc: &mut ReqIf) {
        let mut after = self.refs.split_off(split.refs);
        if !after.is_empty() {
            let mut known = Known::default();
            known.reserve(pieces.iter().map(|p| p.known.len()).sum());
            for p in &pieces {
                known.extend(p.known.iter().map(|id| &**id));
            }
            after.retain(|r| !known.contains(&*r.id));
        }
        insert_at(
            &mut doc.spec_objects,
            split.objects,
            pieces.iter_mut().map(|p| std::mem::take(&mut p.objects)),
        );
        insert_at(
            &mut doc.extra,
            split.extra,
            pieces.iter_mut().map(|p| std::mem::take(&mut p.extra)),
        );
        insert_at(
            &mut self.warnings,
            split.warnings,
            pieces.iter_mut().map(|p| std::mem::take(&mut p.warnings)),
        );
        for p in &mut pieces {
            self.refs.append(&mut p.refs);
        }
        self.refs.append(&mut after);
    }

    /// The document read, with every reference that names nothing in it a warning.
    fn finish(mut self, doc: ReqIf) -> Read {
        self.check_references(&doc);
        Read {
            reqif: doc,
            warnings: self.warnings,
        }
    }

    /// Maps a record read in `section` into the document, or keeps it verbatim.
    fn take_record(&mut self, section: &str, n: Node<'_, 'i>, doc: &mut ReqIf) {
        match (section, n.name()) {
            ("DATATYPES", name) if name.starts_with("DATATYPE-DEFINITION-") => {
                let d = self.datatype(n);
                self.learn(n);
                doc.datatypes.push(d);
            }
            (
                "SPEC-TYPES",
                "SPEC-OBJECT-TYPE"
                | "SPECIFICATION-TYPE"
                | "SPEC-RELATION-TYPE"
                | "RELATION-GROUP-TYPE",
            ) => {
                let t = self.spec_type(n);
                self.learn(n);
                if let Some(defs) = n.child("SPEC-ATTRIBUTES") {
                    for a in defs.children() {
                        if a.name().starts_with("ATTRIBUTE-DEFINITION-") {
                            self.learn(a);
                        }
                    }
                }
                doc.spec_types.push(t);
            }
            ("SPEC-OBJECTS", "SPEC-OBJECT") => {
                let o = self.spec_object(n);
                self.learn(n);
                doc.spec_objects.push(o);
            }
            ("SPEC-RELATIONS", "SPEC-RELATION") => {
                let r = self.spec_relation(n);
                self.learn(n);
                doc.spec_relations.push(r);
            }
            ("SPECIFICATIONS", "SPECIFICATION") => {
                let s = self.specification(n);
                self.learn(n);
                doc.specifications.push(s);
            }
            ("SPEC-RELATION-GROUPS", "RELATION-GROUP") => {
                let g = self.relation_group(n);
                doc.relation_groups.push(g);
            }
            _ => {
                let mut extra = std::mem::take(&mut doc.extra);
                self.keep(n, &mut extra, section);
                doc.extra = extra;
            }
        }
    }

    /// Remembers the identifier of a record read, when it is the input's own text (one with
    /// an entity in it is found by [`Parser::check_references`] instead).
    fn learn(&mut self, n: Node<'_, 'i>) {
        if let Some(id) = n.attr_in_input("IDENTIFIER") {
            self.known.insert(id);
        }
    }

    /// The identity of an identifiable element and its other XML attributes.
    fn identity(&mut self, n: Node<'_, 'i>) -> (Identity, Attrs) {
        let mut id = Identity::default();
        let mut attrs = Vec::new();
        for (k, v) in n.attrs() {
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
            self.warn(n.start(), n.name().to_string(), "has no IDENTIFIER");
        }
        if let Some(alt) = n.child("ALTERNATIVE-ID") {
            id.alternative_id = alt
                .child("ALTERNATIVE-ID")
                .and_then(|a| a.attr("IDENTIFIER"))
                .map(str::to_string);
        }
        (id, attrs)
    }

    /// The identifier `n` refers to with the reference element `r` (its text): fine when it
    /// names a record already read; otherwise remembered, to check once the whole document is
    /// read.
    fn refer(&mut self, n: Node<'_, 'i>, r: Node<'_, 'i>, kind: &'static str) -> String {
        let id = match r.text_cow() {
            Cow::Borrowed(t) => Cow::Borrowed(t.trim()),
            Cow::Owned(t) => Cow::Owned(t.trim().to_string()),
        };
        let known = self.known.contains(id.as_ref())
            || self.known_before.is_some_and(|k| k.contains(id.as_ref()));
        let owned = id.to_string();
        if !known {
            self.refs.push(Ref {
                element: n.name(),
                identifier: n.attr_cow("IDENTIFIER").cloned(),
                pos: r.start(),
                kind,
                id,
            });
        }
        owned
    }

    /// The text of `n/CONTAINER/*-REF` (the first), remembered to check that it resolves.
    fn reference(
        &mut self,
        n: Node<'_, 'i>,
        container: &str,
        kind: &'static str,
    ) -> Option<String> {
        let r = n.child(container)?.first_child()?;
        Some(self.refer(n, r, kind))
    }

    fn datatype(&mut self, n: Node<'_, 'i>) -> Datatype {
        let (id, attrs) = self.identity(n);
        let mut d = Datatype {
            kind: n
                .name()
                .trim_start_matches("DATATYPE-DEFINITION-")
                .to_string(),
            id,
            attrs,
            ..Default::default()
        };
        for c in n.children() {
            match c.name() {
                "ALTERNATIVE-ID" => {}
                "SPECIFIED-VALUES" if d.kind == "ENUMERATION" => {
                    for v in c.children() {
                        if v.name() != "ENUM-VALUE" {
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
                _ => self.keep(c, &mut d.extra, n.name()),
            }
        }
        d
    }

    fn values(&mut self, n: Node<'_, 'i>, extra: &mut Vec<String>) -> Vec<Value> {
        let Some(values) = n.child("VALUES") else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(values.children().count());
        for v in values.children() {
            match self.value(v) {
                Some(value) => out.push(value),
                None => self.keep(v, extra, "VALUES"),
            }
        }
        out
    }

    fn value(&mut self, v: Node<'_, 'i>) -> Option<Value> {
        let kind = v.name().strip_prefix("ATTRIBUTE-VALUE-")?.to_string();
        let definition = match v.child("DEFINITION").and_then(|d| d.first_child()) {
            Some(r) => self.refer(v, r, "attribute definition"),
            None => {
                self.warn(
                    v.start(),
                    v.name().to_string(),
                    "has no DEFINITION; kept without one",
                );
                String::new()
            }
        };
        let mut attrs: Attrs = v
            .attrs()
            .iter()
            .filter(|(k, _)| *k != "THE-VALUE")
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        attrs.sort();
        let content = match kind.as_str() {
            "XHTML" => Content::Xhtml {
                value: v.child("THE-VALUE").map(|t| t.text().to_string()),
                original: v.child("THE-ORIGINAL-VALUE").map(|t| t.text().to_string()),
            },
            "ENUMERATION" => Content::Enumeration(
                v.child("VALUES")
                    .map(|vs| vs.children().map(|r| r.text().trim().to_string()).collect())
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

    fn spec_type(&mut self, n: Node<'_, 'i>) -> SpecType {
        let (id, attrs) = self.identity(n);
        let mut t = SpecType {
            element: n.name().to_string(),
            id,
            attrs,
            ..Default::default()
        };
        for c in n.children() {
            match c.name() {
                "ALTERNATIVE-ID" => {}
                "SPEC-ATTRIBUTES" => {
                    for a in c.children() {
                        if !a.name().starts_with("ATTRIBUTE-DEFINITION-") {
                            self.keep(a, &mut t.extra, "SPEC-ATTRIBUTES");
                            continue;
                        }
                        let (aid, aattrs) = self.identity(a);
                        let mut def = AttributeDefinition {
                            kind: a
                                .name()
                                .trim_start_matches("ATTRIBUTE-DEFINITION-")
                                .to_string(),
                            id: aid,
                            attrs: aattrs,
                            ..Default::default()
                        };
                        for ac in a.children() {
                            match ac.name() {
                                "ALTERNATIVE-ID" => {}
                                "TYPE" => def.datatype = self.reference(a, "TYPE", "datatype"),
                                "DEFAULT-VALUE" => {
                                    def.default_value =
                                        ac.first_child().and_then(|v| self.value(v));
                                }
                                _ => self.keep(ac, &mut def.extra, a.name()),
                            }
                        }
                        t.attributes.push(def);
                    }
                }
                _ => self.keep(c, &mut t.extra, n.name()),
            }
        }
        t
    }

    fn spec_object(&mut self, n: Node<'_, 'i>) -> SpecObject {
        let (id, attrs) = self.identity(n);
        let mut o = SpecObject {
            id,
            attrs,
            ..Default::default()
        };
        for c in n.children() {
            match c.name() {
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

    fn spec_relation(&mut self, n: Node<'_, 'i>) -> SpecRelation {
        let (id, attrs) = self.identity(n);
        let mut r = SpecRelation {
            id,
            attrs,
            ..Default::default()
        };
        for c in n.children() {
            match c.name() {
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

    fn hierarchy(&mut self, n: Node<'_, 'i>) -> Hierarchy {
        let (id, attrs) = self.identity(n);
        let mut h = Hierarchy {
            id,
            attrs,
            ..Default::default()
        };
        for c in n.children() {
            match c.name() {
                "ALTERNATIVE-ID" => {}
                "OBJECT" => h.object = self.reference(n, "OBJECT", "spec object"),
                "CHILDREN" => {
                    for k in c.children() {
                        if k.name() == "SPEC-HIERARCHY" {
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

    fn specification(&mut self, n: Node<'_, 'i>) -> Specification {
        let (id, attrs) = self.identity(n);
        let mut s = Specification {
            id,
            attrs,
            ..Default::default()
        };
        for c in n.children() {
            match c.name() {
                "ALTERNATIVE-ID" => {}
                "TYPE" => s.type_ref = self.reference(n, "TYPE", "specification type"),
                "VALUES" => {
                    let mut extra = std::mem::take(&mut s.extra);
                    s.values = self.values(n, &mut extra);
                    s.extra = extra;
                }
                "CHILDREN" => {
                    for k in c.children() {
                        if k.name() == "SPEC-HIERARCHY" {
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

    fn relation_group(&mut self, n: Node<'_, 'i>) -> RelationGroup {
        let (id, attrs) = self.identity(n);
        let mut g = RelationGroup {
            id,
            attrs,
            ..Default::default()
        };
        for c in n.children() {
            match c.name() {
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
                    for r in c.children() {
                        let id = self.refer(n, r, "spec relation");
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
        if self.refs.is_empty() {
            return;
        }
        self.known = Known::default();
        let mut known = Known::default();
        known.extend(doc.datatypes.iter().map(|d| d.id.identifier.as_str()));
        for t in &doc.spec_types {
            known.insert(t.id.identifier.as_str());
            known.extend(t.attributes.iter().map(|a| a.id.identifier.as_str()));
        }
        known.extend(doc.spec_objects.iter().map(|o| o.id.identifier.as_str()));
        known.extend(doc.spec_relations.iter().map(|r| r.id.identifier.as_str()));
        known.extend(doc.specifications.iter().map(|s| s.id.identifier.as_str()));
        let refs = std::mem::take(&mut self.refs);
        for Ref {
            element,
            identifier,
            pos,
            kind,
            id,
        } in refs
        {
            if !known.contains(id.as_ref()) {
                let element = label_of(element, identifier.as_deref());
                self.warn(
                    pos,
                    element,
                    format!("refers to the {kind} {id}, which is not in the document; the reference is kept"),
                );
            }
        }
    }
}

/// What a piece of a `SPEC-OBJECTS` section read into, to put back in document order.
struct Piece<'i> {
    objects: Vec<SpecObject>,
    extra: Vec<String>,
    warnings: Vec<Warning>,
    refs: Vec<Ref<'i>>,
    /// The identifiers of its records, copied out of the input: the references after the
    /// section are checked against them, and copies lie together in memory rather than
    /// spread over the whole section (with a set per piece, checking the 10,000-object file's
    /// 20,806 took 2.6 to 3.9 ms so, 3.6 to 5.5 ms against the input; one set of them all has
    /// not been timed either way).
    known: Vec<Box<str>>,
}

impl<'i> Piece<'i> {
    /// Reads `input[from..to]`, which must be whole records and nothing unfinished.
    fn read(input: &'i str, from: usize, to: usize, known: &Known<'i>) -> Result<Self, ReadError> {
        let mut p = Parser::new(input, from, to, Some(known));
        let mut doc = ReqIf::default();
        p.records("SPEC-OBJECTS", &mut doc, true)?;
        Ok(Piece {
            objects: doc.spec_objects,
            extra: doc.extra,
            warnings: p.warnings,
            refs: p.refs,
            known: p.known.iter().map(|id| Box::from(*id)).collect(),
        })
    }
}

/// How a warning names an element: its tag, and its identifier when it has one.
fn label_of(name: &str, identifier: Option<&str>) -> String {
    match identifier {
        Some(id) => format!("{name} {id}"),
        None => name.to_string(),
    }
}

/// Puts `parts`, one after the other, into `v` at `at`. Usually `v` has nothing after `at`
/// (or nothing at all): the parts are then appended, without moving what is there. Room for
/// them all is made at once: growing by doubling would copy the first parts several times over
/// and touch about twice the memory the result takes (for the 10,000-object file's 10,000
/// spec objects, 2 MB).
fn insert_at<T>(v: &mut Vec<T>, at: usize, parts: impl Iterator<Item = Vec<T>>) {
    let mut parts: Vec<Vec<T>> = parts.filter(|p| !p.is_empty()).collect();
    if v.is_empty() && parts.len() == 1 {
        *v = parts.remove(0);
        return;
    }
    let total = parts.iter().map(Vec::len).sum();
    if at == v.len() {
        v.reserve_exact(total);
        for mut part in parts {
            v.append(&mut part);
        }
    } else {
        let mut all = Vec::with_capacity(total);
        for mut part in parts {
            all.append(&mut part);
        }
        v.splice(at..at, all);
    }
}

/// Where a cut may go after `from` (and before `to`): just after the first `close` tag from
/// which the next `<` comes before any `>`, as after a record's end tag (after one inside a
/// comment or a CDATA section, a `-->` or `]]>` usually comes first; a cut that still falls in
/// one makes a piece that does not read, which only costs reading the document on one core).
fn record_end_after(input: &str, from: usize, to: usize, close: &str) -> Option<usize> {
    let text = input.get(..to)?.as_bytes();
    let finder = memchr::memmem::Finder::new(close.as_bytes());
    let mut at = from;
    while let Some(i) = finder.find(text.get(at..)?) {
        let cut = at + i + close.len();
        let next = memchr::memchr2(b'<', b'>', &text[cut..]).map(|i| text[cut + i]);
        if matches!(next, None | Some(b'<')) {
            return Some(cut);
        }
        at = cut;
    }
    None
}

/// Where the last end tag of `qname` starts in `text`: searched from the back, as a section's
/// end is nearer the end of the document than its start. (Should the section end before it,
/// a piece reads that end and does not read on its own.)
fn find_last_end_tag(text: &str, qname: &str) -> Option<usize> {
    let pattern = format!("</{qname}");
    let finder = memchr::memmem::FinderRev::new(pattern.as_bytes());
    let bytes = text.as_bytes();
    let mut to = bytes.len();
    while let Some(at) = finder.rfind(&bytes[..to]) {
        match bytes.get(at + pattern.len()) {
            Some(b'>' | b' ' | b'\t' | b'\r' | b'\n') => return Some(at),
            _ => to = at,
        }
    }
    None
}

fn local_str(qname: &str) -> &str {
    // What follows the last `:` (ASCII, so a character boundary), found as [`local`] finds it.
    let prefix = qname.len() - local(qname.as_bytes()).len();
    qname.get(prefix..).unwrap_or(qname)
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
