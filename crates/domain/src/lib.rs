//! Accord's business model: pure rules and types, no IO, no async, no database.
//!
//! Each module is one area of the domain (see `shared/DOMAIN.md`); the same area name is used in
//! `store`, `app` and `web`, so a reader finds "engagement" in every layer.
#![forbid(unsafe_code)]

pub mod audit;
pub mod engagement;
pub mod error;
pub mod esign;
pub mod org;
pub mod role;
pub mod throttle;
pub mod time;
pub mod user;
pub mod validate;

pub use error::DomainError;

/// A new identifier: UUIDv7, so ids sort by creation time and index well.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
