//! Organisations: the customer and partner companies whose people use Accord.

use serde::{Deserialize, Serialize};

/// Which side of a partnership an organisation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A life-sciences company buying and running the product.
    Customer,
    /// The technology vendor (LIMS, QMS, ELN, MES...).
    Partner,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Customer => "customer",
            OrgKind::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(OrgKind::Customer),
            "partner" => Some(OrgKind::Partner),
            _ => None,
        }
    }
}
