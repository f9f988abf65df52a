//! Requirements from a spreadsheet (issue 5): a CSV file, its columns mapped onto Accord's
//! fields, previewed row by row (created, updated, unchanged) before anything is written, and
//! applied only when the same file comes back with the preview's `confirm` token and the
//! comparison, made again, gives the same token. Rows that name an existing requirement's key
//! update it (a new version); rows without a key create one. A file
//! with any bad row is refused whole, each bad cell named by line and column.
//!
//! Also the engagement's change log (its audit trail) as CSV.

use crate::engagement::{load_visible, Held};
use crate::requirement::{areas, snapshot_text};
use crate::{snapshot, Actor, App, Error, FieldError, Result};
use accord_domain::validate;
use accord_interchange::csv_in;
use accord_store::audit::Draft;
use accord_store::requirement::{Requirement, Version};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// The fields a column can fill.
pub const CSV_FIELDS: [&str; 7] = [
    "key",
    "version",
    "title",
    "statement",
    "rationale",
    "functional_area",
    "source",
];

/// One row of the comparison.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsvRow {
    /// Its line in the file.
    pub line: u64,
    /// `create`, `update` or `unchanged`.
    pub action: String,
    /// The requirement it updates (new ones get their key when applied).
    pub key: Option<String>,
    pub title: String,
    /// The fields an update changes.
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsvImportReport {
    /// The SHA-256 of the file compared.
    pub file_sha256: String,
    /// Send this back as `confirm`, with the same file, to apply the comparison; refused (409)
    /// if the file, the options or anything in the engagement changed since the preview.
    pub confirm: String,
    /// False for a preview: nothing was written.
    pub applied: bool,
    /// Which column fills which field: (field, column).
    pub columns: Vec<(String, String)>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rows: Vec<CsvRow>,
}

/// The column mapping: each field's column, given (`field:Column`) or found by the field's name
/// (any case, spaces for underscores).
fn mapping(
    headers: &[String],
    given: &HashMap<String, String>,
) -> Result<HashMap<&'static str, usize>> {
    let mut errors = Vec::new();
    for f in given.keys() {
        if !CSV_FIELDS.contains(&f.as_str()) {
            errors.push(FieldError {
                field: "map".into(),
                message: format!(
                    "{f} is not a field a column can fill; they are: {}",
                    CSV_FIELDS.join(", ")
                ),
            });
        }
    }
    // The columns named `name`: one, or none; two or more cannot say which is meant.
    let find = |name: &str| -> Vec<usize> {
        let norm = |s: &str| s.trim().to_lowercase().replace([' ', '-'], "_");
        (0..headers.len())
            .filter(|i| norm(&headers[*i]) == norm(name))
            .collect()
    };
    let mut out = HashMap::new();
    for f in CSV_FIELDS {
        let (name, found) = match given.get(f) {
            Some(col) => (col.as_str(), find(col)),
            None => (f, find(f)),
        };
        match found[..] {
            [i] => {
                out.insert(f, i);
            }
            [] if given.contains_key(f) => errors.push(FieldError {
                field: "map".into(),
                message: format!(
                    "{f}: the file has no column \"{name}\"; its columns are: {}",
                    headers.join(", ")
                ),
            }),
            [] => {}
            _ => errors.push(FieldError {
                field: "map".into(),
                message: format!(
                    "{f}: the file has {} columns named \"{name}\" (columns {}): rename all but one",
                    found.len(),
                    found
                        .iter()
                        .map(|i| (i + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }
    for required in ["title", "statement"] {
        if !out.contains_key(required) && errors.is_empty() {
            errors.push(FieldError {
                field: "map".into(),
                message: format!(
                    "no column gives the {required}: name one with map={required}:COLUMN (the file's columns: {})",
                    headers.join(", ")
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::Validation(errors))
    }
}

impl App {
    /// Compares a CSV file of requirements with the engagement and, when `confirm` is the token
    /// its preview gave (and still holds), applies it in one transaction. Without `confirm`,
    /// nothing is written.
    pub async fn import_requirements_csv(
        &self,
        actor: &Actor,
        engagement_id: Uuid,
        bytes: &[u8],
        columns: &HashMap<String, String>,
        default_area: &str,
        confirm: Option<&str>,
    ) -> Result<CsvImportReport> {
        {
            let mut tx = self.store.read().await?;
            load_visible(&mut tx, actor, engagement_id).await?;
        }
        let file_sha256 = hex::encode(Sha256::digest(bytes));
        let table = csv_in::read(bytes).map_err(|e| Error::invalid("file", e.to_string()))?;
        let map = mapping(&table.headers, columns)?;
        // A preview compares in a read snapshot; a confirmation holds the write lock while it
        // compares again and applies.
        let mut held = match confirm {
            Some(_) => Held::Write(self.write_engagement(actor, engagement_id).await?.0),
            None => self.preview_engagement(actor, engagement_id).await?,
        };
        let known_areas: HashSet<String> =
            areas(held.tx(), engagement_id).await?.into_iter().collect();
        let existing: HashMap<String, Requirement> =
            accord_store::requirement::all(held.tx(), engagement_id)
                .await?
                .into_iter()
                .map(|r| (r.key.clone(), r))
                .collect();
        let now = self.now();
        let mut seq = accord_store::requirement::next_seq(held.tx(), engagement_id).await?;
        let mut errors: Vec<FieldError> = Vec::new();
        let mut report = CsvImportReport {
            file_sha256,
            confirm: String::new(),
            applied: false,
            columns: {
                let mut c: Vec<(String, String)> = map
                    .iter()
                    .map(|(f, i)| (f.to_string(), table.headers[*i].clone()))
                    .collect();
                c.sort_by_key(|(f, _)| CSV_FIELDS.iter().position(|x| x == f));
                c
            },
            created: 0,
            updated: 0,
            unchanged: 0,
            rows: Vec::new(),
        };
        let mut created: Vec<Requirement> = Vec::new();
        let mut updated: Vec<(Requirement, i64)> = Vec::new();
        let mut versions: Vec<Version> = Vec::new();
        let mut drafts: Vec<Draft> = Vec::new();
        let mut keys_seen: HashSet<String> = HashSet::new();
        let draft = |action: &str, r: &Requirement, before: Option<&Requirement>| Draft {
            at: now,
            actor_id: Some(actor.user_id),
            action: action.to_string(),
            record_type: "requirement".into(),
            record_id: Some(r.id),
            before: before.map(|b| snapshot(b).to_string()),
            after: Some(snapshot(r).to_string()),
            reason: Some("CSV import".into()),
        };
        for (line, cells) in &table.rows {
            // Cells past the last column: usually a cell with the separator in it, unquoted,
            // which would leave part of its text behind.
            if cells[table.headers.len().min(cells.len())..]
                .iter()
                .any(|c| !c.trim().is_empty())
            {
                errors.push(FieldError {
                    field: format!("line {line}"),
                    message: format!(
                        "more cells than the first line names columns ({}): a cell with the \
                         separator in it must be in quotes",
                        table.headers.len()
                    ),
                });
            }
            let cell = |f: &str| -> Option<&str> {
                map.get(f).and_then(|i| cells.get(*i)).map(|s| s.as_str())
            };
            let mut bad = |f: &str, message: String| {
                let column = map.get(f).map(|i| table.headers[*i].as_str()).unwrap_or(f);
                errors.push(FieldError {
                    field: format!("line {line}, column {column}"),
                    message,
                });
            };
            let mut text = |f: &str, max: usize, required: bool| -> Option<String> {
                let v = cell(f).unwrap_or("");
                let checked = if required {
                    validate::text(f, v, max)
                } else {
                    validate::optional_text(f, v, max)
                };
                match checked {
                    Ok(v) => Some(v),
                    Err(e) => {
                        // The cell is named already: the message alone.
                        for fe in Error::from(e).field_errors() {
                            bad(f, fe.message);
                        }
                        None
                    }
                }
            };
            let key = cell("key").map(str::trim).filter(|k| !k.is_empty());
            let title = text("title", 200, true);
            let statement = text("statement", 10_000, true);
            let rationale = text("rationale", 5_000, false);
            let source = text("source", 500, false);
            let current = key.and_then(|k| existing.get(k));
            // A row's area: its cell; else, for a new requirement, the import's; else (an
            // update) the requirement's own.
            let area = match (
                cell("functional_area")
                    .map(str::trim)
                    .filter(|a| !a.is_empty()),
                current,
            ) {
                (Some(a), _) => a.to_string(),
                (None, Some(r)) => r.functional_area.clone(),
                (None, None) => default_area.to_string(),
            };
            if !known_areas.contains(&area) && current.is_none_or(|r| r.functional_area != area) {
                let mut known: Vec<&String> = known_areas.iter().collect();
                known.sort();
                bad(
                    "functional_area",
                    if area.is_empty() {
                        "no functional area: give the column one, or functional_area= for all rows"
                            .to_string()
                    } else {
                        format!(
                            "\"{area}\" is not an area of this engagement; its areas are: {}",
                            known
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                );
            }
            // A version column (Accord's export has one): the row must be of the version
            // Accord holds, or the file would undo what changed since it was exported.
            if let (Some(v), Some(r)) = (
                cell("version").map(str::trim).filter(|v| !v.is_empty()),
                current,
            ) {
                match v.parse::<i64>() {
                    Ok(v) if v == r.version => {}
                    Ok(v) => bad(
                        "version",
                        format!(
                            "{} is at version {} in Accord and the file has version {v}: it changed since the file was made; export it again and redo the edit",
                            r.key, r.version
                        ),
                    ),
                    Err(_) => bad("version", format!("\"{v}\" is not a version number")),
                }
            }
            if let Some(k) = key {
                if !keys_seen.insert(k.to_string()) {
                    bad("key", format!("{k} is on an earlier line too"));
                }
            }
            let (Some(title), Some(statement), Some(rationale), Some(source)) =
                (title, statement, rationale, source)
            else {
                continue;
            };
            match key {
                Some(k) => {
                    let Some(r) = existing.get(k) else {
                        bad(
                            "key",
                            format!("{k} is not a requirement of this engagement; leave the key empty to create one"),
                        );
                        continue;
                    };
                    let mut next = r.clone();
                    let mut changes = Vec::new();
                    let mut set = |name: &str, field: &mut String, value: String, mapped: bool| {
                        if mapped && *field != value {
                            *field = value;
                            changes.push(name.to_string());
                        }
                    };
                    set("title", &mut next.title, title, true);
                    set("statement", &mut next.statement, statement, true);
                    set(
                        "rationale",
                        &mut next.rationale,
                        rationale,
                        map.contains_key("rationale"),
                    );
                    set(
                        "source",
                        &mut next.source,
                        source,
                        map.contains_key("source"),
                    );
                    set(
                        "functional_area",
                        &mut next.functional_area,
                        area,
                        map.contains_key("functional_area"),
                    );
                    let action = if changes.is_empty() {
                        report.unchanged += 1;
                        "unchanged"
                    } else {
                        next.version = r.version + 1;
                        next.updated_at = now;
                        versions.push(Version {
                            requirement_id: r.id,
                            version: next.version,
                            snapshot: snapshot_text(&next),
                            actor_id: Some(actor.user_id),
                            at: now,
                        });
                        drafts.push(draft("requirement.update", &next, Some(r)));
                        report.updated += 1;
                        "update"
                    };
                    report.rows.push(CsvRow {
                        line: *line,
                        action: action.into(),
                        key: Some(r.key.clone()),
                        title: next.title.clone(),
                        changes,
                    });
                    if action == "update" {
                        updated.push((next, r.version));
                    }
                }
                None => {
                    let r = Requirement {
                        id: accord_domain::new_id(),
                        engagement_id,
                        seq,
                        key: format!("REQ-{seq:04}"),
                        title,
                        statement,
                        rationale,
                        functional_area: area,
                        source,
                        owner_id: None,
                        status: "draft".into(),
                        priority: None,
                        version: 1,
                        created_at: now,
                        updated_at: now,
                    };
                    seq += 1;
                    versions.push(Version {
                        requirement_id: r.id,
                        version: 1,
                        snapshot: snapshot_text(&r),
                        actor_id: Some(actor.user_id),
                        at: now,
                    });
                    drafts.push(draft("requirement.import", &r, None));
                    report.rows.push(CsvRow {
                        line: *line,
                        action: "create".into(),
                        key: None,
                        title: r.title.clone(),
                        changes: Vec::new(),
                    });
                    report.created += 1;
                    created.push(r);
                }
            }
        }
        if !errors.is_empty() {
            errors.truncate(50);
            return Err(Error::Validation(errors));
        }
        report.confirm = crate::reimport::confirm_token(
            held.head(),
            &serde_json::json!([
                report.file_sha256,
                report.columns,
                default_area,
                report.rows,
            ]),
        );
        let mut w = match (confirm, held) {
            (Some(c), Held::Write(w)) if c.eq_ignore_ascii_case(&report.confirm) => w,
            (Some(_), _) => return Err(crate::reimport::stale_preview()),
            // A preview writes nothing.
            (None, _) => return Ok(report),
        };
        accord_store::requirement::insert_many(&mut w.tx, &created).await?;
        for (r, expected) in &updated {
            accord_store::requirement::update(&mut w.tx, r, *expected).await?;
        }
        accord_store::requirement::insert_versions(&mut w.tx, &versions).await?;
        w.append_many(&self.key, drafts).await?;
        // The file itself: which one, and what it did.
        self.audit(
            &mut w,
            crate::AuditEntry {
                actor: Some(actor.user_id),
                action: "requirements.csv_import",
                record_type: "engagement",
                record_id: Some(engagement_id),
                before: None,
                after: Some(serde_json::json!({
                    "file_sha256": report.file_sha256, "columns": report.columns,
                    "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                })),
                reason: None,
            },
        )
        .await?;
        w.commit().await?;
        report.applied = true;
        // Keys are given on writing: the report says them.
        let mut new_keys = created.iter().map(|r| r.key.clone());
        for row in report.rows.iter_mut().filter(|r| r.action == "create") {
            row.key = new_keys.next();
        }
        Ok(report)
    }

    /// The engagement's change log (its audit trail, oldest first) as CSV: (engagement key,
    /// bytes).
    pub async fn changes_csv(&self, actor: &Actor, eid: Uuid) -> Result<(String, Vec<u8>)> {
        let key = self.get_engagement(actor, eid).await?.key;
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut after = 0;
        loop {
            let page = self.engagement_audit(actor, eid, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            let n = page.len();
            for e in page {
                let record_key = e
                    .after
                    .as_ref()
                    .or(e.before.as_ref())
                    .and_then(|v| v.get("key"))
                    .and_then(|k| k.as_str())
                    .unwrap_or("")
                    .to_string();
                let changed: Vec<String> = match (&e.before, &e.after) {
                    (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) => {
                        let mut keys: Vec<String> = a
                            .iter()
                            .filter(|(k, v)| b.get(*k) != Some(v))
                            .map(|(k, _)| k.clone())
                            .filter(|k| k != "version" && k != "updated_at")
                            .collect();
                        keys.sort();
                        keys
                    }
                    _ => Vec::new(),
                };
                let json = |v: &Option<serde_json::Value>| {
                    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
                };
                rows.push(vec![
                    e.seq.to_string(),
                    e.at.format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default(),
                    e.actor_name.clone().unwrap_or_default(),
                    e.action.clone(),
                    e.record_type.clone(),
                    record_key,
                    e.record_id.map(|i| i.to_string()).unwrap_or_default(),
                    changed.join(" "),
                    e.reason.clone().unwrap_or_default(),
                    json(&e.before),
                    json(&e.after),
                ]);
            }
            if n < 500 {
                break;
            }
        }
        let header = [
            "seq",
            "at",
            "who",
            "action",
            "record_type",
            "record_key",
            "record_id",
            "changed",
            "reason",
            "before",
            "after",
        ];
        Ok((key, accord_interchange::csv_out::write(&header, &rows)))
    }
}
