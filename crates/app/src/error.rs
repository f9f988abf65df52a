//! The one error type of the use cases. `web` maps it to HTTP once; `cli` prints it.

use accord_domain::DomainError;
use accord_store::StoreError;
use serde::Serialize;

/// A field that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A criterion of a gate as reported in a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnmetCriterion {
    pub id: String,
    pub text: String,
    pub evidence: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, may see the record, but may not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// No such record, or one the caller may not see.
    #[error("not found")]
    NotFound,
    /// Field values are invalid.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Validation(Vec<FieldError>),
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else (current version {current_version:?})")]
    Stale { current_version: Option<i64> },
    /// A rule forbids the change in the record's current state.
    #[error("{detail}")]
    Refused {
        detail: String,
        unmet: Vec<UnmetCriterion>,
    },
    /// Too many failed attempts: try again after this many seconds.
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    /// An update without the version it was based on.
    #[error("If-Match with the record's version is required")]
    PreconditionRequired,
    /// The database is busy; retry.
    #[error("the database is busy, try again: {0}")]
    Busy(String),
    /// Storage is full.
    #[error("storage is full: {0}")]
    Full(String),
    /// The database cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// The field errors of a validation error (none for any other error).
    pub fn field_errors(self) -> Vec<FieldError> {
        match self {
            Error::Validation(v) => v,
            _ => Vec::new(),
        }
    }
}

impl From<DomainError> for Error {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, message } => {
                Error::Validation(vec![FieldError { field, message }])
            }
            DomainError::NotAllowed(detail) => Error::Refused {
                detail,
                unmet: Vec::new(),
            },
        }
    }
}

/// Unique indexes whose violation is the caller's mistake: (fragment of the constraint, field, message).
const FIELD_CONSTRAINTS: &[(&str, &str, &str)] = &[
    ("users_email_key", "email", "is already registered"),
    ("users.email", "email", "is already registered"),
    ("organisations_slug_key", "slug", "is already taken"),
    ("organisations.slug", "slug", "is already taken"),
    (
        "engagements_key_key",
        "key",
        "is already taken by another engagement",
    ),
    (
        "engagements.key",
        "key",
        "is already taken by another engagement",
    ),
];

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict { constraint } if constraint == "version" => Error::Stale {
                current_version: None,
            },
            StoreError::Conflict { constraint } => {
                match FIELD_CONSTRAINTS
                    .iter()
                    .find(|(c, _, _)| constraint.contains(c))
                {
                    Some((_, field, message)) => Error::invalid(*field, *message),
                    None => Error::Refused {
                        detail: format!("the change conflicts with existing data ({constraint})"),
                        unmet: Vec::new(),
                    },
                }
            }
            StoreError::Busy(m) => Error::Busy(m),
            StoreError::Full(m) => Error::Full(m),
            StoreError::Unavailable(m) => Error::Unavailable(m),
            StoreError::Other(m) => Error::Internal(m),
        }
    }
}
