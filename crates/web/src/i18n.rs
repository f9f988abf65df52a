//! The two languages of the web pages: English and Simplified Chinese (Fluent files under
//! `locales/`, compiled into the binary). The language comes from the `accord_lang` cookie set
//! by the switch in the page header, else from the browser's `Accept-Language`.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent wraps arguments in Unicode isolation marks by default; in HTML they only get in
        // the way (and in tests).
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The name of the cookie that keeps the chosen language.
pub const LANG_COOKIE: &str = "accord_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "中文",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let c = code.trim().to_ascii_lowercase();
        if c == "en" || c.starts_with("en-") {
            Some(Lang::En)
        } else if c == "zh" || c.starts_with("zh-") {
            // Simplified Chinese is the one Chinese we have; zh-TW readers get it rather than English.
            Some(Lang::ZhCn)
        } else {
            None
        }
    }

    /// The best of our languages for an `Accept-Language` header, by its q-values.
    pub fn negotiate(accept: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (i, part) in accept.split(',').enumerate() {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("").trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q <= 0.0 {
                continue;
            }
            if let Some(lang) = Lang::parse(tag) {
                // Higher q wins; among equals, the earlier tag.
                if best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
                    best = Some((q, i, lang));
                }
            }
        }
        best.map_or(Lang::En, |(_, _, l)| l)
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::En => fluent_templates::langid!("en"),
            Lang::ZhCn => fluent_templates::langid!("zh-CN"),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(l) =
            crate::ui::session::cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse)
        {
            return Ok(l);
        }
        Ok(parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::En, Lang::negotiate))
    }
}

/// Looks up messages in one language; templates call `t.t("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    /// The message `key`, or the key itself when no language has it (a test checks none is missing).
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(&self.lang.id(), key)
            .unwrap_or_else(|| key.to_string())
    }

    /// The message `key` with named arguments.
    pub fn ta(&self, key: &str, args: &[(&str, &str)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| {
                // Numbers go in as numbers, so that plural forms choose by them.
                let value = match v.parse::<i64>() {
                    Ok(n) => FluentValue::from(n),
                    Err(_) => FluentValue::from(v.to_string()),
                };
                (Cow::Owned(k.to_string()), value)
            })
            .collect();
        LOCALES
            .try_lookup_with_args(&self.lang.id(), key, &map)
            .unwrap_or_else(|| key.to_string())
    }

    /// The message `key` with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.ta(key, &[(name, &value.to_string())])
    }

    /// Whether `key` exists in this very language (not through the fallback).
    pub fn has(&self, key: &str) -> bool {
        LOCALES
            .lookup_no_default_fallback::<&str>(&self.lang.id(), key, None)
            .is_some()
    }

    /// A phase's name.
    pub fn phase(&self, phase: &str) -> String {
        self.t(&format!("phase-{phase}"))
    }

    /// A role's name.
    pub fn role(&self, role: &str) -> String {
        self.t(&format!("role-{}", role.replace('_', "-")))
    }

    /// A requirement's status.
    pub fn status(&self, status: &str) -> String {
        self.code("status", status)
    }

    /// A priority.
    pub fn priority(&self, priority: &str) -> String {
        self.code("priority", priority)
    }

    /// A coded value (`prefix-value`), or the value itself when no message names it.
    pub fn code(&self, prefix: &str, value: &str) -> String {
        let key = format!("{prefix}-{}", value.replace(['.', '_'], "-"));
        if self.has(&key) {
            self.t(&key)
        } else {
            value.to_string()
        }
    }

    /// A signature meaning.
    pub fn meaning(&self, meaning: &str) -> String {
        self.t(&format!("meaning-{meaning}"))
    }

    /// A field's label, for error messages.
    pub fn field(&self, field: &str) -> String {
        self.code("field", field)
    }

    /// An audit action (`role.assign`) as words.
    pub fn action(&self, action: &str) -> String {
        self.code("action", action)
    }

    /// A kind of record, as the audit trail names it.
    pub fn record(&self, record_type: &str) -> String {
        self.code("record", record_type)
    }

    /// A validation message of the domain, translated when it is one we know; the English
    /// original otherwise.
    pub fn message(&self, msg: &str) -> String {
        if self.lang == Lang::En {
            return msg.to_string();
        }
        for (key, pattern) in KNOWN_MESSAGES {
            if let Some(args) = match_pattern(pattern, msg) {
                let named: Vec<(&str, &str)> = ["a", "b"]
                    .iter()
                    .copied()
                    .zip(args.iter().map(String::as_str))
                    .collect();
                return self.ta(key, &named);
            }
        }
        msg.to_string()
    }
}

/// Domain messages with their translation key; `{}` stands for a number or word, passed on as
/// `$a`, `$b`.
const KNOWN_MESSAGES: &[(&str, &str)] = &[
    ("msg-empty", "must not be empty"),
    (
        "msg-too-long",
        "is {} characters long; at most {} are allowed",
    ),
    ("msg-control", "must not contain control characters"),
    ("msg-not-email", "is not an e-mail address"),
    ("msg-password-short", "must be at least {} characters"),
    ("msg-password-long", "must be at most {} characters"),
    (
        "msg-password-common",
        "is one of the most common passwords; choose another",
    ),
    ("msg-not-current-password", "is not your current password"),
    ("msg-password-same", "must differ from the current password"),
    (
        "msg-wrong-sign-password",
        "wrong password: nothing was signed",
    ),
    (
        "msg-meaning",
        "must be authored, reviewed, approved or rejected",
    ),
    (
        "msg-not-you",
        "is not the signed-in user's e-mail: you can only sign as yourself",
    ),
    (
        "msg-first-signature",
        "the first signature of a session needs your e-mail as well as your password",
    ),
    ("msg-area-required", "a functional area manager must name the area they manage"),
    ("msg-area-refused", "only a functional area manager names an area, not a {}"),
    ("msg-unknown-role", "unknown role {}"),
    ("msg-account-disabled", "the account is disabled"),
    ("msg-no-such-user", "no such user in this engagement's organisations"),
    ("msg-area-unknown", "is not an area of this engagement; its areas are: {}"),
    ("msg-area-none", "is not an area of this engagement: it has none yet (assign a functional area manager first)"),
    ("msg-not-member", "is not an active member of the customer or the partner of this engagement"),
    ("msg-number", "must be a number"),
    ("msg-one-of", "must be one of {}"),
    ("msg-effort", "must be a number of days from 0 to 100000"),
    ("msg-cost", "must be an amount from 0 to 1000000000000"),
    ("msg-currency", "must be a three-letter ISO 4217 code such as EUR"),
    ("msg-phase", "must be purchase, implementation or operations"),
];

/// Matches `msg` against a pattern with `{}` holes; returns the holes' contents.
fn match_pattern(pattern: &str, msg: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = pattern.split("{}").collect();
    let mut rest = msg.strip_prefix(parts[0])?;
    let mut args = Vec::new();
    for (i, lit) in parts.iter().enumerate().skip(1) {
        let end = if lit.is_empty() && i == parts.len() - 1 {
            rest.len()
        } else {
            rest.find(lit)?
        };
        args.push(rest[..end].to_string());
        rest = &rest[end + lit.len()..];
    }
    rest.is_empty().then_some(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_we_have() {
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("en-GB,en;q=0.9,zh;q=0.5"), Lang::En);
        assert_eq!(Lang::negotiate("fr-FR,zh;q=0.7,en;q=0.3"), Lang::ZhCn);
        assert_eq!(Lang::negotiate("de"), Lang::En);
        assert_eq!(Lang::negotiate("zh;q=0, en"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }

    fn keys(ftl: &str) -> std::collections::BTreeSet<String> {
        ftl.lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
            .collect()
    }

    #[test]
    fn both_languages_have_every_message() {
        let en = keys(include_str!("../locales/en/main.ftl"));
        let zh = keys(include_str!("../locales/zh-CN/main.ftl"));
        // A message defined twice: Fluent keeps one of them, silently.
        for ftl in [
            include_str!("../locales/en/main.ftl"),
            include_str!("../locales/zh-CN/main.ftl"),
        ] {
            let mut seen = std::collections::HashSet::new();
            for l in ftl.lines().filter_map(|l| l.split_once(" =")) {
                if l.0.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                    assert!(seen.insert(l.0.trim()), "{} is defined twice", l.0);
                }
            }
        }
        assert!(en.len() > 150, "{}", en.len());
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "only in en: {only_en:?}; only in zh-CN: {only_zh:?}"
        );
        // Every key a template or the code asks for exists (or is built from a prefix that does).
        let mut used = Vec::new();
        for src in [
            include_str!("../templates/base.html"),
            include_str!("../templates/login.html"),
            include_str!("../templates/resume.html"),
            include_str!("../templates/engagements.html"),
            include_str!("../templates/overview.html"),
            include_str!("../templates/events.html"),
            include_str!("../templates/roles.html"),
            include_str!("../templates/gate.html"),
            include_str!("../templates/audit.html"),
            include_str!("../templates/account.html"),
            include_str!("../templates/organisation.html"),
            include_str!("../templates/message.html"),
            include_str!("../templates/requirements.html"),
            include_str!("../templates/requirement.html"),
            include_str!("../templates/purchase.html"),
            include_str!("../templates/glossary.html"),
            include_str!("../templates/sessions.html"),
            include_str!("../templates/conflicts.html"),
            include_str!("../templates/reqif_import.html"),
            include_str!("../templates/specification.html"),
            include_str!("../templates/traceability.html"),
            include_str!("../templates/import_preview.html"),
            include_str!("ui/partnership.rs"),
            include_str!("ui/requirements.rs"),
            include_str!("ui/pages.rs"),
            include_str!("ui/mod.rs"),
            include_str!("ui/session.rs"),
        ] {
            for call in ["t.t(\"", "t.t1(\"", "t.ta(\""] {
                for part in src.split(call).skip(1) {
                    used.push(part.split('"').next().unwrap_or("").to_string());
                }
            }
        }
        let missing: Vec<_> = used.iter().filter(|k| !en.contains(*k)).collect();
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
        // The built ones: every phase, role, meaning and audit action the app knows.
        for p in accord_domain::engagement::Phase::ALL {
            assert!(
                en.contains(&format!("phase-{}", p.as_str())),
                "{}",
                p.as_str()
            );
        }
        for r in accord_domain::role::Role::ALL {
            assert!(
                en.contains(&format!("role-{}", r.as_str().replace('_', "-"))),
                "{}",
                r.as_str()
            );
        }
        for (prefix, values) in [
            ("status", &accord_app::requirement::STATUSES[..]),
            ("priority", &accord_app::requirement::PRIORITIES[..]),
            ("feasibility", &accord_app::requirement::FEASIBILITIES[..]),
            ("fit", &accord_app::requirement::FITS[..]),
            (
                "objective-status",
                &accord_app::purchase::OBJECTIVE_STATUSES[..],
            ),
            ("step-status", &accord_app::purchase::STEP_STATUSES[..]),
            ("insight-kind", &accord_app::purchase::INSIGHT_KINDS[..]),
            (
                "insight-status",
                &accord_app::purchase::INSIGHT_STATUSES[..],
            ),
            ("severity", &accord_app::purchase::SEVERITIES[..]),
            ("session-kind", &accord_app::knowledge::SESSION_KINDS[..]),
            ("link-kind", &accord_app::trace::LINK_KINDS[..]),
            ("conflict-status", &["open", "resolved"][..]),
        ] {
            for v in values {
                assert!(
                    en.contains(&format!("{prefix}-{}", v.replace('_', "-"))),
                    "{prefix} {v}"
                );
            }
        }
        for m in ["authored", "reviewed", "approved", "rejected"] {
            assert!(en.contains(&format!("meaning-{m}")));
        }
        for r in [
            "engagement",
            "gate_criterion",
            "note",
            "objective",
            "procurement_step",
            "insight",
            "term",
            "session",
            "link",
            "conflict",
            "organisation",
            "role_assignment",
            "role_matrix",
            "signature",
            "token",
            "user",
        ] {
            assert!(
                en.contains(&format!("record-{}", r.replace('_', "-"))),
                "{r}"
            );
        }
        for (key, _) in KNOWN_MESSAGES {
            assert!(en.contains(*key), "{key}");
        }
    }

    #[test]
    fn known_domain_messages_are_translated_with_their_numbers() {
        let zh = Tr::new(Lang::ZhCn);
        let m = zh.message("is 2001 characters long; at most 2000 are allowed");
        assert!(m.contains("2001") && m.contains("2000"), "{m}");
        assert!(!m.contains("characters"), "{m}");
        assert_eq!(zh.message("something new"), "something new");
        let m = zh
            .message("is not an area of this engagement; its areas are: QC laboratory, Stability");
        assert!(
            m.starts_with("不是本合作项目") && m.contains("QC laboratory, Stability"),
            "{m}"
        );
        assert_eq!(
            Tr::new(Lang::En).message("must not be empty"),
            "must not be empty"
        );
    }
}
