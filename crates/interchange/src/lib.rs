//! Interchange with the tools customers and vendors keep requirements in: ReqIF 1.2 (`.reqif`,
//! `.reqifz`). No database here: readers give a model and warnings, writers take a model.
#![forbid(unsafe_code)]

pub mod csv_in;
pub mod csv_out;
pub mod file;
pub mod reqif;
