-- The line an audited action concerned (the hold's or alarm's), so a token scoped to some lines
-- reads only their part of the audit trail. Entries written before this have none: only tokens
-- without a line scope see those.
ALTER TABLE audit ADD COLUMN line text;
CREATE INDEX audit_line ON audit (line, id);
