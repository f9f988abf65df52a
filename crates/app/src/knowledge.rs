//! Responsibility 1, educate the partner: the glossary of business terms the customer teaches
//! and the partner acknowledges, linked from requirement text. Responsibility 2's elicitation
//! sessions: workshops and interviews, who took part, and the requirements they produced.

use crate::check::Check;
use crate::engagement::load_visible;
use crate::requirement::{check_area, check_owner, names, person, PersonRef};
use crate::{Actor, App, Error, Result};
use accord_store::knowledge::{Acknowledgement, Session, Term};
use accord_store::Tx;
use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

pub const TERM_LANGS: [&str; 2] = ["en", "zh-CN"];
pub const SESSION_KINDS: [&str; 2] = ["workshop", "interview"];

/// A glossary term as the customer writes it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTerm {
    /// The term as people write it (at most 100 characters), e.g. `OOS`.
    pub term: String,
    /// What it means in the customer's business (at most 5,000 characters).
    pub definition: String,
    /// One of the engagement's functional areas, or empty for a term of the whole business.
    #[serde(default)]
    pub functional_area: String,
    #[serde(default)]
    pub examples: String,
    /// Other spellings that mean the same (linked in requirement text too).
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// `en` (default) or `zh-CN`: the language the term is written in.
    #[serde(default)]
    pub lang: Option<String>,
}

/// Changes to a term; a changed term needs the partner's acknowledgement again.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermPatch {
    pub term: Option<String>,
    pub definition: Option<String>,
    pub functional_area: Option<String>,
    pub examples: Option<String>,
    pub synonyms: Option<Vec<String>>,
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementView {
    pub by: PersonRef,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Whether it was given to the term as it reads now (not to an earlier version).
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermView {
    pub id: Uuid,
    pub term: String,
    pub definition: String,
    pub functional_area: String,
    pub examples: String,
    pub synonyms: Vec<String>,
    pub lang: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub acknowledgements: Vec<AcknowledgementView>,
    /// The partner's team members (partner people holding a role in the engagement) who have
    /// not acknowledged the term as it reads now.
    pub partner_pending: Vec<PersonRef>,
    /// Whether the caller has acknowledged the term as it reads now.
    pub acknowledged_by_me: bool,
}

/// An elicitation session as recorded.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    /// workshop or interview.
    pub kind: String,
    #[serde(default)]
    pub title: String,
    /// When it was held: RFC 3339, or `YYYY-MM-DDTHH:MM` (UTC), or `YYYY-MM-DD`.
    pub held_at: String,
    /// Who took part (members of either side).
    pub attendee_ids: Vec<Uuid>,
    #[serde(default)]
    pub notes: String,
    /// The requirements it produced.
    #[serde(default)]
    pub requirement_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttendeeView {
    pub id: Uuid,
    pub name: String,
    /// The roles the attendee holds in the engagement.
    pub roles: Vec<String>,
}

/// A requirement as another record names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequirementRef {
    pub id: Uuid,
    pub key: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub key: String,
    pub kind: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub held_at: OffsetDateTime,
    pub notes: String,
    pub attendees: Vec<AttendeeView>,
    pub requirements: Vec<RequirementRef>,
    pub recorded_by: PersonRef,
}

/// A stretch of requirement text: plain, or a glossary term with its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    /// The term's id, its name and its definition when this stretch is a glossary term.
    pub term: Option<(Uuid, String, String)>,
}

/// Splits `text` into plain stretches and glossary terms (or their synonyms), longest match
/// first, ASCII case ignored; a Latin term only matches as a whole word.
pub fn term_segments(text: &str, terms: &[TermView]) -> Vec<Segment> {
    let mut patterns = Vec::new();
    let mut owners = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        for p in std::iter::once(&t.term).chain(&t.synonyms) {
            if !p.trim().is_empty() {
                patterns.push(p.trim().to_string());
                owners.push(i);
            }
        }
    }
    let plain = |s: &str| Segment {
        text: s.to_string(),
        term: None,
    };
    let Ok(ac) = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
    else {
        return vec![plain(text)];
    };
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && c.is_ascii());
    let mut out = Vec::new();
    let mut last = 0;
    for m in ac.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let first = text[m.start()..].chars().next();
        let end = text[..m.end()].chars().next_back();
        if (word(first) && word(before)) || (word(end) && word(after)) {
            continue;
        }
        if m.start() > last {
            out.push(plain(&text[last..m.start()]));
        }
        let t = &terms[owners[m.pattern().as_usize()]];
        out.push(Segment {
            text: text[m.start()..m.end()].to_string(),
            term: Some((t.id, t.term.clone(), t.definition.clone())),
        });
        last = m.end();
    }
    if last < text.len() || out.is_empty() {
        out.push(plain(&text[last..]));
    }
    out
}

fn synonyms_text(v: &[String], c: &mut Check) -> String {
    let cleaned: Vec<String> = v
        .iter()
        .map(|s| c.optional("synonyms", s, 100))
        .filter(|s| !s.is_empty())
        .collect();
    if cleaned.len() > 20 {
        c.optional("synonyms", &"x".repeat(101), 100);
    }
    cleaned.join("\n")
}

fn fold(term: &str) -> String {
    term.to_lowercase()
}

/// The people of the partner's team: active partner members with a role in the engagement
/// (none until the partner assigns roles: the customer never sees the partner's whole staff).
async fn partner_team(tx: &mut Tx, e: &accord_store::engagement::Engagement) -> Result<Vec<Uuid>> {
    let members = accord_store::user::list_by_org(tx, e.partner_id).await?;
    let holders: Vec<Uuid> = accord_store::role::list(tx, e.id, false)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let active: Vec<&accord_store::user::User> = members.iter().filter(|u| !u.disabled).collect();
    let team: Vec<Uuid> = active
        .iter()
        .filter(|u| holders.contains(&u.id))
        .map(|u| u.id)
        .collect();
    Ok(team)
}

impl App {
    /// The engagement's glossary with who on the partner's side has read each term.
    pub async fn glossary(&self, actor: &Actor, eid: Uuid) -> Result<Vec<TermView>> {
        let mut tx = self.store.read().await?;
        let e = load_visible(&mut tx, actor, eid).await?;
        self.glossary_in(&mut tx, actor, &e).await
    }

    async fn glossary_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        e: &accord_store::engagement::Engagement,
    ) -> Result<Vec<TermView>> {
        let terms = accord_store::knowledge::terms(tx, e.id).await?;
        let acks = accord_store::knowledge::acknowledgements(tx, e.id).await?;
        let team = partner_team(tx, e).await?;
        let n = names(
            tx,
            acks.iter().map(|a| a.user_id).chain(team.iter().copied()),
        )
        .await?;
        let mut by_term: HashMap<Uuid, Vec<&Acknowledgement>> = HashMap::new();
        for a in &acks {
            by_term.entry(a.term_id).or_default().push(a);
        }
        Ok(terms
            .iter()
            .map(|t| {
                let acks = by_term.get(&t.id).cloned().unwrap_or_default();
                let current = |u: Uuid| {
                    acks.iter()
                        .any(|a| a.user_id == u && a.term_version == t.version)
                };
                TermView {
                    id: t.id,
                    term: t.term.clone(),
                    definition: t.definition.clone(),
                    functional_area: t.functional_area.clone(),
                    examples: t.examples.clone(),
                    synonyms: t
                        .synonyms
                        .lines()
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    lang: t.lang.clone(),
                    version: t.version,
                    updated_at: t.updated_at,
                    acknowledgements: acks
                        .iter()
                        .map(|a| AcknowledgementView {
                            by: person(&n, a.user_id),
                            at: a.acknowledged_at,
                            current: a.term_version == t.version,
                        })
                        .collect(),
                    partner_pending: team
                        .iter()
                        .filter(|u| !current(**u))
                        .map(|u| person(&n, *u))
                        .collect(),
                    acknowledged_by_me: current(actor.user_id),
                }
            })
            .collect())
    }

    async fn check_term(
        &self,
        tx: &mut Tx,
        eid: Uuid,
        t: &Term,
        others_than: Option<Uuid>,
    ) -> Result<()> {
        let clash = accord_store::knowledge::terms(tx, eid)
            .await?
            .into_iter()
            .any(|o| o.term_folded == t.term_folded && Some(o.id) != others_than);
        if clash {
            return Err(Error::invalid(
                "term",
                format!("{} is already in this engagement's glossary", t.term),
            ));
        }
        Ok(())
    }

    /// Adds a term to the glossary.
    pub async fn create_term(&self, actor: &Actor, eid: Uuid, input: NewTerm) -> Result<TermView> {
        let mut c = Check::default();
        let term = c.text("term", &input.term, 100);
        let definition = c.text("definition", &input.definition, 5_000);
        let examples = c.optional("examples", &input.examples, 5_000);
        let synonyms = synonyms_text(&input.synonyms, &mut c);
        let lang = c.one_of("lang", input.lang.as_deref().unwrap_or("en"), &TERM_LANGS);
        c.finish()?;
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        let functional_area = if input.functional_area.trim().is_empty() {
            String::new()
        } else {
            check_area(&mut w.tx, eid, &input.functional_area).await?
        };
        let now = self.now();
        let t = Term {
            id: accord_domain::new_id(),
            engagement_id: eid,
            term_folded: fold(&term),
            term,
            definition,
            functional_area,
            examples,
            synonyms,
            lang,
            version: 1,
            created_by: actor.user_id,
            created_at: now,
            updated_at: now,
        };
        self.check_term(&mut w.tx, eid, &t, None).await?;
        accord_store::knowledge::save_term(&mut w.tx, &t, 0).await?;
        self.audit_record(&mut w, actor, "term.create", "term", t.id, None, &t)
            .await?;
        let view = self.term_view(&mut w.tx, actor, &e, t.id).await?;
        w.commit().await?;
        Ok(view)
    }

    async fn term_view(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        e: &accord_store::engagement::Engagement,
        id: Uuid,
    ) -> Result<TermView> {
        self.glossary_in(tx, actor, e)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(Error::NotFound)
    }

    /// Edits a term read at version `expected`; the partner's acknowledgements of the earlier
    /// wording stop counting.
    pub async fn update_term(
        &self,
        actor: &Actor,
        eid: Uuid,
        id: Uuid,
        expected: i64,
        p: TermPatch,
    ) -> Result<TermView> {
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        let before = accord_store::knowledge::term(&mut w.tx, eid, id).await?;
        crate::engagement::stale_check(before.version, expected)?;
        let mut t = before.clone();
        let mut c = Check::default();
        c.set_text("term", &mut t.term, &p.term, 100);
        c.set_text("definition", &mut t.definition, &p.definition, 5_000);
        c.set_optional("examples", &mut t.examples, &p.examples, 5_000);
        c.set_one_of("lang", &mut t.lang, &p.lang, &TERM_LANGS);
        if let Some(s) = &p.synonyms {
            t.synonyms = synonyms_text(s, &mut c);
        }
        c.finish()?;
        if let Some(a) = &p.functional_area {
            t.functional_area = if a.trim().is_empty() {
                String::new()
            } else {
                check_area(&mut w.tx, eid, a).await?
            };
        }
        t.term_folded = fold(&t.term);
        if t != before {
            self.check_term(&mut w.tx, eid, &t, Some(t.id)).await?;
            t.version += 1;
            t.updated_at = self.now();
            accord_store::knowledge::save_term(&mut w.tx, &t, expected).await?;
            self.audit_record(
                &mut w,
                actor,
                "term.update",
                "term",
                t.id,
                Some(&before),
                &t,
            )
            .await?;
        }
        let view = self.term_view(&mut w.tx, actor, &e, t.id).await?;
        w.commit().await?;
        Ok(view)
    }

    /// A partner member records having read the term as it reads now; with `expected`, only
    /// if it still reads as that version (409 otherwise: the wording changed while they read).
    pub async fn acknowledge_term(
        &self,
        actor: &Actor,
        eid: Uuid,
        id: Uuid,
        expected: Option<i64>,
    ) -> Result<TermView> {
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        let t = accord_store::knowledge::term(&mut w.tx, eid, id).await?;
        if let Some(v) = expected {
            crate::engagement::stale_check(t.version, v)?;
        }
        if actor.organisation_id != e.partner_id {
            return Err(Error::Forbidden(
                "the customer teaches the glossary; only the partner's people acknowledge its terms"
                    .into(),
            ));
        }
        let a = Acknowledgement {
            term_id: t.id,
            user_id: actor.user_id,
            term_version: t.version,
            acknowledged_at: self.now(),
        };
        accord_store::knowledge::acknowledge(&mut w.tx, &a).await?;
        self.audit_record(&mut w, actor, "term.acknowledge", "term", t.id, None, &a)
            .await?;
        let view = self.term_view(&mut w.tx, actor, &e, t.id).await?;
        w.commit().await?;
        Ok(view)
    }

    /// The engagement's elicitation sessions, most recent first.
    pub async fn sessions(&self, actor: &Actor, eid: Uuid) -> Result<Vec<SessionView>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let (sessions, attendees, produced) =
            accord_store::knowledge::sessions(&mut tx, eid).await?;
        let roles = accord_store::role::list(&mut tx, eid, false).await?;
        let n = names(
            &mut tx,
            attendees
                .iter()
                .map(|a| a.1)
                .chain(sessions.iter().map(|s| s.created_by)),
        )
        .await?;
        let mut reqs: BTreeMap<Uuid, RequirementRef> = BTreeMap::new();
        for (_, rid) in &produced {
            if !reqs.contains_key(rid) {
                let r = accord_store::requirement::get(&mut tx, eid, *rid).await?;
                reqs.insert(
                    *rid,
                    RequirementRef {
                        id: r.id,
                        key: r.key,
                        title: r.title,
                    },
                );
            }
        }
        Ok(sessions
            .iter()
            .map(|s| SessionView {
                id: s.id,
                key: s.key.clone(),
                kind: s.kind.clone(),
                title: s.title.clone(),
                held_at: s.held_at,
                notes: s.notes.clone(),
                attendees: attendees
                    .iter()
                    .filter(|a| a.0 == s.id)
                    .map(|a| AttendeeView {
                        id: a.1,
                        name: n.get(&a.1).cloned().unwrap_or_default(),
                        roles: {
                            let mut r: Vec<String> = roles
                                .iter()
                                .filter(|h| h.user_id == a.1)
                                .map(|h| h.role.clone())
                                .collect();
                            r.dedup();
                            r
                        },
                    })
                    .collect(),
                requirements: {
                    let mut v: Vec<RequirementRef> = produced
                        .iter()
                        .filter(|p| p.0 == s.id)
                        .filter_map(|p| reqs.get(&p.1).cloned())
                        .collect();
                    v.sort_by(|a, b| a.key.cmp(&b.key));
                    v
                },
                recorded_by: person(&n, s.created_by),
            })
            .collect())
    }

    /// Records a workshop or interview with who took part and what it produced.
    pub async fn create_session(
        &self,
        actor: &Actor,
        eid: Uuid,
        input: NewSession,
    ) -> Result<SessionView> {
        let mut c = Check::default();
        let kind = c.one_of("kind", &input.kind, &SESSION_KINDS);
        let title = c.optional("title", &input.title, 200);
        let notes = c.optional("notes", &input.notes, 20_000);
        let held_at = match parse_when(&input.held_at) {
            Some(t) => t,
            None => {
                c.text("held_at", "", 1);
                OffsetDateTime::UNIX_EPOCH
            }
        };
        if input.attendee_ids.is_empty() {
            c.text("attendee_ids", "", 1);
        }
        c.finish().map_err(|e| match e {
            Error::Validation(mut v) => {
                for f in &mut v {
                    if f.field == "held_at" {
                        f.message =
                            "must be a time: RFC 3339, YYYY-MM-DDTHH:MM or YYYY-MM-DD".into();
                    } else if f.field == "attendee_ids" {
                        f.message = "must name at least one person who took part".into();
                    }
                }
                Error::Validation(v)
            }
            other => other,
        })?;
        let mut attendees = input.attendee_ids.clone();
        attendees.sort_unstable();
        attendees.dedup();
        let mut produced = input.requirement_ids.clone();
        produced.sort_unstable();
        produced.dedup();
        let (mut w, e) = self.write_engagement(actor, eid).await?;
        for u in &attendees {
            check_owner(&mut w.tx, &e, *u).await.map_err(|_| {
                Error::invalid(
                    "attendee_ids",
                    format!("{u} is not an active member of the customer or the partner of this engagement"),
                )
            })?;
        }
        for r in &produced {
            requirement_of(&mut w.tx, eid, *r, "requirement_ids").await?;
        }
        let seq = accord_store::purchase::next_seq(&mut w.tx, "elicitation_sessions", eid).await?;
        let s = Session {
            id: accord_domain::new_id(),
            engagement_id: eid,
            seq,
            key: format!("SES-{seq:03}"),
            kind,
            title,
            held_at,
            notes,
            created_by: actor.user_id,
            created_at: self.now(),
        };
        accord_store::knowledge::insert_session(&mut w.tx, &s, &attendees, &produced).await?;
        let mut after = crate::snapshot(&s);
        after["attendee_ids"] = crate::snapshot(&attendees);
        after["requirement_ids"] = crate::snapshot(&produced);
        self.audit_record(
            &mut w,
            actor,
            "session.create",
            "session",
            s.id,
            None,
            &after,
        )
        .await?;
        w.commit().await?;
        self.sessions(actor, eid)
            .await?
            .into_iter()
            .find(|v| v.id == s.id)
            .ok_or(Error::NotFound)
    }
}

impl App {
    /// Links requirements written after a session to it (one audit event on the session).
    pub async fn link_session_requirements(
        &self,
        actor: &Actor,
        eid: Uuid,
        id: Uuid,
        requirement_ids: &[Uuid],
    ) -> Result<SessionView> {
        if requirement_ids.is_empty() {
            return Err(Error::invalid(
                "requirement_ids",
                "name at least one requirement",
            ));
        }
        let (mut w, _) = self.write_engagement(actor, eid).await?;
        let s = accord_store::knowledge::session(&mut w.tx, eid, id).await?;
        let mut ids = requirement_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for r in &ids {
            requirement_of(&mut w.tx, eid, *r, "requirement_ids").await?;
        }
        let added =
            accord_store::knowledge::add_session_requirements(&mut w.tx, s.id, &ids).await?;
        if !added.is_empty() {
            let after = serde_json::json!({ "requirement_ids_added": added });
            self.audit_record(
                &mut w,
                actor,
                "session.link_requirements",
                "session",
                s.id,
                None,
                &after,
            )
            .await?;
        }
        w.commit().await?;
        self.sessions(actor, eid)
            .await?
            .into_iter()
            .find(|v| v.id == s.id)
            .ok_or(Error::NotFound)
    }
}

impl App {
    /// The requirements named by their keys (`REQ-0001, REQ-0007`, any separator and case), as
    /// people type them in a form; a 422 on `field` names the keys that are not requirements of
    /// the engagement.
    pub async fn requirement_ids_by_keys(
        &self,
        actor: &Actor,
        eid: Uuid,
        keys: &str,
        field: &str,
    ) -> Result<Vec<Uuid>> {
        let mut tx = self.store.read().await?;
        load_visible(&mut tx, actor, eid).await?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for k in keys
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|k| !k.is_empty())
            .take(500)
        {
            let k = k.to_uppercase();
            match accord_store::requirement::find_by_key(&mut tx, eid, &k).await? {
                Some(r) => ids.push(r.id),
                None => unknown.push(k),
            }
        }
        if !unknown.is_empty() {
            return Err(Error::invalid(
                field,
                format!(
                    "not requirements of this engagement: {}",
                    unknown.join(", ")
                ),
            ));
        }
        Ok(ids)
    }
}

/// The requirement `id` of the engagement, or a 422 on `field` when it is not one.
pub(crate) async fn requirement_of(
    tx: &mut Tx,
    eid: Uuid,
    id: Uuid,
    field: &str,
) -> Result<accord_store::requirement::Requirement> {
    match accord_store::requirement::get(tx, eid, id).await {
        Ok(r) => Ok(r),
        Err(accord_store::StoreError::NotFound) => Err(Error::invalid(
            field,
            format!("{id} is not a requirement of this engagement"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A time written in RFC 3339, `YYYY-MM-DDTHH:MM` (UTC) or `YYYY-MM-DD` (midnight UTC).
pub(crate) fn parse_when(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t.to_offset(time::UtcOffset::UTC));
    }
    if let Ok(t) = time::PrimitiveDateTime::parse(
        s,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ) {
        return Some(t.assume_utc());
    }
    crate::check::parse_date("held_at", s)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(name: &str, synonyms: &[&str]) -> TermView {
        TermView {
            id: Uuid::nil(),
            term: name.into(),
            definition: format!("{name} means"),
            functional_area: String::new(),
            examples: String::new(),
            synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
            lang: "en".into(),
            version: 1,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            acknowledgements: Vec::new(),
            partner_pending: Vec::new(),
            acknowledged_by_me: false,
        }
    }

    fn linked(text: &str, terms: &[TermView]) -> Vec<String> {
        term_segments(text, terms)
            .into_iter()
            .filter(|s| s.term.is_some())
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn terms_link_as_whole_words_longest_first_any_ascii_case() {
        let terms = [
            term("OOS", &["out of specification"]),
            term("CoA", &[]),
            term("stability study", &[]),
            term("稳定性", &[]),
        ];
        assert_eq!(
            linked(
                "An oos result or an Out of Specification one blocks the CoA.",
                &terms
            ),
            ["oos", "Out of Specification", "CoA"]
        );
        // Inside a longer word it is not the term.
        assert!(linked("The COAST and the ROOSTER.", &terms).is_empty());
        assert_eq!(linked("每个稳定性研究", &terms), ["稳定性"]);
        let all: String = term_segments("No terms here.", &terms)
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(all, "No terms here.");
        let all: String = term_segments("A stability study, then OOS.", &terms)
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(all, "A stability study, then OOS.");
    }
}
