//! Re-import of a newer export of a ReqIF document already imported (issue 5): spec objects are
//! matched by IDENTIFIER and the comparison (added, changed, unchanged, removed) is shown before
//! anything is written. Confirming sends the file again with the preview's `confirm` token: the
//! comparison is made again and applied in one transaction only if it gives the same token (the
//! same file, options and findings, and nothing changed in the engagement since). Added objects
//! become requirements, a title or statement the file changed gives its requirement a new
//! version, removed objects retire theirs, new relations become trace links; one audit event per
//! created or changed record.

use crate::engagement::{load_visible, Held};
use crate::reqif::{
    import_draft, new_requirement, parse_all, reading_order, relation_links, skeleton_json,
    Definitions, ImportOptions, ImportWarning, Mapped, Mapper,
};
use crate::requirement::check_area;
use crate::{snapshot, Actor, App, AuditEntry, Error, Result};
use accord_interchange::reqif::{ReqIf, SpecObject};
use accord_store::audit::Draft;
use accord_store::requirement::{Requirement, Version};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// One spec object of the comparison.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ObjectChange {
    /// The spec object's IDENTIFIER.
    pub identifier: String,
    /// The requirement it is (for added objects: none yet).
    pub requirement_key: Option<String>,
    /// Its title as the newer file has it (the removed: as Accord has it).
    pub title: String,
    /// What differs: `title`, `statement`, and the names of other attributes that changed.
    pub changes: Vec<String>,
    /// The requirement's title or statement was edited in Accord since the document was last
    /// imported. A field the newer file also changes takes the file's words (the edit stays in
    /// the requirement's history); a field it does not change keeps Accord's.
    pub edited_in_accord: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReimportReport {
    pub document_id: Uuid,
    /// The SHA-256 of the file compared.
    pub file_sha256: String,
    /// Send this back as `confirm`, with the same file, to apply the comparison. It covers the
    /// file, the options and what the comparison found, and the engagement's audit trail as it
    /// stood: if anything in the engagement changed since the preview, the confirmation is
    /// refused (409) and the file must be previewed again.
    pub confirm: String,
    /// False for a preview: nothing was written.
    pub applied: bool,
    pub added: Vec<ObjectChange>,
    pub changed: Vec<ObjectChange>,
    pub unchanged: usize,
    pub removed: Vec<ObjectChange>,
    pub requirements_created: usize,
    pub requirements_updated: usize,
    pub requirements_retired: usize,
    pub links_created: usize,
    pub warnings: Vec<ImportWarning>,
}

/// The names of the attributes whose values differ between two versions of a spec object.
fn changed_attributes(old: &SpecObject, new: &SpecObject, defs: &Definitions) -> Vec<String> {
    let name = |d: &str| {
        defs.attributes
            .get(d)
            .map(|(n, _)| n.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| d.to_string())
    };
    let old_values: HashMap<&str, &accord_interchange::reqif::Value> = old
        .values
        .iter()
        .map(|v| (v.definition.as_str(), v))
        .collect();
    let new_values: HashMap<&str, &accord_interchange::reqif::Value> = new
        .values
        .iter()
        .map(|v| (v.definition.as_str(), v))
        .collect();
    let mut out: Vec<String> = new_values
        .iter()
        .filter(|(d, v)| old_values.get(*d) != Some(v))
        .map(|(d, _)| name(d))
        .chain(
            old_values
                .keys()
                .filter(|d| !new_values.contains_key(*d))
                .map(|d| name(d)),
        )
        .collect();
    if old.id.long_name != new.id.long_name || old.type_ref != new.type_ref {
        out.push("LONG-NAME or TYPE".into());
    }
    if out.is_empty() && old != new {
        out.push("tool content".into());
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The next version of a requirement changed by a re-import: its version row and audit draft.
fn bumped(r: &Requirement, next: &Requirement, actor: &Actor, reason: String) -> (Version, Draft) {
    (
        Version {
            requirement_id: r.id,
            version: next.version,
            snapshot: crate::requirement::snapshot_text(next),
            actor_id: Some(actor.user_id),
            at: next.updated_at,
        },
        Draft {
            at: next.updated_at,
            actor_id: Some(actor.user_id),
            action: "requirement.reimport".into(),
            record_type: "requirement".into(),
            record_id: Some(r.id),
            before: Some(snapshot(r).to_string()),
            after: Some(snapshot(next).to_string()),
            reason: Some(reason),
        },
    )
}

/// What a confirmation must send back: the hash of the engagement's audit head (it moves with
/// every change to the engagement) and of what the preview showed.
pub(crate) fn confirm_token(head: (i64, [u8; 32]), preview: &serde_json::Value) -> String {
    let mut h = Sha256::new();
    h.update(head.0.to_be_bytes());
    h.update(head.1);
    h.update(preview.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// A confirmation that does not match what would be done now.
pub(crate) fn stale_preview() -> Error {
    Error::Refused {
        detail: "the file is not the one previewed, or the engagement changed since the preview: preview it again before confirming".into(),
        unmet: Vec::new(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl App {
    /// Compares a newer export of an imported document with it and, when `confirm` is the token
    /// its preview gave (and still holds), applies the comparison. Without `confirm`, nothing is
    /// written.
    pub async fn reimport_reqif(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        document_id: Uuid,
        bytes: &[u8],
        opts: &ImportOptions,
        confirm: Option<&str>,
    ) -> Result<ReimportReport> {
        {
            let mut tx = self.store.read().await?;
            load_visible(&mut tx, actor, engagement_id).await?;
            accord_store::reqif::document(&mut tx, engagement_id, document_id).await?;
        }
        let file_sha256 = sha256_hex(bytes);
        let data = bytes.to_vec();
        let max_inflated = opts.max_inflated;
        let (mut parsed, attachments) =
            tokio::task::spawn_blocking(move || parse_all(data, max_inflated))
                .await
                .map_err(|e| Error::Internal(e.to_string()))??;
        if parsed.len() != 1 {
            return Err(Error::invalid(
                "file",
                format!(
                    "a re-import compares one document and this file holds {}: import it as a new document instead",
                    parsed.len()
                ),
            ));
        }
        let (member, read) = parsed.remove(0);
        let mut warnings: Vec<ImportWarning> = read
            .warnings
            .iter()
            .map(|w| ImportWarning {
                document: member.clone(),
                line: w.line,
                column: w.column,
                element: w.element.clone(),
                message: w.message.clone(),
            })
            .collect();
        if !attachments.is_empty() {
            warnings.push(ImportWarning {
                document: member.clone(),
                line: 0,
                column: 0,
                element: "REQIFZ".into(),
                message: format!(
                    "the {} attachments of the newer file are not taken: the document keeps those of its first import",
                    attachments.len()
                ),
            });
        }
        let mut doc = read.reqif;
        let now = self.now();

        // A preview compares in a read snapshot; a confirmation holds the write lock while it
        // compares again and applies.
        let mut held = match confirm {
            Some(_) => Held::Write(self.write_engagement(actor, engagement_id).await?.0),
            None => self.preview_engagement(actor, engagement_id).await?,
        };
        let area = check_area(held.tx(), engagement_id, &opts.functional_area).await?;
        let stored = accord_store::reqif::document(held.tx(), engagement_id, document_id).await?;
        let old_defs: Definitions = serde_json::from_str(&stored.definitions).unwrap_or_default();
        // Titles and statements come from the attributes given, or else from those the
        // document was imported with (or else the defaults).
        let mut opts = opts.clone();
        let defaults = ImportOptions::new("", "");
        // The document as last imported is read as it was then.
        let mut old_opts = opts.clone();
        old_opts.title_from = if old_defs.title_from.is_empty() {
            defaults.title_from.clone()
        } else {
            old_defs.title_from.clone()
        };
        old_opts.statement_from = if old_defs.statement_from.is_empty() {
            defaults.statement_from.clone()
        } else {
            old_defs.statement_from.clone()
        };
        for (given, stored, default) in [
            (
                &mut opts.title_from,
                &old_defs.title_from,
                defaults.title_from,
            ),
            (
                &mut opts.statement_from,
                &old_defs.statement_from,
                defaults.statement_from,
            ),
        ] {
            if given.is_empty() {
                *given = if stored.is_empty() {
                    default
                } else {
                    stored.clone()
                };
            }
        }
        let opts = &opts;
        warnings.extend(crate::reqif::unknown_attributes(&doc, opts, &member));
        let old_objects: HashMap<
            String,
            (accord_store::reqif::Object, Option<time::OffsetDateTime>),
        > = accord_store::reqif::all_objects(held.tx(), document_id)
            .await?
            .into_iter()
            .map(|(o, removed)| (o.identifier.clone(), (o, removed)))
            .collect();
        let requirements: HashMap<Uuid, Requirement> =
            accord_store::requirement::all(held.tx(), engagement_id)
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
        // The document as it was, to tell what Accord changed since it was last taken.
        let old_doc: ReqIf = serde_json::from_str(&stored.model).unwrap_or_default();
        let display = stored.name.clone();
        let mapper = Mapper::new(&doc, opts, &display);
        let old_mapper = Mapper::new(&old_doc, &old_opts, &display);
        // Edited in Accord: its title or statement is not what the spec object, as last
        // imported, gives.
        let edited = |r: &Requirement, before: &SpecObject| match old_mapper.map_object(before, &[])
        {
            Mapped::Requirement {
                title, statement, ..
            } => title != r.title || statement != r.statement,
            Mapped::Section => false,
        };
        let mut report = ReimportReport {
            document_id,
            file_sha256,
            confirm: String::new(),
            applied: false,
            added: Vec::new(),
            changed: Vec::new(),
            unchanged: 0,
            removed: Vec::new(),
            requirements_created: 0,
            requirements_updated: 0,
            requirements_retired: 0,
            links_created: 0,
            warnings,
        };
        // What applying does, decided while comparing.
        let mut seq = accord_store::requirement::next_seq(held.tx(), engagement_id).await?;
        let mut puts: Vec<accord_store::reqif::Object> = Vec::new();
        let mut created: Vec<Requirement> = Vec::new();
        let mut versions: Vec<Version> = Vec::new();
        let mut updated: Vec<(Requirement, i64)> = Vec::new();
        let mut drafts: Vec<Draft> = Vec::new();
        let mut requirement_of: HashMap<String, Uuid> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for (i, path) in reading_order(&doc) {
            let o = &doc.spec_objects[i];
            seen.insert(o.id.identifier.as_str());
            let json = serde_json::to_string(o).map_err(|e| Error::Internal(e.to_string()))?;
            let mapped = mapper.map(i, &path);
            if let Mapped::Requirement {
                shortened: true, ..
            } = mapped
            {
                report.warnings.push(ImportWarning {
                    document: member.clone(),
                    line: 0,
                    column: 0,
                    element: format!("SPEC-OBJECT {}", o.id.identifier),
                    message: "the title or statement was shortened to Accord's limit; the full value is kept with the ReqIF attributes".into(),
                });
            }
            let (old, removed_at) = match old_objects.get(&o.id.identifier) {
                Some((o, removed_at)) => (Some(o), *removed_at),
                None => (None, None),
            };
            let was_removed = removed_at.is_some();
            let Some(old) = old else {
                // New to the document: a new requirement.
                let mut requirement_id = None;
                let mut key = None;
                let title = match mapped {
                    Mapped::Section => o.id.long_name.clone().unwrap_or_default(),
                    Mapped::Requirement {
                        title,
                        statement,
                        source,
                        ..
                    } => {
                        let (r, v) = new_requirement(
                            engagement_id,
                            seq,
                            &area,
                            title,
                            statement,
                            source,
                            actor.user_id,
                            now,
                        );
                        seq += 1;
                        drafts.push(import_draft(
                            &r,
                            &o.id.identifier,
                            document_id,
                            actor.user_id,
                        ));
                        requirement_id = Some(r.id);
                        key = Some(r.key.clone());
                        let t = r.title.clone();
                        versions.push(v);
                        created.push(r);
                        t
                    }
                };
                if let Some(id) = requirement_id {
                    requirement_of.insert(o.id.identifier.clone(), id);
                }
                report.added.push(ObjectChange {
                    identifier: o.id.identifier.clone(),
                    requirement_key: key,
                    title,
                    changes: Vec::new(),
                    edited_in_accord: false,
                });
                puts.push(accord_store::reqif::Object {
                    document_id,
                    identifier: o.id.identifier.clone(),
                    seq: i as i64,
                    requirement_id,
                    object: json,
                });
                continue;
            };
            if let Some(id) = old.requirement_id {
                requirement_of.insert(o.id.identifier.clone(), id);
            }
            // Rows written before the model left out empty fields hold the same object in
            // other words: compare objects, not text, when the text differs.
            let parse_stored = || {
                serde_json::from_str::<SpecObject>(&old.object)
                    .map_err(|e| Error::Internal(e.to_string()))
            };
            let before = if old.object == json {
                None
            } else {
                Some(parse_stored()?)
            };
            if before.as_ref().is_none_or(|b| b == o) && !was_removed {
                report.unchanged += 1;
                if old.seq != i as i64 {
                    // Moved in the document: the same object, in its new place.
                    puts.push(accord_store::reqif::Object {
                        seq: i as i64,
                        ..old.clone()
                    });
                }
                continue;
            }
            let before = match before {
                Some(b) => b,
                None => parse_stored()?,
            };
            let mut changes = changed_attributes(&before, o, &old_defs);
            if was_removed {
                // Back in the document after a newer export had dropped it.
                changes.push("back in the document".into());
            }
            let (old_title, old_statement) = match old_mapper.map_object(&before, &[]) {
                Mapped::Requirement {
                    title, statement, ..
                } => (Some(title), Some(statement)),
                Mapped::Section => (None, None),
            };
            let current = old.requirement_id.and_then(|id| requirements.get(&id));
            let mut title_now = o.id.long_name.clone().unwrap_or_default();
            let mut requirement_id = old.requirement_id;
            match (mapped, current) {
                (
                    Mapped::Requirement {
                        title, statement, ..
                    },
                    Some(r),
                ) => {
                    let mut next = r.clone();
                    // A field the newer file changed takes its words; one it did not change
                    // keeps Accord's (edited there since, perhaps).
                    if old_title.as_deref() != Some(title.as_str()) && r.title != title {
                        changes.push("title".into());
                        next.title = title;
                    }
                    if old_statement.as_deref() != Some(statement.as_str())
                        && r.statement != statement
                    {
                        changes.push("statement".into());
                        next.statement = statement;
                    }
                    // Retired when the object went (not by someone in Accord before): back.
                    if r.status == "retired" && removed_at == Some(r.updated_at) {
                        changes.push("status".into());
                        next.status = "draft".into();
                    }
                    // The title the requirement will have.
                    title_now = next.title.clone();
                    if next != *r {
                        next.version = r.version + 1;
                        next.updated_at = now;
                        let (v, d) =
                            bumped(r, &next, actor, format!("newer export of {}", stored.name));
                        versions.push(v);
                        drafts.push(d);
                        updated.push((next, r.version));
                    }
                }
                (
                    Mapped::Requirement {
                        title,
                        statement,
                        source,
                        ..
                    },
                    None,
                ) => {
                    // A heading that became a requirement.
                    let (r, v) = new_requirement(
                        engagement_id,
                        seq,
                        &area,
                        title,
                        statement,
                        source,
                        actor.user_id,
                        now,
                    );
                    seq += 1;
                    title_now = r.title.clone();
                    drafts.push(import_draft(
                        &r,
                        &o.id.identifier,
                        document_id,
                        actor.user_id,
                    ));
                    requirement_id = Some(r.id);
                    requirement_of.insert(o.id.identifier.clone(), r.id);
                    versions.push(v);
                    created.push(r);
                }
                (Mapped::Section, r) => {
                    if let Some(r) = r {
                        title_now = r.title.clone();
                        report.warnings.push(ImportWarning {
                            document: member.clone(),
                            line: 0,
                            column: 0,
                            element: format!("SPEC-OBJECT {}", o.id.identifier),
                            message: format!(
                                "is a section heading in the newer file; {} stays as it is",
                                r.key
                            ),
                        });
                    }
                }
            }
            changes.sort_unstable();
            changes.dedup();
            report.changed.push(ObjectChange {
                identifier: o.id.identifier.clone(),
                requirement_key: current.map(|r| r.key.clone()).or_else(|| {
                    requirement_id
                        .and_then(|id| created.iter().find(|r| r.id == id))
                        .map(|r| r.key.clone())
                }),
                title: title_now,
                changes,
                edited_in_accord: current.is_some_and(|r| edited(r, &before)),
            });
            puts.push(accord_store::reqif::Object {
                document_id,
                identifier: o.id.identifier.clone(),
                seq: i as i64,
                requirement_id,
                object: json,
            });
        }
        // Gone from the newer export: kept, marked removed; their requirements retire.
        let mut gone: Vec<&accord_store::reqif::Object> = old_objects
            .values()
            .filter(|(o, removed_at)| removed_at.is_none() && !seen.contains(o.identifier.as_str()))
            .map(|(o, _)| o)
            .collect();
        gone.sort_by_key(|o| o.seq);
        let mut retire: Vec<(Requirement, i64)> = Vec::new();
        for o in &gone {
            let r = o.requirement_id.and_then(|id| requirements.get(&id));
            if let Some(r) = r.filter(|r| r.status != "retired") {
                let mut next = r.clone();
                next.status = "retired".into();
                next.version = r.version + 1;
                next.updated_at = now;
                let (v, d) = bumped(
                    r,
                    &next,
                    actor,
                    format!("no longer in the newer export of {}", stored.name),
                );
                versions.push(v);
                drafts.push(d);
                retire.push((next, r.version));
            }
            let before: Option<SpecObject> = serde_json::from_str(&o.object).ok();
            report.removed.push(ObjectChange {
                identifier: o.identifier.clone(),
                requirement_key: r.map(|r| r.key.clone()),
                title: r.map(|r| r.title.clone()).unwrap_or_default(),
                changes: Vec::new(),
                edited_in_accord: r.zip(before.as_ref()).is_some_and(|(r, b)| edited(r, b)),
            });
        }
        // New relations between requirements become links; existing links stay as they are.
        let existing: HashSet<(Uuid, Uuid, String)> =
            accord_store::trace::links(held.tx(), engagement_id, None)
                .await?
                .into_iter()
                .map(|l| (l.from_id, l.to_id, l.kind))
                .collect();
        let links = relation_links(
            &doc,
            |id| requirement_of.get(id).copied(),
            &existing,
            engagement_id,
            actor.user_id,
            now,
        );
        for l in &links {
            drafts.push(Draft {
                at: now,
                actor_id: Some(actor.user_id),
                action: "link.create".into(),
                record_type: "link".into(),
                record_id: Some(l.id),
                before: None,
                after: Some(snapshot(l).to_string()),
                reason: None,
            });
        }
        report.requirements_created = created.len();
        report.requirements_updated = updated.len();
        report.requirements_retired = retire.len();
        report.links_created = links.len();
        // A file with none of the document's spec objects is most likely another document,
        // chosen by mistake: confirming it would retire every requirement the document gave.
        if report.changed.is_empty() && report.unchanged == 0 && !report.removed.is_empty() {
            let header = if stored.header_identifier == doc.header.identifier {
                String::new()
            } else {
                format!(
                    " (the file's header is {}, the document's {})",
                    doc.header.identifier, stored.header_identifier
                )
            };
            let requirements = |n: usize| match n {
                1 => "1 requirement".to_string(),
                n => format!("{n} requirements"),
            };
            report.warnings.push(ImportWarning {
                document: member.clone(),
                line: 0,
                column: 0,
                element: "REQ-IF-HEADER".into(),
                message: format!(
                    "none of this file's spec objects is in {}{header}: it looks like another document. Confirming retires {} and creates {}; to add it beside this one, import it as a new document",
                    stored.name,
                    requirements(report.requirements_retired),
                    requirements(report.requirements_created)
                ),
            });
        }
        report.confirm = confirm_token(
            held.head(),
            &serde_json::json!([
                report.file_sha256,
                document_id,
                opts.functional_area,
                opts.title_from,
                opts.statement_from,
                report.added,
                report.changed,
                report.unchanged,
                report.removed,
            ]),
        );
        let mut w = match (confirm, held) {
            (Some(c), Held::Write(w)) if c.eq_ignore_ascii_case(&report.confirm) => w,
            (Some(_), _) => return Err(stale_preview()),
            // A preview writes nothing.
            (None, _) => return Ok(report),
        };
        accord_store::requirement::insert_many(&mut w.tx, &created).await?;
        for (r, expected) in updated.iter().chain(retire.iter()) {
            accord_store::requirement::update(&mut w.tx, r, *expected).await?;
        }
        accord_store::requirement::insert_versions(&mut w.tx, &versions).await?;
        for o in &puts {
            accord_store::reqif::put_object(&mut w.tx, o).await?;
        }
        for o in &gone {
            accord_store::reqif::remove_object(&mut w.tx, document_id, &o.identifier, now).await?;
        }
        accord_store::trace::insert_links(&mut w.tx, &links).await?;
        let model = skeleton_json(&mut doc)?;
        let updated_doc = accord_store::reqif::Document {
            header_identifier: doc.header.identifier.clone(),
            title: doc.header.field("TITLE").unwrap_or("").to_string(),
            model,
            definitions: serde_json::to_string(&Definitions {
                title_from: opts.title_from.clone(),
                statement_from: opts.statement_from.clone(),
                ..Definitions::of(&doc)
            })
            .map_err(|e| Error::Internal(e.to_string()))?,
            ..stored.clone()
        };
        accord_store::reqif::update_document(&mut w.tx, &updated_doc).await?;
        w.append_many(&self.key, drafts).await?;
        let summary = serde_json::json!({
            "name": stored.name, "file_sha256": report.file_sha256,
            "added": report.added.len(), "changed": report.changed.len(),
            "unchanged": report.unchanged, "removed": report.removed.len(),
            "links_created": report.links_created,
        });
        self.audit(
            &mut w,
            AuditEntry {
                actor: Some(actor.user_id),
                action: "reqif.reimport",
                record_type: "reqif_document",
                record_id: Some(document_id),
                before: None,
                after: Some(summary),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        report.applied = true;
        Ok(report)
    }
}
