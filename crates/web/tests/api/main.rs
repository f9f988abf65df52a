//! The HTTP and storage behaviour suite. Each test runs on SQLite and on PostgreSQL
//! (`ACCORD_TEST_POSTGRES_URL`), through `backend_tests!`.

mod audit_tamper;
mod bad_input;
mod concurrency;
mod engagements;
mod esign;
mod identity;
mod inventory;
mod isolation;
mod roles;
mod schema_parity;
mod storage;
