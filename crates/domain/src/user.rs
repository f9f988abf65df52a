//! Users and the password policy (hashing lives in `app`, which does IO-heavy work).

use crate::DomainError;

/// Shortest password accepted (OWASP ASVS 2.1.1).
pub const PASSWORD_MIN: usize = 12;
/// Longest password accepted (ASVS 2.1.2); longer ones are refused, never truncated.
pub const PASSWORD_MAX: usize = 128;

/// The shipped list of the 10,000 most common passwords (ASVS 2.1.7), lowercased.
fn common_passwords() -> &'static std::collections::HashSet<String> {
    static LIST: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .map(str::to_lowercase)
            .collect()
    })
}

/// True when `password` is on the shipped list of common passwords (case-insensitively).
pub fn is_common_password(password: &str) -> bool {
    common_passwords().contains(&password.to_lowercase())
}

/// Checks a new password: 12 to 128 characters, never truncated, not on the list of common
/// passwords. No composition rules (ASVS 2.1.9) and no forced rotation (ASVS 2.1.10).
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
    if is_common_password(password) {
        return Err(DomainError::invalid(
            field,
            "is one of the most common passwords; choose another",
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

    #[test]
    fn common_passwords_are_refused() {
        assert_eq!(common_passwords().len(), 10_000);
        assert!(is_common_password("123456") && is_common_password("PASSWORD"));
        let err = check_password("password", "1qaz2wsx3edc").unwrap_err();
        assert!(err.to_string().contains("most common"), "{err}");
        assert!(check_password("password", "correct horse battery").is_ok());
        // Every entry of the shipped list is refused, by its length or by the list.
        let refused = include_str!("../data/common-passwords.txt")
            .lines()
            .skip_while(|l| l.starts_with('#'))
            .filter(|p| check_password("password", p).is_ok())
            .count();
        assert_eq!(refused, 0);
    }
}
