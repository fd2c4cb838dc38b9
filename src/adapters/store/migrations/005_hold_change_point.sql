-- Where the process is estimated to have changed before a hold or alarm (point index, the
-- confidence set's bounds, method, and the unit and time of that point): the suspect window
-- starts there. Written when the hold is raised; absent for holds from before this migration.
ALTER TABLE holds ADD COLUMN change_point jsonb;
