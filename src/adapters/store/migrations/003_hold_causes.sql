-- Closing the loop: what caused a hold and what was done about it.
ALTER TABLE holds ADD COLUMN assignable_cause text;
ALTER TABLE holds ADD COLUMN corrective_action text;
