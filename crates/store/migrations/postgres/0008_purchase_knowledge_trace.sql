-- Issue 4, the rest: the purchase cycle (business-case objectives, the procurement map, the
-- stakeholder insights register), the glossary the customer teaches the partner with the
-- partner's acknowledgements, elicitation sessions, trace links and conflicts between
-- requirements.

create table objectives (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    seq bigint not null,
    key text not null,
    outcome text not null,
    metric text not null,
    baseline text not null,
    target text not null,
    value_by date not null,
    serves text not null,
    owner_id uuid references users (id),
    status text not null check (status in ('proposed', 'approved', 'achieved', 'dropped')),
    approved_by uuid references users (id),
    approved_at timestamptz,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index objectives_key_idx on objectives (engagement_id, seq);

create table procurement_steps (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    seq bigint not null,
    key text not null,
    customer_step text not null,
    partner_step text not null,
    owner_id uuid references users (id),
    due_on date not null,
    status text not null check (status in ('not_started', 'in_progress', 'done', 'blocked')),
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index procurement_steps_key_idx on procurement_steps (engagement_id, seq);

create table insights (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    seq bigint not null,
    key text not null,
    kind text not null check (kind in ('opportunity', 'limitation', 'risk')),
    title text not null,
    description text not null,
    severity text not null check (severity in ('low', 'medium', 'high')),
    owner_id uuid references users (id),
    status text not null check (status in ('open', 'addressed', 'closed')),
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index insights_key_idx on insights (engagement_id, seq);

create table glossary_terms (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    term text not null,
    -- The term folded to lower case: one definition per term and engagement, whatever the case.
    term_folded text not null,
    definition text not null,
    functional_area text not null,
    examples text not null,
    synonyms text not null,
    lang text not null check (lang in ('en', 'zh-CN')),
    version bigint not null,
    created_by uuid not null references users (id),
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create unique index glossary_terms_term_idx on glossary_terms (engagement_id, term_folded);

-- A partner member has read a term at a version; a later version needs a new acknowledgement.
create table term_acknowledgements (
    term_id uuid not null references glossary_terms (id),
    user_id uuid not null references users (id),
    term_version bigint not null,
    acknowledged_at timestamptz not null,
    primary key (term_id, user_id)
);

create table elicitation_sessions (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    seq bigint not null,
    key text not null,
    kind text not null check (kind in ('workshop', 'interview')),
    title text not null,
    held_at timestamptz not null,
    notes text not null,
    created_by uuid not null references users (id),
    created_at timestamptz not null
);
create unique index elicitation_sessions_key_idx on elicitation_sessions (engagement_id, seq);

create table session_attendees (
    session_id uuid not null references elicitation_sessions (id),
    user_id uuid not null references users (id),
    primary key (session_id, user_id)
);

create table session_requirements (
    session_id uuid not null references elicitation_sessions (id),
    requirement_id uuid not null references requirements (id),
    primary key (session_id, requirement_id)
);
create index session_requirements_requirement_idx on session_requirements (requirement_id);

create table trace_links (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    from_id uuid not null references requirements (id),
    to_id uuid not null references requirements (id),
    kind text not null check (kind in ('derives_from', 'depends_on', 'conflicts_with', 'verifies', 'refines')),
    created_by uuid not null references users (id),
    created_at timestamptz not null
);
create unique index trace_links_pair_idx on trace_links (from_id, to_id, kind);
create index trace_links_to_idx on trace_links (to_id);
create index trace_links_engagement_idx on trace_links (engagement_id);

create table conflicts (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    seq bigint not null,
    key text not null,
    requirement_a uuid not null references requirements (id),
    requirement_b uuid not null references requirements (id),
    description text not null,
    raised_by uuid not null references users (id),
    raised_at timestamptz not null,
    status text not null check (status in ('open', 'resolved')),
    resolution text,
    resolved_by uuid references users (id),
    resolved_at timestamptz,
    version bigint not null
);
create unique index conflicts_key_idx on conflicts (engagement_id, seq);
