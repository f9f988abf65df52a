-- The roll-ups of requirements per priority read these two indexes alone (covering), not the
-- requirement rows with their long statements.
create index requirements_rollup_idx on requirements (engagement_id, priority, status, id);
create index estimates_rollup_idx on estimates (requirement_id, currency, effort_days, cost, fit);
