-- Browser sessions expire after a time without use as well as at an absolute time: the last use
-- is kept on the token.
alter table auth_tokens add column last_seen_at text;

-- Internal notes: written by one side of an engagement (its customer or its partner organisation)
-- on one of its records, and visible only to that side. Never changed; retired, not deleted.
create table notes (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    organisation_id blob not null references organisations (id),
    record_type text not null,
    record_id blob not null,
    author_id blob not null references users (id),
    body text not null,
    created_at text not null,
    retired_at text
);
create index notes_record_idx on notes (engagement_id, organisation_id, record_id);
