//! ReqIF in and out of an engagement (issue 5). An import keeps the whole document (nothing the
//! source tool wrote is lost) and makes each spec object a requirement of the engagement, in
//! the order of the document's hierarchy; section headings stay headings; relations between
//! requirements become trace links. All of it is one transaction with an audit event per
//! created record. An export writes the document back with what changed in Accord.

use crate::engagement::load_visible;
use crate::requirement::check_area;
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_domain::audit::AuditKey;
use accord_interchange::reqif::{self, zip, Content, ReqIf, SpecObject, Value, Warning};
use accord_store::audit::Draft;
use accord_store::requirement::{Requirement, Version};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// How an import maps spec objects onto requirements.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ImportOptions {
    /// The file's name, kept with the document.
    pub name: String,
    /// The functional area the requirements are filed under (one of the engagement's areas).
    pub functional_area: String,
    /// Attributes (by LONG-NAME) whose value becomes the title, first found wins.
    pub title_from: Vec<String>,
    /// Attributes whose value becomes the statement, first found wins.
    pub statement_from: Vec<String>,
    /// At most this many bytes once a `.reqifz` is inflated.
    pub max_inflated: u64,
}

impl ImportOptions {
    pub fn new(name: &str, functional_area: &str) -> Self {
        ImportOptions {
            name: name.to_string(),
            functional_area: functional_area.to_string(),
            title_from: vec!["ReqIF.Name".into(), "ReqIF.ChapterName".into()],
            statement_from: vec!["ReqIF.Text".into(), "ReqIF.Description".into()],
            max_inflated: 2 << 30,
        }
    }
}

/// Warnings for the attributes titles or statements were asked to come from (beyond the
/// defaults) that no attribute definition of `doc` is named: a misspelt name would otherwise
/// pass unnoticed, the next name or the defaults standing in for it.
pub(crate) fn unknown_attributes(
    doc: &ReqIf,
    opts: &ImportOptions,
    member: &str,
) -> Vec<ImportWarning> {
    let defaults = ImportOptions::new("", "");
    let mut names: Vec<&str> = doc
        .spec_types
        .iter()
        .flat_map(|t| &t.attributes)
        .filter_map(|a| a.id.long_name.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::new();
    for (option, given, default) in [
        ("title_from", &opts.title_from, &defaults.title_from),
        (
            "statement_from",
            &opts.statement_from,
            &defaults.statement_from,
        ),
    ] {
        for name in given {
            if default.contains(name) || names.binary_search(&name.as_str()).is_ok() {
                continue;
            }
            out.push(ImportWarning {
                document: member.to_string(),
                line: 0,
                column: 0,
                element: option.to_string(),
                message: if names.is_empty() {
                    format!("the document has no attribute named \"{name}\": it defines no attributes")
                } else {
                    // A tool's document may define hundreds: the first 30 say enough.
                    let more = names.len().saturating_sub(30);
                    format!(
                        "the document has no attribute named \"{name}\" (names are compared exactly); its attributes are: {}{}",
                        names[..names.len() - more].join(", "),
                        if more > 0 { format!(" and {more} more") } else { String::new() }
                    )
                },
            });
        }
    }
    out
}

/// A warning of an import, with the archive member it is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportWarning {
    /// The `.reqif` member of a `.reqifz` (empty for a plain `.reqif`).
    pub document: String,
    pub line: u64,
    pub column: u64,
    pub element: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// One per `.reqif` document taken.
    pub document_ids: Vec<Uuid>,
    pub spec_objects: usize,
    pub requirements_created: usize,
    /// Spec objects kept as section headings, not requirements.
    pub sections: usize,
    pub relations: usize,
    pub links_created: usize,
    pub attachments: usize,
    /// The keys given to the new requirements, first and last.
    pub first_key: Option<String>,
    pub last_key: Option<String>,
    pub warnings: Vec<ImportWarning>,
}

/// An import document as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub name: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: time::OffsetDateTime,
}

/// What it takes to show a spec object's values: each attribute definition's name and datatype
/// kind, each enumeration value's name.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Definitions {
    pub(crate) attributes: HashMap<String, (String, String)>,
    pub(crate) enum_values: HashMap<String, String>,
    /// The attributes the title and statement were taken from, for a later re-import.
    #[serde(default)]
    pub(crate) title_from: Vec<String>,
    #[serde(default)]
    pub(crate) statement_from: Vec<String>,
}

impl Definitions {
    pub(crate) fn of(doc: &ReqIf) -> Self {
        Definitions {
            attributes: doc
                .spec_types
                .iter()
                .flat_map(|t| &t.attributes)
                .map(|a| {
                    (
                        a.id.identifier.clone(),
                        (a.id.long_name.clone().unwrap_or_default(), a.kind.clone()),
                    )
                })
                .collect(),
            enum_values: doc
                .datatypes
                .iter()
                .flat_map(|d| &d.values)
                .map(|v| {
                    (
                        v.id.identifier.clone(),
                        v.id.long_name
                            .clone()
                            .or_else(|| v.key.clone())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            title_from: Vec::new(),
            statement_from: Vec::new(),
        }
    }
}

/// One attribute value of the spec object a requirement came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OriginValue {
    /// The attribute's LONG-NAME (its identifier when it has none).
    pub name: String,
    /// STRING, XHTML, INTEGER, REAL, BOOLEAN, DATE or ENUMERATION.
    pub datatype: String,
    /// The value as text (XHTML as its words, an enumeration as its values' names).
    pub text: String,
    /// An XHTML value as HTML safe to show: its formatting kept, anything active removed.
    pub html: Option<String>,
}

/// Where a requirement came from when it was imported from ReqIF.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Origin {
    pub document_id: Uuid,
    pub document: String,
    /// The spec object's IDENTIFIER.
    pub identifier: String,
    pub last_change: Option<String>,
    pub values: Vec<OriginValue>,
}

/// The ReqIF origin of a requirement, if it was imported.
pub(crate) async fn origin(
    tx: &mut accord_store::Tx,
    requirement_id: Uuid,
) -> Result<Option<Origin>> {
    let Some((identifier, object, document_id, document, definitions)) =
        accord_store::reqif::origin(tx, requirement_id).await?
    else {
        return Ok(None);
    };
    let o: SpecObject =
        serde_json::from_str(&object).map_err(|e| Error::Internal(e.to_string()))?;
    let defs: Definitions = serde_json::from_str(&definitions).unwrap_or_default();
    let values = origin_values(&o, &defs);
    Ok(Some(Origin {
        document_id,
        document,
        identifier,
        last_change: o.id.last_change,
        values,
    }))
}

/// A spec object's values with their attributes' names and datatypes.
pub(crate) fn origin_values(o: &SpecObject, defs: &Definitions) -> Vec<OriginValue> {
    let enums: Names<'_> = defs
        .enum_values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    o.values
        .iter()
        .map(|v| {
            let (name, kind) = defs
                .attributes
                .get(&v.definition)
                .cloned()
                .unwrap_or_else(|| (v.definition.clone(), v.kind.clone()));
            let html = match &v.content {
                Content::Xhtml { value: Some(x), .. } => Some(reqif::xhtml_to_html(x)),
                _ => None,
            };
            OriginValue {
                name: if name.is_empty() {
                    v.definition.clone()
                } else {
                    name
                },
                datatype: kind,
                text: value_text(v, &enums),
                html,
            }
        })
        .collect()
}

/// Puts a requirement's title and statement into the spec object's `ReqIF.Name` and `ReqIF.Text`
/// when they were edited in Accord since the import (compared with the requirement's first
/// version, what the import took), and dates the change. Nothing else is touched: a requirement
/// edited only in its status or owner goes back exactly as it came.
fn write_back(o: &mut SpecObject, r: &Requirement, first: &serde_json::Value, defs: &Definitions) {
    let title_edited = first["title"].as_str() != Some(r.title.as_str());
    let statement_edited = first["statement"].as_str() != Some(r.statement.as_str());
    if !title_edited && !statement_edited {
        return;
    }
    let mut changed = false;
    for v in &mut o.values {
        let Some((name, _)) = defs.attributes.get(&v.definition) else {
            continue;
        };
        // What the object already says (after a re-import, say) is not a change.
        match (name.as_str(), &mut v.content) {
            ("ReqIF.Name", Content::Simple(value))
                if title_edited && value.as_deref() != Some(r.title.as_str()) =>
            {
                *value = Some(r.title.clone());
                changed = true;
            }
            ("ReqIF.Text", Content::Xhtml { value, .. })
                if statement_edited
                    && value.as_deref().map(reqif::xhtml_to_text).as_deref()
                        != Some(r.statement.as_str()) =>
            {
                *value = Some(statement_xhtml(&r.statement));
                changed = true;
            }
            ("ReqIF.Text", Content::Simple(value))
                if statement_edited && value.as_deref() != Some(r.statement.as_str()) =>
            {
                *value = Some(r.statement.clone());
                changed = true;
            }
            _ => {}
        }
    }
    if changed {
        o.id.last_change = r
            .updated_at
            .format(&time::format_description::well_known::Rfc3339)
            .ok();
    }
}

/// A statement as an XHTML value: a paragraph per line.
fn statement_xhtml(text: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let paragraphs: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<xhtml:p>{}</xhtml:p>", esc(l.trim())))
        .collect();
    format!("<xhtml:div xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">{paragraphs}</xhtml:div>")
}

/// Names by identifier (of attribute definitions, of enumeration values). Looked up several
/// times per spec object in an import: identifiers come from the file, so the hash is seeded
/// per process (foldhash, faster than std's SipHash).
type Names<'a> = HashMap<&'a str, &'a str, Fast>;

/// The hasher of maps keyed by identifiers from a file (see [`Names`]).
type Fast = foldhash::fast::RandomState;

/// The long names of a document's attribute definitions, by identifier.
fn definition_names(doc: &ReqIf) -> Names<'_> {
    doc.spec_types
        .iter()
        .flat_map(|t| &t.attributes)
        .map(|a| {
            (
                a.id.identifier.as_str(),
                a.id.long_name.as_deref().unwrap_or(""),
            )
        })
        .collect()
}

/// The text of a value: XHTML as its words, an enumeration as its values' names.
fn value_text(v: &Value, enum_names: &Names<'_>) -> String {
    match &v.content {
        Content::Simple(s) => s.clone().unwrap_or_default(),
        Content::Xhtml { value, .. } => value
            .as_deref()
            .map(reqif::xhtml_to_text)
            .unwrap_or_default(),
        Content::Enumeration(refs) => refs
            .iter()
            .map(|r| enum_names.get(r.as_str()).copied().unwrap_or(r.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The first non-empty value of the attributes named `names`.
fn attribute(
    o: &SpecObject,
    names: &[String],
    defs: &Names<'_>,
    enums: &Names<'_>,
) -> Option<String> {
    names.iter().find_map(|n| {
        o.values
            .iter()
            .find(|v| defs.get(v.definition.as_str()) == Some(&n.as_str()))
            .map(|v| value_text(v, enums).trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

/// The spec objects in reading order: depth first through each specification's hierarchy,
/// then those no hierarchy places. With each, the spec objects above it (the places of its
/// section headings in `doc.spec_objects`).
pub(crate) fn reading_order(doc: &ReqIf) -> Vec<(usize, Vec<usize>)> {
    let index: HashMap<&str, usize, Fast> = doc
        .spec_objects
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.identifier.as_str(), i))
        .collect();
    // A place is a bit each, not a hash set's entry.
    let mut seen = vec![false; doc.spec_objects.len()];
    let mut out = Vec::with_capacity(doc.spec_objects.len());
    fn walk(
        hs: &[reqif::Hierarchy],
        index: &HashMap<&str, usize, Fast>,
        path: &mut Vec<usize>,
        seen: &mut [bool],
        out: &mut Vec<(usize, Vec<usize>)>,
    ) {
        for h in hs {
            let i = h.object.as_deref().and_then(|o| index.get(o)).copied();
            if let Some(i) = i {
                if !std::mem::replace(&mut seen[i], true) {
                    out.push((i, path.clone()));
                }
            }
            if !h.children.is_empty() {
                // A node whose object is unknown heads no section of its own.
                path.extend(i);
                walk(&h.children, index, path, seen, out);
                if i.is_some() {
                    path.pop();
                }
            }
        }
    }
    for s in &doc.specifications {
        walk(&s.children, &index, &mut Vec::new(), &mut seen, &mut out);
    }
    for (i, seen) in seen.iter().enumerate() {
        if !seen {
            out.push((i, Vec::new()));
        }
    }
    out
}

/// Which trace link a relation type's name suggests.
fn link_kind(type_name: &str) -> &'static str {
    let n = type_name.to_lowercase();
    if n.contains("conflict") {
        "conflicts_with"
    } else if n.contains("verif") || n.contains("test") || n.contains("validat") {
        "verifies"
    } else if n.contains("depend") || n.contains("requires") {
        "depends_on"
    } else if n.contains("deriv") || n.contains("satisf") || n.contains("trace") {
        "derives_from"
    } else {
        "refines"
    }
}

fn truncate(s: &str, max: usize) -> (String, bool) {
    if s.chars().count() <= max {
        (s.to_string(), false)
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        (t, true)
    }
}

/// Control characters other than line breaks and tabs are refused by Accord's text fields.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// What a spec object becomes.
pub(crate) enum Mapped {
    /// A section heading: a chapter name and no statement.
    Section,
    Requirement {
        title: String,
        statement: String,
        source: String,
        /// The title or statement was cut to Accord's limits.
        shortened: bool,
    },
}

/// How one document's spec objects become requirements' fields, as the import options say.
pub(crate) struct Mapper<'a> {
    doc: &'a ReqIf,
    defs: Names<'a>,
    enums: Names<'a>,
    /// The chapter names of the section headings met so far, by place in `doc.spec_objects`:
    /// every object under a heading names it.
    chapters: std::sync::Mutex<HashMap<usize, Option<String>>>,
    opts: &'a ImportOptions,
    display: &'a str,
}

impl<'a> Mapper<'a> {
    pub(crate) fn new(doc: &'a ReqIf, opts: &'a ImportOptions, display: &'a str) -> Self {
        Mapper {
            doc,
            defs: definition_names(doc),
            enums: doc
                .datatypes
                .iter()
                .flat_map(|d| &d.values)
                .map(|v| {
                    (
                        v.id.identifier.as_str(),
                        v.id.long_name.as_deref().unwrap_or(""),
                    )
                })
                .collect(),
            chapters: Default::default(),
            opts,
            display,
        }
    }

    fn attr(&self, o: &SpecObject, names: &[String]) -> Option<String> {
        attribute(o, names, &self.defs, &self.enums)
    }

    /// The spec object at `i`, under the section headings at `path`.
    pub(crate) fn map(&self, i: usize, path: &[usize]) -> Mapped {
        self.map_object(&self.doc.spec_objects[i], path)
    }

    /// A spec object with this document's definitions, under the section headings at `path`
    /// (places in this document's spec objects).
    pub(crate) fn map_object(&self, o: &SpecObject, path: &[usize]) -> Mapped {
        let chapter_name = ["ReqIF.ChapterName".to_string()];
        let statement = self.attr(o, &self.opts.statement_from);
        let chapter = self.attr(o, &chapter_name);
        if statement.is_none() && chapter.is_some() {
            return Mapped::Section;
        }
        let title = self
            .attr(o, &self.opts.title_from)
            .or_else(|| o.id.long_name.clone())
            .or_else(|| {
                statement
                    .as_deref()
                    .and_then(|s| s.lines().next())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| o.id.identifier.clone());
        let statement = statement.unwrap_or_else(|| title.clone());
        let (title, cut_title) = truncate(&clean(title.trim()), 200);
        let (statement, cut_statement) = truncate(&clean(statement.trim()), 10_000);
        let id_text = self
            .attr(o, &["ReqIF.ForeignID".to_string()])
            .unwrap_or_else(|| o.id.identifier.clone());
        let mut section = String::new();
        let mut chapters = self.chapters.lock().unwrap_or_else(|e| e.into_inner());
        for &i in path {
            let name = chapters.entry(i).or_insert_with(|| {
                self.doc
                    .spec_objects
                    .get(i)
                    .and_then(|h| self.attr(h, &chapter_name))
            });
            if let Some(name) = name {
                if !section.is_empty() {
                    section.push_str(" › ");
                }
                section.push_str(name);
            }
        }
        let mut source = format!("ReqIF {}: {id_text}", self.display);
        if !section.is_empty() {
            source.push_str(&format!(" ({section})"));
        }
        let (source, _) = truncate(&clean(&source), 500);
        Mapped::Requirement {
            title,
            statement,
            source,
            shortened: cut_title || cut_statement,
        }
    }
}

/// Trace links for a document's relations between requirements (`requirement` finds the one a
/// spec object became): one per pair and kind, none that `existing` (from, to, kind) holds.
pub(crate) fn relation_links(
    doc: &ReqIf,
    requirement: impl Fn(&str) -> Option<Uuid>,
    existing: &HashSet<(Uuid, Uuid, String)>,
    engagement_id: Uuid,
    actor_id: Uuid,
    now: time::OffsetDateTime,
) -> Vec<accord_store::trace::Link> {
    let type_names: HashMap<&str, &str> = doc
        .spec_types
        .iter()
        .map(|t| {
            (
                t.id.identifier.as_str(),
                t.id.long_name.as_deref().unwrap_or(""),
            )
        })
        .collect();
    let mut linked = HashSet::new();
    let mut links = Vec::new();
    for rel in &doc.spec_relations {
        let from = rel.source.as_deref().and_then(&requirement);
        let to = rel.target.as_deref().and_then(&requirement);
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        let kind = link_kind(
            rel.type_ref
                .as_deref()
                .and_then(|t| type_names.get(t))
                .unwrap_or(&""),
        );
        if from == to
            || existing.contains(&(from, to, kind.to_string()))
            || !linked.insert((from, to, kind))
        {
            continue;
        }
        links.push(accord_store::trace::Link {
            id: accord_domain::new_id(),
            engagement_id,
            from_id: from,
            to_id: to,
            kind: kind.to_string(),
            created_by: actor_id,
            created_at: now,
        });
    }
    links
}

/// The document without its spec objects (they are stored one by one), as JSON.
pub(crate) fn skeleton_json(doc: &mut ReqIf) -> Result<String> {
    let objects = std::mem::take(&mut doc.spec_objects);
    let json = serde_json::to_string(&*doc).map_err(|e| Error::Internal(e.to_string()));
    doc.spec_objects = objects;
    json
}

/// Spec objects are written this many at a time, so that a large import does not hold every
/// row (and its JSON) in memory at once.
const CHUNK: usize = 1000;

/// What it takes to make the rows of a chunk of a document's spec objects.
struct ChunkJob {
    doc: std::sync::Arc<ReqIf>,
    order: std::sync::Arc<Vec<(usize, Vec<usize>)>>,
    /// The first of the chunk's places in `order`.
    start: usize,
    /// The first requirement's number.
    seq: i64,
    opts: ImportOptions,
    display: String,
    member: String,
    engagement_id: Uuid,
    document_id: Uuid,
    area: String,
    actor_id: Uuid,
    now: time::OffsetDateTime,
    /// The audit chain's key and where the chunk's events follow: they are hashed here, off
    /// the task that writes the previous chunk.
    key: AuditKey,
    chain_id: Uuid,
    head: accord_store::audit::Head,
    /// The engine the statements are made for.
    engine: accord_store::Engine,
}

/// The statements that write a chunk's rows and their audit events, made (arguments bound)
/// off the task that runs them, and what the report needs of the rows.
struct Chunk {
    /// The requirements, their first versions and the spec objects.
    statements: accord_store::Prepared,
    events: accord_store::audit::PreparedChain,
    objects: usize,
    requirements: usize,
    first_key: Option<String>,
    last_key: Option<String>,
    /// The requirement each spec object (by index) became.
    made: Vec<(usize, Uuid)>,
    sections: usize,
    warnings: Vec<ImportWarning>,
}

/// Makes the rows of up to [`CHUNK`] spec objects, in reading order.
fn prepare_chunk(j: ChunkJob) -> Result<Chunk> {
    let doc = &*j.doc;
    let mapper = Mapper::new(doc, &j.opts, &j.display);
    let end = (j.start + CHUNK).min(j.order.len());
    let (mut requirements, mut versions, mut drafts, mut made, mut warnings) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut objects = Vec::with_capacity(end - j.start);
    let mut sections = 0;
    let mut seq = j.seq;
    for (i, path) in &j.order[j.start..end] {
        let o = &doc.spec_objects[*i];
        let mut requirement_id = None;
        match mapper.map(*i, path) {
            Mapped::Section => sections += 1,
            Mapped::Requirement {
                title,
                statement,
                source,
                shortened,
            } => {
                if shortened {
                    warnings.push(ImportWarning {
                        document: j.member.clone(),
                        line: 0,
                        column: 0,
                        element: format!("SPEC-OBJECT {}", o.id.identifier),
                        message: "the title or statement was shortened to Accord's limit; the full value is kept with the ReqIF attributes".into(),
                    });
                }
                let (r, v) = new_requirement(
                    j.engagement_id,
                    seq,
                    &j.area,
                    title,
                    statement,
                    source,
                    j.actor_id,
                    j.now,
                );
                seq += 1;
                drafts.push(import_draft(
                    &r,
                    &o.id.identifier,
                    j.document_id,
                    j.actor_id,
                ));
                requirement_id = Some(r.id);
                made.push((*i, r.id));
                versions.push(v);
                requirements.push(r);
            }
        }
        objects.push(accord_store::reqif::Object {
            document_id: j.document_id,
            identifier: o.id.identifier.clone(),
            // The document's own order, for writing it back as it was.
            seq: *i as i64,
            requirement_id,
            object: serde_json::to_string(o).map_err(|e| Error::Internal(e.to_string()))?,
        });
    }
    let (n_objects, n_requirements) = (objects.len(), requirements.len());
    let first_key = requirements.first().map(|r| r.key.clone());
    let last_key = requirements.last().map(|r| r.key.clone());
    // The rows move into the statements' arguments.
    let mut statements = accord_store::requirement::prepare_many(j.engine, requirements)?;
    statements.append(accord_store::requirement::prepare_versions(
        j.engine, versions,
    )?)?;
    statements.append(accord_store::reqif::prepare_objects(j.engine, objects)?)?;
    Ok(Chunk {
        statements,
        // Hashed and bound here, off the task that writes the previous chunk.
        events: accord_store::audit::chain_drafts(&j.key, j.chain_id, j.head, drafts)
            .prepare(j.engine)?,
        objects: n_objects,
        requirements: n_requirements,
        first_key,
        last_key,
        made,
        sections,
        warnings,
    })
}

/// The audit event of a requirement made from spec object `identifier` of a document.
pub(crate) fn import_draft(
    r: &Requirement,
    identifier: &str,
    document_id: Uuid,
    actor_id: Uuid,
) -> Draft {
    let mut after = snapshot(r);
    after["reqif_identifier"] = serde_json::json!(identifier);
    after["reqif_document_id"] = serde_json::json!(document_id);
    Draft {
        at: r.created_at,
        actor_id: Some(actor_id),
        action: "requirement.import".into(),
        record_type: "requirement".into(),
        record_id: Some(r.id),
        before: None,
        // `to_string` of a `Value` writes through the formatter piece by piece; serde_json's
        // writer is a good deal faster, and this runs once per imported requirement.
        after: Some(serde_json::to_string(&after).unwrap_or_default()),
        reason: None,
    }
}

/// A new requirement from a spec object, with its first version.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_requirement(
    engagement_id: Uuid,
    seq: i64,
    area: &str,
    title: String,
    statement: String,
    source: String,
    actor_id: Uuid,
    now: time::OffsetDateTime,
) -> (Requirement, Version) {
    let r = Requirement {
        id: accord_domain::new_id(),
        engagement_id,
        seq,
        key: format!("REQ-{seq:04}"),
        title,
        statement,
        rationale: String::new(),
        functional_area: area.to_string(),
        source,
        owner_id: None,
        status: "draft".into(),
        priority: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let v = Version {
        requirement_id: r.id,
        version: 1,
        snapshot: crate::requirement::snapshot_text(&r),
        actor_id: Some(actor_id),
        at: now,
    };
    (r, v)
}

/// SQLite's page cache during the import of a large file, in KiB: enough that the rows of a
/// 100,000-object document are written to the log about once (docs/benchmarks.md).
const IMPORT_CACHE_KIB: i64 = 64 << 10;

/// The page cache for importing a file of `len` bytes, in KiB: [`IMPORT_CACHE_KIB`] for a file
/// of at least twice that, SQLite's default (2,000 KiB) otherwise. Reading the file sets the
/// import's peak memory (the file and its model). The file is freed before the rows are
/// written, which leaves room for the cache with a large file; with the 21 MB file of 10,000
/// objects, a cache of half its size raised the peak from 64 to 75 MiB.
fn import_cache_kib(len: usize) -> i64 {
    if len / 1024 >= 2 * IMPORT_CACHE_KIB as usize {
        IMPORT_CACHE_KIB
    } else {
        2000
    }
}

/// At most this many `.reqif` documents in one archive.
const MAX_DOCUMENTS: usize = 64;

type Parsed = (Vec<(String, reqif::Read)>, Vec<zip::Attachment>);

/// Unpacks and reads every document of a file; refuses what an import could not store whole.
pub(crate) fn parse_all(bytes: Vec<u8>, max_inflated: u64) -> Result<Parsed> {
    let (documents, attachments) = if zip::is_zip(&bytes) {
        let a =
            zip::unpack(&bytes, max_inflated).map_err(|e| Error::invalid("file", e.to_string()))?;
        (a.documents, a.attachments)
    } else {
        (vec![(String::new(), bytes)], Vec::new())
    };
    if documents.len() > MAX_DOCUMENTS {
        return Err(Error::invalid(
            "file",
            format!(
                "the archive holds {} .reqif documents; at most {MAX_DOCUMENTS} are taken at once",
                documents.len()
            ),
        ));
    }
    let mut parsed = Vec::new();
    for (member, data) in documents {
        let at = if member.is_empty() {
            String::new()
        } else {
            format!("{member}: ")
        };
        let r = reqif::read(&data).map_err(|e| Error::invalid("file", format!("{at}{e}")))?;
        // Spec objects are kept by IDENTIFIER: two with the same one (or none) cannot both be.
        let mut seen: HashSet<&str, Fast> =
            HashSet::with_capacity_and_hasher(r.reqif.spec_objects.len(), Fast::default());
        let twice: Vec<&str> = r
            .reqif
            .spec_objects
            .iter()
            .map(|o| o.id.identifier.as_str())
            .filter(|id| !seen.insert(*id))
            .collect();
        if !twice.is_empty() {
            let shown: Vec<&str> = twice.iter().take(5).copied().collect();
            return Err(Error::invalid(
                "file",
                format!(
                    "{at}{} spec objects repeat an IDENTIFIER (or have none): {}",
                    twice.len(),
                    shown
                        .iter()
                        .map(|i| if i.is_empty() { "(none)" } else { i })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        parsed.push((member, r));
    }
    Ok((parsed, attachments))
}

impl App {
    /// Imports a `.reqif` or `.reqifz` into the engagement: one transaction; on any error
    /// nothing of it is written.
    pub async fn import_reqif(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        bytes: impl Into<Vec<u8>>,
        opts: &ImportOptions,
        mut progress: impl FnMut(usize, usize) + Send,
    ) -> Result<ImportReport> {
        // Someone who may not see the engagement learns nothing about the file either.
        {
            let mut tx = self.store.read().await?;
            load_visible(&mut tx, actor, engagement_id).await?;
        }
        // Unpacking and reading are CPU work: off the async workers, so the server keeps
        // answering while a large file is read.
        // Taken, not copied: a large file is in memory once.
        let data: Vec<u8> = bytes.into();
        let cache_kib = import_cache_kib(data.len());
        let max_inflated = opts.max_inflated;
        let (parsed, attachments) =
            tokio::task::spawn_blocking(move || parse_all(data, max_inflated))
                .await
                .map_err(|e| Error::Internal(e.to_string()))??;
        let total: usize = parsed.iter().map(|(_, r)| r.reqif.spec_objects.len()).sum();
        // Only inserts: SQLite's key checks run once, before the commit (`begin_bulk_write`).
        let (mut w, _) = self.write_engagement_bulk(actor, engagement_id).await?;
        let area = check_area(&mut w.tx, engagement_id, &opts.functional_area).await?;
        let mut seq = accord_store::requirement::next_seq(&mut w.tx, engagement_id).await?;
        let now = self.now();
        let mut report = ImportReport {
            document_ids: Vec::new(),
            spec_objects: total,
            requirements_created: 0,
            sections: 0,
            relations: 0,
            links_created: 0,
            attachments: attachments.len(),
            first_key: None,
            last_key: None,
            warnings: Vec::new(),
        };
        let mut done = 0;
        // A large import's rows would pass through SQLite's default page cache (2 MB) many
        // times over, written to the log and read back before the commit writes them once
        // more; a larger one for the import, as it was after (docs/benchmarks.md).
        let cache_was = w.tx.set_cache_size(-cache_kib).await?;
        let written: Result<()> = async {
            for (member, read) in parsed {
                let warn = |w: &Warning| ImportWarning {
                    document: member.clone(),
                    line: w.line,
                    column: w.column,
                    element: w.element.clone(),
                    message: w.message.clone(),
                };
                report.warnings.extend(read.warnings.iter().map(warn));
                let mut doc = read.reqif;
                report
                    .warnings
                    .extend(unknown_attributes(&doc, opts, &member));
                let document_id = accord_domain::new_id();
                let display = if member.is_empty() {
                    opts.name.clone()
                } else {
                    format!("{} › {member}", opts.name)
                };
                let model = skeleton_json(&mut doc)?;
                let title = doc.header.field("TITLE").unwrap_or("").to_string();
                let definitions = serde_json::to_string(&Definitions {
                    title_from: opts.title_from.clone(),
                    statement_from: opts.statement_from.clone(),
                    ..Definitions::of(&doc)
                })
                .map_err(|e| Error::Internal(e.to_string()))?;
                let document = accord_store::reqif::Document {
                    id: document_id,
                    engagement_id,
                    name: display.clone(),
                    header_identifier: doc.header.identifier.clone(),
                    title: title.clone(),
                    model,
                    definitions,
                    imported_by: actor.user_id,
                    imported_at: now,
                };
                // Rows are made a chunk at a time off the async workers, the next chunk while
                // this one is written: both cores work. The first is made while the document's
                // own row is written (its rows refer to that row, so they are written after it).
                let doc = std::sync::Arc::new(doc);
                let order = std::sync::Arc::new(reading_order(&doc));
                let (chain_id, engine) = (w.chain_id(), w.tx.engine());
                let job = |start: usize, seq: i64, head: accord_store::audit::Head| ChunkJob {
                    doc: doc.clone(),
                    order: order.clone(),
                    start,
                    seq,
                    opts: opts.clone(),
                    display: display.clone(),
                    member: member.clone(),
                    engagement_id,
                    document_id,
                    area: area.clone(),
                    actor_id: actor.user_id,
                    now,
                    key: self.key.clone(),
                    chain_id,
                    head,
                    engine,
                };
                let spawn = |j: ChunkJob| tokio::task::spawn_blocking(move || prepare_chunk(j));
                let mut next = (!order.is_empty()).then(|| spawn(job(0, seq, w.next_link())));
                accord_store::reqif::insert_document(&mut w.tx, &document).await?;
                drop(document);
                let mut start = 0;
                let mut requirement_of: HashMap<&str, Uuid, Fast> =
                    HashMap::with_capacity_and_hasher(order.len(), Fast::default());
                while let Some(handle) = next.take() {
                    let chunk = handle.await.map_err(|e| Error::Internal(e.to_string()))??;
                    start += chunk.objects;
                    seq += chunk.requirements as i64;
                    if start < order.len() {
                        next = Some(spawn(job(start, seq, chunk.events.to().clone())));
                    }
                    w.tx.run_prepared(chunk.statements).await?;
                    w.append_prepared(chunk.events).await?;
                    if let Some(first) = chunk.first_key {
                        report.first_key.get_or_insert(first);
                    }
                    if chunk.last_key.is_some() {
                        report.last_key = chunk.last_key;
                    }
                    report.requirements_created += chunk.requirements;
                    report.sections += chunk.sections;
                    report.warnings.extend(chunk.warnings);
                    for (i, id) in chunk.made {
                        requirement_of.insert(doc.spec_objects[i].id.identifier.as_str(), id);
                    }
                    done += chunk.objects;
                    progress(done, total);
                }
                // Relations between requirements become trace links (one per pair and kind).
                report.relations += doc.spec_relations.len();
                let links = std::sync::Arc::new(relation_links(
                    &doc,
                    |id| requirement_of.get(id).copied(),
                    &HashSet::new(),
                    engagement_id,
                    actor.user_id,
                    now,
                ));
                report.links_created += links.len();
                // Their audit events are made, hashed and bound on another core while they are
                // written.
                let events = {
                    let (links, key, head) = (links.clone(), self.key.clone(), w.next_link());
                    let (chain_id, actor_id, engine) = (w.chain_id(), actor.user_id, w.tx.engine());
                    tokio::task::spawn_blocking(move || {
                        let drafts = links
                            .iter()
                            .map(|l| Draft {
                                at: now,
                                actor_id: Some(actor_id),
                                action: "link.create".into(),
                                record_type: "link".into(),
                                record_id: Some(l.id),
                                before: None,
                                after: Some(
                                    serde_json::to_string(&snapshot(l)).unwrap_or_default(),
                                ),
                                reason: None,
                            })
                            .collect();
                        accord_store::audit::chain_drafts(&key, chain_id, head, drafts)
                            .prepare(engine)
                    })
                };
                accord_store::trace::insert_links(&mut w.tx, &links).await?;
                let events = events.await.map_err(|e| Error::Internal(e.to_string()))??;
                w.append_prepared(events).await?;
                // An archive's files are stored once, with its first document.
                if report.document_ids.is_empty() {
                    for a in &attachments {
                        accord_store::reqif::insert_attachment(
                            &mut w.tx,
                            document_id,
                            &a.path,
                            &a.bytes,
                        )
                        .await?;
                    }
                }
                let summary = serde_json::json!({
                    "name": display, "title": title, "header_identifier": doc.header.identifier,
                    "spec_objects": doc.spec_objects.len(), "relations": doc.spec_relations.len(),
                    "attachments": attachments.len(), "warnings": read.warnings.len(),
                });
                // Freeing a large model takes a while: not on the way to the commit.
                drop(requirement_of);
                tokio::task::spawn_blocking(move || drop(doc));
                self.audit(
                    &mut w,
                    AuditEntry {
                        actor: Some(actor.user_id),
                        action: "reqif.import",
                        record_type: "reqif_document",
                        record_id: Some(document_id),
                        before: None,
                        after: Some(summary),
                        reason: None,
                    },
                )
                .await?;
                report.document_ids.push(document_id);
            }
            Ok(())
        }
        .await;
        if let Some(was) = cache_was {
            let restored = w.tx.set_cache_size(was).await;
            // What went wrong first is what the caller hears of.
            written?;
            restored?;
        } else {
            written?;
        }
        progress(total, total);
        w.commit().await?;
        Ok(report)
    }

    /// One file a `.reqifz` brought with a document (a picture, an OLE object), as stored.
    pub async fn reqif_attachment(
        &self,
        actor: &Actor,
        eid: Uuid,
        document_id: Uuid,
        path: &str,
    ) -> Result<Vec<u8>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let d = accord_store::reqif::document(&mut tx, eid, document_id).await?;
        Ok(accord_store::reqif::attachment(&mut tx, eid, d.imported_at, path).await?)
    }

    /// The ReqIF documents imported into the engagement.
    pub async fn reqif_documents(&self, actor: &Actor, eid: Uuid) -> Result<Vec<DocumentView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        Ok(accord_store::reqif::documents(&mut tx, eid)
            .await?
            .into_iter()
            .map(|d| DocumentView {
                id: d.id,
                name: d.name,
                title: d.title,
                imported_at: d.imported_at,
            })
            .collect())
    }

    /// An imported document written back as ReqIF: what the source tool wrote, with the spec
    /// objects in their original order. Returns the model and the attachments.
    pub async fn export_reqif(
        &self,
        actor: &Actor,
        eid: Uuid,
        document_id: Uuid,
    ) -> Result<(ReqIf, Vec<(String, Vec<u8>)>)> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let d = accord_store::reqif::document(&mut tx, eid, document_id).await?;
        let mut doc: ReqIf =
            serde_json::from_str(&d.model).map_err(|e| Error::Internal(e.to_string()))?;
        let mut objects = accord_store::reqif::objects(&mut tx, document_id).await?;
        // What was edited in Accord goes back into the attributes it came from.
        let edited: HashMap<Uuid, Requirement> = accord_store::requirement::edited(&mut tx, eid)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let defs: Definitions = serde_json::from_str(&d.definitions).unwrap_or_default();
        let first: HashMap<Uuid, serde_json::Value> =
            accord_store::requirement::first_versions_of_edited(&mut tx, eid)
                .await?
                .into_iter()
                .map(|(id, snap)| (id, serde_json::from_str(&snap).unwrap_or_default()))
                .collect();
        let mut parsed: Vec<SpecObject> = Vec::with_capacity(objects.len());
        for o in objects.drain(..) {
            let mut so: SpecObject =
                serde_json::from_str(&o.object).map_err(|e| Error::Internal(e.to_string()))?;
            if let Some(r) = o.requirement_id.and_then(|id| edited.get(&id)) {
                if let Some(first) = first.get(&r.id) {
                    write_back(&mut so, r, first, &defs);
                }
            }
            parsed.push(so);
        }
        doc.spec_objects = parsed;
        let attachments =
            accord_store::reqif::attachments_of_import(&mut tx, eid, d.imported_at).await?;
        Ok((doc, attachments))
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl App {
    /// The engagement's requirements as CSV for a spreadsheet: (engagement key, bytes).
    pub async fn requirements_csv(&self, actor: &Actor, eid: Uuid) -> Result<(String, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, eid).await?;
        let reqs = accord_store::requirement::all(&mut tx, eid).await?;
        let names =
            crate::requirement::names(&mut tx, reqs.iter().filter_map(|r| r.owner_id)).await?;
        let rows: Vec<Vec<String>> = reqs
            .iter()
            .map(|r| {
                vec![
                    r.key.clone(),
                    r.title.clone(),
                    r.statement.clone(),
                    r.rationale.clone(),
                    r.functional_area.clone(),
                    r.source.clone(),
                    r.owner_id
                        .and_then(|o| names.get(&o).cloned())
                        .unwrap_or_default(),
                    r.status.clone(),
                    r.priority.clone().unwrap_or_default(),
                    r.version.to_string(),
                    rfc3339(r.updated_at),
                ]
            })
            .collect();
        let header = [
            "key",
            "title",
            "statement",
            "rationale",
            "functional_area",
            "source",
            "owner",
            "status",
            "priority",
            "version",
            "updated_at",
        ];
        Ok((e.key, accord_interchange::csv_out::write(&header, &rows)))
    }

    /// The traceability matrix as CSV: each requirement (not the retired ones) with what it
    /// links to, by kind, and what verifies it.
    pub async fn traceability_csv(&self, actor: &Actor, eid: Uuid) -> Result<(String, Vec<u8>)> {
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, eid).await?;
        // As the HTML matrix: retired requirements are no longer traced.
        let reqs: Vec<Requirement> = accord_store::requirement::all(&mut tx, eid)
            .await?
            .into_iter()
            .filter(|r| r.status != "retired")
            .collect();
        let links = accord_store::trace::links(&mut tx, eid, None).await?;
        let mut traces = crate::document::link_keys(&reqs, &links);
        let rows: Vec<Vec<String>> = reqs
            .iter()
            .map(|r| {
                let t = traces.remove(&r.id).unwrap_or_default();
                let mut row = vec![
                    r.key.clone(),
                    r.title.clone(),
                    r.status.clone(),
                    r.priority.clone().unwrap_or_default(),
                ];
                row.extend(t.out.iter().map(|(_, keys)| keys.join("; ")));
                row.push(t.verified_by.join("; "));
                row.push(t.verifies.join("; "));
                row
            })
            .collect();
        let header = [
            "key",
            "title",
            "status",
            "priority",
            "derives_from",
            "depends_on",
            "conflicts_with",
            "refines",
            "verified_by",
            "verifies",
        ];
        Ok((e.key, accord_interchange::csv_out::write(&header, &rows)))
    }
}

impl App {
    /// The engagement's requirements as a new ReqIF document (for an engagement whose
    /// requirements were not imported, or to hand the whole engagement to another tool): one
    /// spec object per requirement with `ReqIF.ForeignID` (its key), `ReqIF.Name`, `ReqIF.Text`
    /// and its rationale, area, status and priority; one relation per trace link, typed by kind;
    /// one specification listing them by key.
    pub async fn engagement_reqif(&self, actor: &Actor, eid: Uuid) -> Result<ReqIf> {
        use reqif::{
            AttributeDefinition, Datatype, EnumValue, Hierarchy, Identity, SpecRelation, SpecType,
            Specification,
        };
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, eid).await?;
        let reqs = accord_store::requirement::all(&mut tx, eid).await?;
        let links = accord_store::trace::links(&mut tx, eid, None).await?;
        let now = rfc3339(self.now());
        let id = |identifier: String, name: &str| Identity {
            identifier,
            last_change: Some(now.clone()),
            long_name: Some(name.to_string()),
            ..Default::default()
        };
        let enumeration = |ident: &str, name: &str, values: &[&str]| Datatype {
            kind: "ENUMERATION".into(),
            id: id(ident.into(), name),
            values: values
                .iter()
                .enumerate()
                .map(|(i, v)| EnumValue {
                    id: id(format!("{ident}-{v}"), v),
                    key: Some(i.to_string()),
                    // Required by the schema beside KEY.
                    other_content: Some(v.to_string()),
                })
                .collect(),
            ..Default::default()
        };
        let datatypes = vec![
            Datatype {
                kind: "STRING".into(),
                id: id("accord-string".into(), "Text"),
                attrs: vec![("MAX-LENGTH".into(), "10000".into())],
                ..Default::default()
            },
            Datatype {
                kind: "XHTML".into(),
                id: id("accord-xhtml".into(), "Formatted text"),
                ..Default::default()
            },
            enumeration("accord-status", "Status", &crate::requirement::STATUSES),
            enumeration(
                "accord-priority",
                "Priority",
                &crate::requirement::PRIORITIES,
            ),
        ];
        let attribute = |ident: &str, name: &str, kind: &str, datatype: &str| AttributeDefinition {
            kind: kind.into(),
            id: id(ident.into(), name),
            // The schema requires MULTI-VALUED on an enumeration attribute.
            attrs: if kind == "ENUMERATION" {
                vec![("MULTI-VALUED".into(), "false".into())]
            } else {
                Vec::new()
            },
            datatype: Some(datatype.into()),
            ..Default::default()
        };
        let mut spec_types = vec![
            SpecType {
                element: "SPEC-OBJECT-TYPE".into(),
                id: id("accord-requirement".into(), "Requirement"),
                attributes: vec![
                    attribute("accord-key", "ReqIF.ForeignID", "STRING", "accord-string"),
                    attribute("accord-title", "ReqIF.Name", "STRING", "accord-string"),
                    attribute("accord-statement", "ReqIF.Text", "XHTML", "accord-xhtml"),
                    attribute("accord-rationale", "Rationale", "STRING", "accord-string"),
                    attribute("accord-area", "Functional area", "STRING", "accord-string"),
                    attribute(
                        "accord-status-attr",
                        "Status",
                        "ENUMERATION",
                        "accord-status",
                    ),
                    attribute(
                        "accord-priority-attr",
                        "Priority",
                        "ENUMERATION",
                        "accord-priority",
                    ),
                ],
                ..Default::default()
            },
            SpecType {
                element: "SPECIFICATION-TYPE".into(),
                id: id("accord-specification".into(), "Requirements specification"),
                ..Default::default()
            },
        ];
        for kind in crate::trace::LINK_KINDS {
            spec_types.push(SpecType {
                element: "SPEC-RELATION-TYPE".into(),
                id: id(format!("accord-link-{kind}"), kind),
                ..Default::default()
            });
        }
        let simple = |def: &str, v: &str| Value {
            kind: "STRING".into(),
            definition: def.into(),
            content: Content::Simple(Some(v.to_string())),
            attrs: Vec::new(),
        };
        let spec_objects: Vec<SpecObject> = reqs
            .iter()
            .map(|r| {
                let mut values = vec![
                    simple("accord-key", &r.key),
                    simple("accord-title", &r.title),
                    Value {
                        kind: "XHTML".into(),
                        definition: "accord-statement".into(),
                        content: Content::Xhtml {
                            value: Some(statement_xhtml(&r.statement)),
                            original: None,
                        },
                        attrs: Vec::new(),
                    },
                    simple("accord-rationale", &r.rationale),
                    simple("accord-area", &r.functional_area),
                    Value {
                        kind: "ENUMERATION".into(),
                        definition: "accord-status-attr".into(),
                        content: Content::Enumeration(vec![format!("accord-status-{}", r.status)]),
                        attrs: Vec::new(),
                    },
                ];
                if let Some(p) = &r.priority {
                    values.push(Value {
                        kind: "ENUMERATION".into(),
                        definition: "accord-priority-attr".into(),
                        content: Content::Enumeration(vec![format!("accord-priority-{p}")]),
                        attrs: Vec::new(),
                    });
                }
                SpecObject {
                    id: Identity {
                        identifier: format!("accord-{}", r.id),
                        last_change: Some(rfc3339(r.updated_at)),
                        long_name: Some(r.key.clone()),
                        ..Default::default()
                    },
                    type_ref: Some("accord-requirement".into()),
                    values,
                    ..Default::default()
                }
            })
            .collect();
        let spec_relations = links
            .iter()
            .map(|l| SpecRelation {
                id: Identity {
                    identifier: format!("accord-{}", l.id),
                    last_change: Some(rfc3339(l.created_at)),
                    ..Default::default()
                },
                type_ref: Some(format!("accord-link-{}", l.kind)),
                source: Some(format!("accord-{}", l.from_id)),
                target: Some(format!("accord-{}", l.to_id)),
                ..Default::default()
            })
            .collect();
        let specification = Specification {
            id: id(format!("accord-{}", e.id), &format!("{} {}", e.key, e.name)),
            type_ref: Some("accord-specification".into()),
            children: reqs
                .iter()
                .map(|r| Hierarchy {
                    id: Identity {
                        identifier: format!("accord-h-{}", r.id),
                        last_change: Some(now.clone()),
                        ..Default::default()
                    },
                    object: Some(format!("accord-{}", r.id)),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        Ok(ReqIf {
            root_attrs: vec![
                (
                    "xmlns".into(),
                    "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd".into(),
                ),
                ("xmlns:xhtml".into(), "http://www.w3.org/1999/xhtml".into()),
            ],
            prefix: None,
            header: reqif::Header {
                identifier: format!("accord-header-{}", e.id),
                fields: vec![
                    ("CREATION-TIME".into(), now.clone()),
                    ("REQ-IF-TOOL-ID".into(), "Accord".into()),
                    ("REQ-IF-VERSION".into(), "1.0".into()),
                    ("SOURCE-TOOL-ID".into(), "Accord".into()),
                    ("TITLE".into(), format!("{} {}", e.key, e.name)),
                ],
            },
            datatypes,
            spec_types,
            spec_objects,
            spec_relations,
            specifications: vec![specification],
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_document_of_many_attributes_is_named_in_part_when_one_asked_for_is_not_there() {
        use super::{unknown_attributes, ImportOptions};
        use accord_interchange::reqif::{AttributeDefinition, Identity, ReqIf, SpecType};
        let def = |n: usize| AttributeDefinition {
            id: Identity {
                long_name: Some(format!("Attr {n:02}")),
                ..Default::default()
            },
            ..Default::default()
        };
        let doc = ReqIf {
            spec_types: vec![SpecType {
                attributes: (0..35).map(def).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut opts = ImportOptions::new("a.reqif", "QC");
        opts.title_from = vec!["Attr 07".into(), "Titel".into(), "ReqIF.Name".into()];
        let w = unknown_attributes(&doc, &opts, "");
        assert_eq!(w.len(), 1, "only Titel: {w:?}");
        assert!(
            w[0].message.ends_with("Attr 28, Attr 29 and 5 more"),
            "{}",
            w[0].message
        );
        assert!(w[0].message.contains("\"Titel\""));
    }

    #[test]
    fn only_a_large_file_gets_a_larger_page_cache_for_its_import() {
        use super::import_cache_kib;
        // SQLite's default for a small file and for the 21 MB file of 10,000 objects (the peak
        // memory of its import is what reading the file takes); 64 MiB from a 128 MiB file on,
        // as for the 211 MB file of 100,000 objects.
        assert_eq!(import_cache_kib(100_000), 2000);
        assert_eq!(import_cache_kib(21_038_082), 2000);
        assert_eq!(import_cache_kib((128 << 20) - 1), 2000);
        assert_eq!(import_cache_kib(128 << 20), 64 << 10);
        assert_eq!(import_cache_kib(210_531_335), 64 << 10);
        assert_eq!(import_cache_kib(usize::MAX), 64 << 10);
    }
}
