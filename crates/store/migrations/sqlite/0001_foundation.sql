-- Foundation: organisations, users, tokens, engagements, roles, gates and the audit chain.
-- The PostgreSQL twin of this file has the same name; the schema-parity test keeps them equal.
-- Ids are UUIDs (BLOB here, uuid there); times are UTC with microsecond precision.

create table organisations (
    id blob primary key not null,
    slug text not null,
    name text not null,
    kind text not null check (kind in ('customer', 'partner')),
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null,
    retired_at text
);
create unique index organisations_slug_key on organisations (slug);

create table users (
    id blob primary key not null,
    organisation_id blob not null references organisations (id),
    email text not null,
    name text not null,
    password_hash text not null,
    is_org_admin boolean not null default false,
    disabled boolean not null default false,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
create unique index users_email_key on users (email);
create index users_organisation_idx on users (organisation_id);

create table auth_tokens (
    id blob primary key not null,
    user_id blob not null references users (id),
    token_hash text not null,
    kind text not null check (kind in ('api', 'session')),
    created_at text not null,
    expires_at text not null,
    revoked_at text
);
create unique index auth_tokens_hash_key on auth_tokens (token_hash);
create index auth_tokens_user_idx on auth_tokens (user_id);

create table engagements (
    id blob primary key not null,
    key text not null,
    name text not null,
    product text not null,
    customer_id blob not null references organisations (id),
    partner_id blob not null references organisations (id),
    phase text not null check (phase in ('purchase', 'implementation', 'operations')),
    cycle bigint not null default 1,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null,
    retired_at text
);
create unique index engagements_key_key on engagements (key);
create index engagements_customer_idx on engagements (customer_id);
create index engagements_partner_idx on engagements (partner_id);

create table phase_transitions (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    from_phase text not null,
    to_phase text not null,
    from_cycle bigint not null,
    to_cycle bigint not null,
    cycle_trigger text,
    reason text not null,
    actor_id blob not null references users (id),
    at text not null
);
create index phase_transitions_engagement_idx on phase_transitions (engagement_id);

create table role_assignments (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    user_id blob not null references users (id),
    role text not null,
    functional_area text,
    version bigint not null default 1,
    created_at text not null,
    retired_at text
);
create index role_assignments_engagement_idx on role_assignments (engagement_id);

create table role_matrix (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    role text not null,
    phases text not null,
    version bigint not null default 1,
    updated_at text not null
);
create unique index role_matrix_engagement_role_key on role_matrix (engagement_id, role);

create table gate_criteria (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    to_phase text not null check (to_phase in ('purchase', 'implementation', 'operations')),
    text text not null,
    met boolean not null default false,
    evidence text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null,
    retired_at text
);
create index gate_criteria_engagement_idx on gate_criteria (engagement_id);

create table audit_chains (
    chain_id blob primary key not null,
    kind text not null check (kind in ('engagement', 'organisation')),
    head_seq bigint not null,
    head_hash text not null
);

-- Keyed by (chain, seq): a verification walk reads the table in key order with no second lookup.
create table audit_events (
    chain_id blob not null references audit_chains (chain_id),
    seq bigint not null,
    at_us bigint not null,
    actor_id blob,
    action text not null,
    record_type text not null,
    record_id blob,
    before_json text,
    after_json text,
    reason text,
    prev_hash text not null,
    hash text not null,
    primary key (chain_id, seq)
) without rowid;
