//! The HTTP and storage behaviour suite. Each test runs on SQLite and on PostgreSQL
//! (`ACCORD_TEST_POSTGRES_URL`), through `backend_tests!`.

mod audit_tamper;
mod bad_input;
mod concurrency;
mod csrf;
mod documents;
mod engagements;
mod esign;
mod identity;
mod inventory;
mod isolation;
mod notes;
mod pages;
mod partnership_pages;
mod purchase_knowledge;
mod rate_limits;
mod reqif;
mod requirement_pages;
mod requirements;
mod roles;
mod schema_parity;
mod sessions;
mod storage;
