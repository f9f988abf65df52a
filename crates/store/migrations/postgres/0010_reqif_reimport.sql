-- A spec object a newer export of its document no longer holds: kept, marked with when it went.
alter table reqif_objects add column removed_at timestamptz;
