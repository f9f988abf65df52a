-- Requirements (issue 4, responsibilities 2 to 4): the record with its current values, every
-- version as it was, clarification threads, priority decisions and the partner's estimate.

create table requirements (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    seq bigint not null,
    key text not null,
    title text not null,
    statement text not null,
    rationale text not null,
    functional_area text not null,
    source text not null,
    owner_id blob references users (id),
    status text not null check (status in ('draft', 'in_clarification', 'ready_for_review', 'approved', 'implemented', 'verified', 'retired')),
    priority text check (priority in ('must_have', 'deferred', 'nice_to_have')),
    version bigint not null,
    created_at text not null,
    updated_at text not null
);
create unique index requirements_key_idx on requirements (engagement_id, seq);
create index requirements_status_idx on requirements (engagement_id, status);

-- Every version of a requirement as it was, with who made it and when.
create table requirement_versions (
    requirement_id blob not null references requirements (id),
    version bigint not null,
    snapshot text not null,
    actor_id blob references users (id),
    at text not null,
    primary key (requirement_id, version)
);

create table clarifications (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    requirement_id blob not null references requirements (id),
    question text not null,
    asked_by blob not null references users (id),
    asked_at text not null,
    answer text,
    answered_by blob references users (id),
    answered_at text
);
create index clarifications_requirement_idx on clarifications (requirement_id);

-- Who set which priority, when and why. Never changed.
create table priority_decisions (
    id blob primary key not null,
    requirement_id blob not null references requirements (id),
    priority text not null check (priority in ('must_have', 'deferred', 'nice_to_have')),
    rationale text not null,
    decided_by blob not null references users (id),
    decided_at text not null
);
create index priority_decisions_requirement_idx on priority_decisions (requirement_id);

-- The partner's current estimate of a requirement; earlier ones live in the audit trail.
create table estimates (
    requirement_id blob primary key not null references requirements (id),
    effort_days real not null,
    cost real not null,
    currency text not null,
    feasibility text not null check (feasibility in ('feasible', 'feasible_with_customisation', 'not_feasible')),
    fit text not null check (fit in ('standard_process', 'configuration', 'customisation')),
    basis text not null,
    estimated_by blob not null references users (id),
    estimated_at text not null,
    acknowledged_by blob references users (id),
    acknowledged_at text
);
