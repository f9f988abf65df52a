-- Electronic signatures: who signed which record, meaning what, when, and the hash of the exact
-- content signed. Rows are never changed or deleted.
create table signatures (
    id uuid primary key not null,
    engagement_id uuid not null references engagements (id),
    record_type text not null,
    record_id uuid not null,
    content_hash text not null,
    meaning text not null check (meaning in ('authored', 'reviewed', 'approved', 'rejected')),
    signer_id uuid not null references users (id),
    signer_name text not null,
    signed_at timestamptz not null,
    token_id uuid,
    reason text
);
create index signatures_record_idx on signatures (engagement_id, record_id);
create index signatures_token_idx on signatures (token_id);
