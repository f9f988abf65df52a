//! Errors raised when a domain rule refuses a change.

/// A rule of the domain refused the change. Each variant says what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field value is invalid; `field` names the JSON field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The change is not allowed in the record's current state.
    #[error("{0}")]
    NotAllowed(String),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}
