-- A password an organisation admin set for a member is known to the admin: the member must
-- choose their own before doing anything else (21 CFR 11.300: only the genuine owner can use it).
alter table users add column must_change_password boolean not null default false;
