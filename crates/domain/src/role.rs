//! Roles people hold in an engagement, and the role-phase matrix that says which roles each phase
//! needs (the article's "key roles" per cycle).

use crate::engagement::Phase;
use crate::org::OrgKind;
use serde::{Deserialize, Serialize};

/// A role in an engagement. The first six are the customer's (the article's key roles); the last
/// four are the partner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ExecutiveSponsor,
    BusinessProcessOwner,
    SystemOwner,
    SystemAdministrator,
    FunctionalAreaManager,
    EndUser,
    AccountLead,
    ProjectManager,
    SolutionConsultant,
    SupportEngineer,
}

impl Role {
    /// Every role, customer roles first, in the article's order.
    pub const ALL: [Role; 10] = [
        Role::ExecutiveSponsor,
        Role::BusinessProcessOwner,
        Role::SystemOwner,
        Role::SystemAdministrator,
        Role::FunctionalAreaManager,
        Role::EndUser,
        Role::AccountLead,
        Role::ProjectManager,
        Role::SolutionConsultant,
        Role::SupportEngineer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ExecutiveSponsor => "executive_sponsor",
            Role::BusinessProcessOwner => "business_process_owner",
            Role::SystemOwner => "system_owner",
            Role::SystemAdministrator => "system_administrator",
            Role::FunctionalAreaManager => "functional_area_manager",
            Role::EndUser => "end_user",
            Role::AccountLead => "account_lead",
            Role::ProjectManager => "project_manager",
            Role::SolutionConsultant => "solution_consultant",
            Role::SupportEngineer => "support_engineer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A human label in English.
    pub fn label(self) -> &'static str {
        match self {
            Role::ExecutiveSponsor => "Executive sponsor",
            Role::BusinessProcessOwner => "Business process owner",
            Role::SystemOwner => "System owner",
            Role::SystemAdministrator => "System administrator",
            Role::FunctionalAreaManager => "Functional area manager",
            Role::EndUser => "End user",
            Role::AccountLead => "Account lead",
            Role::ProjectManager => "Project manager",
            Role::SolutionConsultant => "Solution consultant",
            Role::SupportEngineer => "Support engineer",
        }
    }

    /// Which side of the partnership holds this role.
    pub fn side(self) -> OrgKind {
        match self {
            Role::AccountLead
            | Role::ProjectManager
            | Role::SolutionConsultant
            | Role::SupportEngineer => OrgKind::Partner,
            _ => OrgKind::Customer,
        }
    }

    /// A functional area manager always names the area they manage; no other role does.
    pub fn needs_functional_area(self) -> bool {
        self == Role::FunctionalAreaManager
    }

    /// The default role-phase matrix of the article (DOMAIN.md): the phases this role must be
    /// active in. Partner roles are not required by default; an engagement may require them.
    pub fn default_phases(self) -> &'static [Phase] {
        use Phase::*;
        match self {
            Role::ExecutiveSponsor | Role::BusinessProcessOwner | Role::SystemOwner => {
                &[Purchase, Implementation, Operations]
            }
            Role::SystemAdministrator => &[Implementation, Operations],
            Role::FunctionalAreaManager => &[Implementation],
            Role::EndUser => &[Operations],
            _ => &[],
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who holds a role: one active assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub user_id: uuid::Uuid,
    pub role: Role,
    pub functional_area: Option<String>,
}

/// Coverage of one role in one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleCoverage {
    pub role: Role,
    pub required: bool,
    pub holders: Vec<uuid::Uuid>,
    /// Required and nobody holds it: a gap.
    pub missing: bool,
}

/// For `phase`, every role with whether it is required and who holds it. `required` lists the
/// (role, phase) pairs the engagement's matrix requires.
pub fn coverage(phase: Phase, required: &[(Role, Phase)], holders: &[Holder]) -> Vec<RoleCoverage> {
    Role::ALL
        .into_iter()
        .map(|role| {
            let req = required.iter().any(|&(r, p)| r == role && p == phase);
            let mut who: Vec<uuid::Uuid> = holders
                .iter()
                .filter(|h| h.role == role)
                .map(|h| h.user_id)
                .collect();
            who.sort();
            who.dedup();
            RoleCoverage {
                role,
                required: req,
                missing: req && who.is_empty(),
                holders: who,
            }
        })
        .collect()
}

/// The required roles of `phase` that nobody holds.
pub fn gaps(phase: Phase, required: &[(Role, Phase)], holders: &[Holder]) -> Vec<Role> {
    coverage(phase, required, holders)
        .into_iter()
        .filter(|c| c.missing)
        .map(|c| c.role)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_matrix() -> Vec<(Role, Phase)> {
        Role::ALL
            .into_iter()
            .flat_map(|r| r.default_phases().iter().map(move |&p| (r, p)))
            .collect()
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("ceo"), None);
    }

    #[test]
    fn default_matrix_follows_the_article() {
        let m = default_matrix();
        let in_phase = |p: Phase| -> Vec<Role> {
            m.iter().filter(|(_, q)| *q == p).map(|(r, _)| *r).collect()
        };
        assert_eq!(
            in_phase(Phase::Purchase),
            vec![
                Role::ExecutiveSponsor,
                Role::BusinessProcessOwner,
                Role::SystemOwner
            ]
        );
        assert!(in_phase(Phase::Implementation).contains(&Role::FunctionalAreaManager));
        assert!(!in_phase(Phase::Implementation).contains(&Role::EndUser));
        assert!(in_phase(Phase::Operations).contains(&Role::EndUser));
    }

    #[test]
    fn gaps_are_required_roles_without_holder() {
        let m = default_matrix();
        let u = uuid::Uuid::nil();
        let holders = vec![
            Holder {
                user_id: u,
                role: Role::ExecutiveSponsor,
                functional_area: None,
            },
            Holder {
                user_id: u,
                role: Role::SystemOwner,
                functional_area: None,
            },
        ];
        assert_eq!(
            gaps(Phase::Purchase, &m, &holders),
            vec![Role::BusinessProcessOwner]
        );
        let cov = coverage(Phase::Purchase, &m, &holders);
        let sponsor = cov
            .iter()
            .find(|c| c.role == Role::ExecutiveSponsor)
            .unwrap();
        assert!(sponsor.required && !sponsor.missing && sponsor.holders == vec![u]);
        let end_user = cov.iter().find(|c| c.role == Role::EndUser).unwrap();
        assert!(!end_user.required && !end_user.missing);
    }
}
