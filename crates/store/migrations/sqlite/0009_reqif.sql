-- Issue 5: ReqIF documents imported into an engagement, kept whole so nothing the source tool
-- wrote is lost: the document without its spec objects (header, datatypes, types, relations,
-- specifications, tool extensions) as JSON, each spec object as JSON with the requirement it
-- became (none for a section heading), and the attachments of a .reqifz.

create table reqif_documents (
    id blob primary key not null,
    engagement_id blob not null references engagements (id),
    name text not null,
    header_identifier text not null,
    title text not null,
    model text not null,
    -- The attribute definitions' and enumeration values' names and datatypes, by identifier,
    -- to show a spec object's values without reading the whole model.
    definitions text not null,
    imported_by blob not null references users (id),
    imported_at text not null
);
create index reqif_documents_engagement_idx on reqif_documents (engagement_id);

create table reqif_objects (
    document_id blob not null references reqif_documents (id),
    identifier text not null,
    seq bigint not null,
    requirement_id blob references requirements (id),
    object text not null,
    primary key (document_id, identifier)
);
create index reqif_objects_requirement_idx on reqif_objects (requirement_id);

create table reqif_attachments (
    document_id blob not null references reqif_documents (id),
    path text not null,
    bytes blob not null,
    primary key (document_id, path)
);
