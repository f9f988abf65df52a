//! Users and the password policy (hashing lives in `app`, which does IO-heavy work).

use crate::DomainError;

/// Shortest password accepted (OWASP ASVS 2.1.1).
pub const PASSWORD_MIN: usize = 12;
/// Longest password accepted (ASVS 2.1.2); longer ones are refused, never truncated.
pub const PASSWORD_MAX: usize = 128;

/// Checks a new password against the length policy. No composition rules (ASVS 2.1.9).
pub fn check_password(field: &str, password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(DomainError::invalid(
            field,
            format!("must be at least {PASSWORD_MIN} characters"),
        ));
    }
    if n > PASSWORD_MAX {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {PASSWORD_MAX} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_lengths() {
        assert!(check_password("password", "short").is_err());
        assert!(check_password("password", &"a".repeat(12)).is_ok());
        assert!(check_password("password", &"a".repeat(64)).is_ok());
        assert!(check_password("password", &"a".repeat(129)).is_err());
    }
}
