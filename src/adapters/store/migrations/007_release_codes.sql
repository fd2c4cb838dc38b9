-- Closed loop: the rule file's codes a release named, and who signed it (21 CFR Part 11 §11.50).
ALTER TABLE holds ADD COLUMN cause_code text;
ALTER TABLE holds ADD COLUMN action_code text;
ALTER TABLE holds ADD COLUMN signed_by text;
-- Pareto of causes and rules by line and period.
CREATE INDEX audit_action_at ON audit (action, at);
CREATE INDEX holds_raised ON holds (line, raised_at);
