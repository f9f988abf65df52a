//! What can go wrong in storage, in terms the application can act on.

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record.
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write; names the constraint.
    #[error("constraint {constraint} refused the write")]
    Conflict { constraint: String },
    /// The database is busy or the transaction lost a serialization race; try again.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// The storage is full.
    #[error("storage is full: {0}")]
    Full(String),
    /// The database cannot be reached or opened.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else.
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                match code.as_str() {
                    // PostgreSQL: unique, foreign key, check violations.
                    "23505" | "23503" | "23514" => StoreError::Conflict {
                        constraint: db.constraint().unwrap_or(db.message()).to_string(),
                    },
                    // SQLite extended codes: UNIQUE, PRIMARYKEY, FOREIGNKEY, CHECK.
                    "2067" | "1555" | "787" | "275" => StoreError::Conflict {
                        constraint: db.message().to_string(),
                    },
                    "40001" | "40P01" | "5" | "517" | "261" => {
                        StoreError::Busy(db.message().to_string())
                    }
                    "13" | "53100" => StoreError::Full(db.message().to_string()),
                    _ => StoreError::Other(format!("{} ({code})", db.message())),
                }
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Other(e.to_string()),
        }
    }
}
