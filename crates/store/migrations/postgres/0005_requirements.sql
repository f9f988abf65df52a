-- Requirements (issue 4, responsibilities 2 to 4): the record with its current values, every
-- version as it was, clarification threads, priority decisions and the partner's estimate.

create table requirements (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    seq bigint not null,
    key text not null,
    title text not null,
    statement text not null,
    rationale text not null,
    functional_area text not null,
    source text not null,
    owner_id uuid references users (id),
    status text not null check (status in ('draft', 'in_clarification', 'ready_for_review', 'approved', 'implemented', 'verified', 'retired')),
    priority text check (priority in ('must_have', 'deferred', 'nice_to_have')),
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index requirements_key_idx on requirements (engagement_id, seq);
create index requirements_status_idx on requirements (engagement_id, status);

-- Every version of a requirement as it was, with who made it and when.
create table requirement_versions (
    requirement_id uuid not null references requirements (id),
    version bigint not null,
    snapshot text not null,
    actor_id uuid references users (id),
    at timestamptz not null,
    primary key (requirement_id, version)
);

create table clarifications (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    requirement_id uuid not null references requirements (id),
    question text not null,
    asked_by uuid not null references users (id),
    asked_at timestamptz not null,
    answer text,
    answered_by uuid references users (id),
    answered_at timestamptz
);
create index clarifications_requirement_idx on clarifications (requirement_id);

-- Who set which priority, when and why. Never changed.
create table priority_decisions (
    id uuid primary key not null,
    requirement_id uuid not null references requirements (id),
    priority text not null check (priority in ('must_have', 'deferred', 'nice_to_have')),
    rationale text not null,
    decided_by uuid not null references users (id),
    decided_at timestamptz not null
);
create index priority_decisions_requirement_idx on priority_decisions (requirement_id);

-- The partner's current estimate of a requirement; earlier ones live in the audit trail.
create table estimates (
    requirement_id uuid primary key not null references requirements (id),
    effort_days double precision not null,
    cost double precision not null,
    currency text not null,
    feasibility text not null check (feasibility in ('feasible', 'feasible_with_customisation', 'not_feasible')),
    fit text not null check (fit in ('standard_process', 'configuration', 'customisation')),
    basis text not null,
    estimated_by uuid not null references users (id),
    estimated_at timestamptz not null,
    acknowledged_by uuid references users (id),
    acknowledged_at timestamptz
);
