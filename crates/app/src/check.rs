//! Collects every field error of an input before refusing it, so a form shows them all at once.

use crate::error::FieldError;
use crate::{Error, Result};
use accord_domain::validate;
use time::Date;

#[derive(Default)]
pub(crate) struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    fn keep<T: Default>(&mut self, r: std::result::Result<T, Error>) -> T {
        r.unwrap_or_else(|e| {
            self.errors.extend(e.field_errors());
            T::default()
        })
    }

    /// A required text of at most `max` characters, trimmed.
    pub fn text(&mut self, field: &str, v: &str, max: usize) -> String {
        self.keep(validate::text(field, v, max).map_err(Error::from))
    }

    /// An optional text of at most `max` characters, trimmed.
    pub fn optional(&mut self, field: &str, v: &str, max: usize) -> String {
        self.keep(validate::optional_text(field, v, max).map_err(Error::from))
    }

    /// One of `allowed`.
    pub fn one_of(&mut self, field: &str, v: &str, allowed: &[&str]) -> String {
        let r = crate::requirement::check_one_of(field, v, allowed).map(|()| v.to_string());
        self.keep(r)
    }

    /// A calendar date written `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, v: &str) -> Option<Date> {
        let r = parse_date(field, v).map(Some);
        self.keep(r)
    }

    /// A patch field checked like [`Check::text`] and written into `slot`, when it is given.
    pub fn set_text(&mut self, field: &str, slot: &mut String, v: &Option<String>, max: usize) {
        if let Some(v) = v {
            *slot = self.text(field, v, max);
        }
    }

    pub fn set_optional(&mut self, field: &str, slot: &mut String, v: &Option<String>, max: usize) {
        if let Some(v) = v {
            *slot = self.optional(field, v, max);
        }
    }

    pub fn set_one_of(
        &mut self,
        field: &str,
        slot: &mut String,
        v: &Option<String>,
        allowed: &[&str],
    ) {
        if let Some(v) = v {
            let checked = self.one_of(field, v, allowed);
            if !checked.is_empty() {
                *slot = checked;
            }
        }
    }

    pub fn set_date(&mut self, field: &str, slot: &mut Date, v: &Option<String>) {
        if let Some(d) = v.as_deref().and_then(|v| self.date(field, v)) {
            *slot = d;
        }
    }

    /// Every error found, or `Ok`.
    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self.errors))
        }
    }
}

pub(crate) fn parse_date(field: &str, v: &str) -> Result<Date> {
    Date::parse(
        v.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| Error::invalid(field, "must be a date written YYYY-MM-DD"))
}
