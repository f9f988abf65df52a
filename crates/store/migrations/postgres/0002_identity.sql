-- Sign-in throttling: consecutive failures and locks per account (keyed by a hash of the
-- e-mail, known or not) and per client address. Kept in the database so that every
-- `accord serve` instance on it sees the same counts.
create table login_throttle (
    key text primary key not null,
    failures bigint not null,
    last_failure timestamptz,
    locked_until timestamptz
);
