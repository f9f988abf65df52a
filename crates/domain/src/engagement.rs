//! Engagements, their phases and cycles, and the gates between phases.
//!
//! An engagement moves `purchase` → `implementation` → `operations`; a business or technology
//! change recorded in operations starts a new cycle, back to `purchase` with cycle + 1. Every move
//! passes a gate: the next phase's checklist criteria must all be met and every role the next
//! phase requires must have a holder.

use serde::{Deserialize, Serialize};

/// The three areas of responsibility of the article, as phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Purchase,
    Implementation,
    Operations,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::Purchase, Phase::Implementation, Phase::Operations];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Purchase => "purchase",
            Phase::Implementation => "implementation",
            Phase::Operations => "operations",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Purchase => "Purchase cycle",
            Phase::Implementation => "Implementation cycle",
            Phase::Operations => "Ongoing operations and maintenance",
        }
    }

    /// The phase a gate leads to. From operations, the next phase is the purchase phase of a
    /// new cycle.
    pub fn next(self) -> Phase {
        match self {
            Phase::Purchase => Phase::Implementation,
            Phase::Implementation => Phase::Operations,
            Phase::Operations => Phase::Purchase,
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What starts a new cycle (the article: "a business or technology change").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CycleTrigger {
    BusinessChange,
    TechnologyChange,
}

impl CycleTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            CycleTrigger::BusinessChange => "business_change",
            CycleTrigger::TechnologyChange => "technology_change",
        }
    }
}

/// One criterion of a gate, met or not, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// The checklist item's id, or `roles-covered` for the built-in role criterion.
    pub id: String,
    pub text: String,
    pub met: bool,
    pub evidence: Option<String>,
}

/// The id of the built-in criterion "every role the next phase requires has a holder".
pub const ROLES_COVERED: &str = "roles-covered";

/// The id of the built-in criterion "approved with an electronic signature that covers the gate
/// as it stands".
pub const SIGNED_OFF: &str = "signed-off";

/// Whether the gate as it stands carries an approving signature, and the evidence either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    pub met: bool,
    pub evidence: String,
}

/// A checklist item as the gate sees it.
#[derive(Debug, Clone)]
pub struct ChecklistItem {
    pub id: String,
    pub text: String,
    pub met: bool,
    pub evidence: Option<String>,
}

/// The gate out of `from` into its next phase: the engagement's checklist for that phase, the
/// built-in role criterion built from the gaps of the next phase, and the sign-off.
pub fn gate(
    checklist: &[ChecklistItem],
    gaps: &[crate::role::Role],
    sign_off: &SignOff,
) -> Vec<Criterion> {
    let mut out = content(checklist, gaps);
    out.push(signed_off(sign_off));
    out
}

/// The built-in sign-off criterion.
pub fn signed_off(sign_off: &SignOff) -> Criterion {
    Criterion {
        id: SIGNED_OFF.to_string(),
        text: "Approved with an electronic signature that covers the gate as it stands".to_string(),
        met: sign_off.met,
        evidence: Some(sign_off.evidence.clone()),
    }
}

/// The criteria a sign-off signs: the checklist and the role criterion, not the sign-off itself.
pub fn content(checklist: &[ChecklistItem], gaps: &[crate::role::Role]) -> Vec<Criterion> {
    let mut out: Vec<Criterion> = checklist
        .iter()
        .map(|c| Criterion {
            id: c.id.clone(),
            text: c.text.clone(),
            met: c.met,
            evidence: c.evidence.clone(),
        })
        .collect();
    let evidence = if gaps.is_empty() {
        "every required role has a holder".to_string()
    } else {
        let names: Vec<&str> = gaps.iter().map(|r| r.as_str()).collect();
        format!("no holder for: {}", names.join(", "))
    };
    out.push(Criterion {
        id: ROLES_COVERED.to_string(),
        text: "Every role the next phase requires has a holder".to_string(),
        met: gaps.is_empty(),
        evidence: Some(evidence),
    });
    out
}

/// Why a move between phases is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveRefusal {
    /// `to` is not the next phase (or a new cycle was asked for outside operations).
    NotNext { from: Phase, to: Phase },
    /// The gate has unmet criteria.
    Unmet(Vec<Criterion>),
}

/// Decides a transition from `from` to `to` given the gate's criteria. Forward moves only; the
/// move back to purchase goes through [`new_cycle`].
pub fn check_transition(from: Phase, to: Phase, criteria: &[Criterion]) -> Result<(), MoveRefusal> {
    if from == Phase::Operations || from.next() != to {
        return Err(MoveRefusal::NotNext { from, to });
    }
    unmet(criteria)
}

/// Decides a new cycle: only from operations, through the gate into purchase.
pub fn check_new_cycle(from: Phase, criteria: &[Criterion]) -> Result<(), MoveRefusal> {
    if from != Phase::Operations {
        return Err(MoveRefusal::NotNext {
            from,
            to: Phase::Purchase,
        });
    }
    unmet(criteria)
}

fn unmet(criteria: &[Criterion]) -> Result<(), MoveRefusal> {
    let unmet: Vec<Criterion> = criteria.iter().filter(|c| !c.met).cloned().collect();
    if unmet.is_empty() {
        Ok(())
    } else {
        Err(MoveRefusal::Unmet(unmet))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn item(met: bool) -> ChecklistItem {
        ChecklistItem {
            id: "c1".into(),
            text: "Objectives approved".into(),
            met,
            evidence: None,
        }
    }

    #[test]
    fn phases_cycle() {
        assert_eq!(Phase::Purchase.next(), Phase::Implementation);
        assert_eq!(Phase::Operations.next(), Phase::Purchase);
        for p in Phase::ALL {
            assert_eq!(Phase::parse(p.as_str()), Some(p));
        }
    }

    fn unsigned() -> SignOff {
        SignOff {
            met: false,
            evidence: "no approval".into(),
        }
    }

    fn signed() -> SignOff {
        SignOff {
            met: true,
            evidence: "approved".into(),
        }
    }

    #[test]
    fn gate_names_unmet_criteria() {
        let crit = gate(&[item(false)], &[Role::SystemAdministrator], &unsigned());
        assert_eq!(crit.len(), 3);
        match check_transition(Phase::Purchase, Phase::Implementation, &crit) {
            Err(MoveRefusal::Unmet(u)) => {
                assert_eq!(u.len(), 3);
                assert_eq!(u[2].id, SIGNED_OFF);
                assert_eq!(u[1].id, ROLES_COVERED);
                assert!(u[1]
                    .evidence
                    .as_deref()
                    .unwrap()
                    .contains("system_administrator"));
            }
            other => panic!("expected unmet, got {other:?}"),
        }
        let ok = gate(&[item(true)], &[], &signed());
        assert_eq!(
            check_transition(Phase::Purchase, Phase::Implementation, &ok),
            Ok(())
        );
        let unsigned_gate = gate(&[item(true)], &[], &unsigned());
        assert!(check_transition(Phase::Purchase, Phase::Implementation, &unsigned_gate).is_err());
    }

    #[test]
    fn only_forward_to_the_next_phase() {
        let ok = gate(&[], &[], &signed());
        assert!(matches!(
            check_transition(Phase::Purchase, Phase::Operations, &ok),
            Err(MoveRefusal::NotNext { .. })
        ));
        assert!(matches!(
            check_transition(Phase::Operations, Phase::Purchase, &ok),
            Err(MoveRefusal::NotNext { .. })
        ));
        assert!(check_new_cycle(Phase::Implementation, &ok).is_err());
        assert!(check_new_cycle(Phase::Operations, &ok).is_ok());
    }
}
