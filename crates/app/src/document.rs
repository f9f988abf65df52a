//! The documents auditors ask for (issue 5): the requirements specification of an engagement and
//! its traceability matrix. Both are built from one read of the engagement and carry the hash of
//! the content they show, so a printed page can be matched with the records it came from.

use crate::engagement::load_visible;
use crate::reqif::{origin_values, Definitions, OriginValue};
use crate::views::{EngagementView, SignatureView};
use crate::{Actor, App, Error, Result};
use accord_interchange::reqif::SpecObject;
use accord_store::requirement::Requirement;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use uuid::Uuid;

/// The link kinds a requirement points along, as the matrix's columns (`verifies` has two: what
/// verifies the requirement, and what it verifies).
pub const OUTGOING: [&str; 4] = ["derives_from", "depends_on", "conflicts_with", "refines"];

/// A requirements specification: the engagement's requirements (not the retired ones) by
/// functional area, numbered,
/// with their attributes and links, the glossary and the signatures given on the engagement.
#[derive(Debug, Clone, Serialize)]
pub struct Specification {
    pub engagement: EngagementView,
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// The baseline shown, when it is one; the current content otherwise.
    pub baseline: Option<String>,
    /// `sha256:` and the hash of everything the document prints: every requirement's key,
    /// version and fields, every link, the source tools' attributes and formatting, and the
    /// glossary. The same content gives the same hash.
    pub content_hash: String,
    pub requirement_count: usize,
    pub sections: Vec<SpecSection>,
    pub glossary: Vec<SpecTerm>,
    pub signatures: Vec<SignatureView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecSection {
    /// "1", "2"…
    pub number: String,
    /// The functional area.
    pub title: String,
    pub requirements: Vec<SpecRequirement>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecRequirement {
    /// "1.1", "1.2"…
    pub number: String,
    pub id: Uuid,
    pub key: String,
    pub title: String,
    pub statement: String,
    /// The statement as the source tool formatted it (sanitised HTML), when the requirement
    /// came from ReqIF and its statement was not edited since.
    pub rich_statement: Option<String>,
    pub rationale: String,
    pub functional_area: String,
    pub source: String,
    pub owner: Option<String>,
    pub status: String,
    pub priority: Option<String>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// For each kind of [`OUTGOING`], the keys this requirement links to.
    pub links: Vec<(String, Vec<String>)>,
    /// Keys of the requirements (tests, qualification steps) that verify this one.
    pub verified_by: Vec<String>,
    /// Keys this requirement verifies.
    pub verifies: Vec<String>,
    /// The ReqIF attributes it came with, besides its title and statement.
    pub attributes: Vec<OriginValue>,
}

impl SpecRequirement {
    /// The keys linked by `kind`, joined for a table cell.
    pub fn linked(&self, kind: &str) -> String {
        self.links
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, keys)| keys.join(", "))
            .unwrap_or_default()
    }

    /// Whether the requirement has any link at all.
    pub fn has_links(&self) -> bool {
        !self.verified_by.is_empty()
            || !self.verifies.is_empty()
            || self.links.iter().any(|(_, k)| !k.is_empty())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecTerm {
    pub term: String,
    pub definition: String,
    pub synonyms: Vec<String>,
}

/// A requirement's trace links as the other requirements' keys, each list sorted.
#[derive(Debug, Clone)]
pub(crate) struct LinkKeys {
    /// For each kind of [`OUTGOING`], in that order, the keys it links to.
    pub(crate) out: Vec<(String, Vec<String>)>,
    /// What verifies it.
    pub(crate) verified_by: Vec<String>,
    /// What it verifies.
    pub(crate) verifies: Vec<String>,
}

impl Default for LinkKeys {
    fn default() -> Self {
        LinkKeys {
            out: OUTGOING
                .iter()
                .map(|k| (k.to_string(), Vec::new()))
                .collect(),
            verified_by: Vec::new(),
            verifies: Vec::new(),
        }
    }
}

/// Each requirement's links (those between two of `reqs`), in one pass over the links.
pub(crate) fn link_keys(
    reqs: &[Requirement],
    links: &[accord_store::trace::Link],
) -> HashMap<Uuid, LinkKeys> {
    let key: HashMap<Uuid, &str> = reqs.iter().map(|r| (r.id, r.key.as_str())).collect();
    let mut out: HashMap<Uuid, LinkKeys> = HashMap::new();
    for l in links {
        let (Some(from), Some(to)) = (key.get(&l.from_id), key.get(&l.to_id)) else {
            continue;
        };
        if l.kind == "verifies" {
            out.entry(l.to_id)
                .or_default()
                .verified_by
                .push(from.to_string());
            out.entry(l.from_id)
                .or_default()
                .verifies
                .push(to.to_string());
        } else if let Some((_, keys)) = out
            .entry(l.from_id)
            .or_default()
            .out
            .iter_mut()
            .find(|(k, _)| *k == l.kind)
        {
            keys.push(to.to_string());
        }
    }
    for k in out.values_mut() {
        k.out.iter_mut().for_each(|(_, v)| v.sort_unstable());
        k.verified_by.sort_unstable();
        k.verifies.sort_unstable();
    }
    out
}

/// The hash of what a specification shows of its requirements and links.
fn content_hash<'a>(
    reqs: &[Requirement],
    links: &[accord_store::trace::Link],
    shown: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    for r in reqs {
        for f in [
            r.key.as_str(),
            &r.version.to_string(),
            &r.title,
            &r.statement,
            &r.rationale,
            &r.functional_area,
            &r.source,
            &r.status,
            r.priority.as_deref().unwrap_or(""),
            &r.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        ] {
            field(f);
        }
    }
    let mut ls: Vec<String> = links
        .iter()
        .map(|l| format!("{} {} {}", l.from_id, l.kind, l.to_id))
        .collect();
    ls.sort_unstable();
    for l in &ls {
        field(l);
    }
    // And the rest the document prints: the source tools' attributes and formatting, the
    // glossary.
    for s in shown {
        field(s);
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

impl App {
    /// The engagement's requirements specification as it stands now.
    pub async fn specification(&self, actor: &Actor, eid: Uuid) -> Result<Specification> {
        let (engagement, reqs, links, names, origins) = {
            let mut tx = self.store.read().await?;
            let e = load_visible(&mut tx, actor, eid).await?;
            let view = self.engagement_view(&mut tx, &e).await?;
            // Retired requirements are no longer part of what is specified.
            let reqs: Vec<Requirement> = accord_store::requirement::all(&mut tx, eid)
                .await?
                .into_iter()
                .filter(|r| r.status != "retired")
                .collect();
            let shown: std::collections::HashSet<Uuid> = reqs.iter().map(|r| r.id).collect();
            let links: Vec<accord_store::trace::Link> =
                accord_store::trace::links(&mut tx, eid, None)
                    .await?
                    .into_iter()
                    .filter(|l| shown.contains(&l.from_id) && shown.contains(&l.to_id))
                    .collect();
            let names =
                crate::requirement::names(&mut tx, reqs.iter().filter_map(|r| r.owner_id)).await?;
            let defs: HashMap<Uuid, Definitions> = accord_store::reqif::documents(&mut tx, eid)
                .await?
                .into_iter()
                .map(|d| {
                    (
                        d.id,
                        serde_json::from_str(&d.definitions).unwrap_or_default(),
                    )
                })
                .collect();
            let mut origins: HashMap<Uuid, (Vec<OriginValue>, Option<OriginValue>)> =
                HashMap::new();
            let defaults = crate::reqif::ImportOptions::new("", "");
            for (rid, object, doc) in
                accord_store::reqif::objects_of_engagement(&mut tx, eid).await?
            {
                let o: SpecObject =
                    serde_json::from_str(&object).map_err(|e| Error::Internal(e.to_string()))?;
                let empty = Definitions::default();
                let d = defs.get(&doc).unwrap_or(&empty);
                // The attributes the title and statement came from are the requirement's own
                // title and statement now (edited since, perhaps): not shown twice.
                let sources: Vec<&String> = [
                    (&d.title_from, &defaults.title_from),
                    (&d.statement_from, &defaults.statement_from),
                ]
                .into_iter()
                .flat_map(|(kept, default)| if kept.is_empty() { default } else { kept })
                .collect();
                let mut values = origin_values(&o, d);
                // The rich form of the statement stays aside, for printing it as formatted.
                let rich = values
                    .iter()
                    .find(|v| v.html.is_some() && sources.contains(&&v.name))
                    .cloned();
                values.retain(|v| !sources.contains(&&v.name));
                origins.insert(rid, (values, rich));
            }
            (view, reqs, links, names, origins)
        };
        let glossary: Vec<SpecTerm> = self
            .glossary(actor, eid)
            .await?
            .into_iter()
            .map(|t| SpecTerm {
                term: t.term,
                definition: t.definition,
                synonyms: t.synonyms,
            })
            .collect();
        let signatures = self.list_signatures(actor, eid, None).await?;
        let mut traces = link_keys(&reqs, &links);
        let mut by_area: BTreeMap<&str, Vec<&Requirement>> = BTreeMap::new();
        for r in &reqs {
            by_area.entry(&r.functional_area).or_default().push(r);
        }
        let mut origins = origins;
        let sections: Vec<SpecSection> = by_area
            .into_iter()
            .enumerate()
            .map(|(i, (area, rs))| SpecSection {
                number: (i + 1).to_string(),
                title: area.to_string(),
                requirements: rs
                    .into_iter()
                    .enumerate()
                    .map(|(j, r)| {
                        let (attributes, rich) = origins.remove(&r.id).unwrap_or_default();
                        // The statement as formatted at the source, while it still says what
                        // the requirement says.
                        let rich = rich
                            .filter(|v| v.text.trim() == r.statement)
                            .and_then(|v| v.html);
                        let t = traces.remove(&r.id).unwrap_or_default();
                        SpecRequirement {
                            number: format!("{}.{}", i + 1, j + 1),
                            id: r.id,
                            key: r.key.clone(),
                            title: r.title.clone(),
                            statement: r.statement.clone(),
                            rich_statement: rich,
                            rationale: r.rationale.clone(),
                            functional_area: r.functional_area.clone(),
                            source: r.source.clone(),
                            owner: r.owner_id.and_then(|o| names.get(&o).cloned()),
                            status: r.status.clone(),
                            priority: r.priority.clone(),
                            version: r.version,
                            updated_at: r.updated_at,
                            links: t.out,
                            verified_by: t.verified_by,
                            verifies: t.verifies,
                            attributes,
                        }
                    })
                    .collect(),
            })
            .collect();
        Ok(Specification {
            engagement,
            generated_at: self.now(),
            baseline: None,
            content_hash: content_hash(
                &reqs,
                &links,
                sections
                    .iter()
                    .flat_map(|s: &SpecSection| &s.requirements)
                    .flat_map(|r| {
                        r.attributes
                            .iter()
                            .flat_map(|v| [v.name.as_str(), v.datatype.as_str(), v.text.as_str()])
                            .chain(r.rich_statement.as_deref())
                    })
                    .chain(glossary.iter().flat_map(|g: &SpecTerm| {
                        [g.term.as_str(), g.definition.as_str()]
                            .into_iter()
                            .chain(g.synonyms.iter().map(String::as_str))
                    })),
            ),
            requirement_count: reqs.len(),
            sections,
            glossary,
            signatures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::content_hash;
    use accord_store::requirement::Requirement;

    fn req(title: &str) -> Requirement {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        Requirement {
            id: uuid::Uuid::nil(),
            engagement_id: uuid::Uuid::nil(),
            seq: 1,
            key: "REQ-0001".into(),
            title: title.into(),
            statement: "s".into(),
            rationale: String::new(),
            functional_area: "QC".into(),
            source: String::new(),
            owner_id: None,
            status: "draft".into(),
            priority: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn the_hash_follows_the_content_and_nothing_else() {
        let a = content_hash(&[req("a")], &[], []);
        assert_eq!(a, content_hash(&[req("a")], &[], []));
        assert_ne!(a, content_hash(&[req("b")], &[], []));
        assert_ne!(
            a,
            content_hash(&[req("a")], &[], ["GxP risk", "STRING", "High"])
        );
        // Fields are delimited: moving a character from one field to the next changes the hash.
        let mut x = req("ab");
        x.statement = "c".into();
        let mut y = req("a");
        y.statement = "bc".into();
        assert_ne!(content_hash(&[x], &[], []), content_hash(&[y], &[], []));
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
    }
}
