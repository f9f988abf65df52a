//! Small field validators shared by every area: each names the field it refuses.

use crate::DomainError;

/// Trims `value` and checks it is non-empty and at most `max` characters.
pub fn text(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    optional_text(field, v, max)
}

/// Like [`text`] but an empty value is allowed.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let v = value.trim();
    let n = v.chars().count();
    if n > max {
        return Err(DomainError::invalid(
            field,
            format!("is {n} characters long; at most {max} are allowed"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(v.to_string())
}

/// A slug: 2 to 40 characters of lowercase ASCII letters, digits and hyphens.
pub fn slug(field: &str, value: &str) -> Result<String, DomainError> {
    let ok = (2..=40).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if ok {
        Ok(value.to_string())
    } else {
        Err(DomainError::invalid(
            field,
            "must be 2 to 40 lowercase letters, digits or hyphens",
        ))
    }
}

/// A plausible e-mail address, lowercased. Deliberately loose: one `@`, a dot in the domain.
pub fn email(field: &str, value: &str) -> Result<String, DomainError> {
    let v = value.trim().to_lowercase();
    let valid = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
        && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(v)
    } else {
        Err(DomainError::invalid(field, "is not an e-mail address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(text("name", "  LIMS  ", 10).unwrap(), "LIMS");
        assert!(text("name", "   ", 10).is_err());
        let err = text("name", "x".repeat(11).as_str(), 10).unwrap_err();
        assert_eq!(
            err,
            DomainError::invalid("name", "is 11 characters long; at most 10 are allowed")
        );
        assert!(text("name", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn slugs_and_emails() {
        assert!(slug("slug", "northwind-bio").is_ok());
        assert!(slug("slug", "Northwind").is_err());
        assert!(slug("slug", "-x").is_err());
        assert_eq!(email("email", " A@B.example ").unwrap(), "a@b.example");
        assert!(email("email", "nope").is_err());
        assert!(email("email", "a@b").is_err());
        assert!(email("email", "a\u{0}b@x.example").is_err());
    }
}
