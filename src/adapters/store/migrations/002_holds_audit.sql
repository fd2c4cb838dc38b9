-- Holds with the units they name, so a unit's history shows its holds and holds survive restarts.
CREATE TABLE holds (
  id                text PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('hold', 'alarm')),
  line              text NOT NULL,
  station           text NOT NULL,
  characteristic    text NOT NULL,
  rule              text NOT NULL,
  state             text NOT NULL CHECK (state IN ('active', 'released', 'cleared')),
  raised_at         timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  released_at       timestamptz,
  released_by       text,
  release_reason    text,
  statistic         double precision,
  ucl               double precision,
  lcl               double precision
);
CREATE INDEX holds_active ON holds (line, state);
CREATE TABLE hold_units (
  hold_id text NOT NULL REFERENCES holds (id),
  unit    text NOT NULL,
  PRIMARY KEY (hold_id, unit)
);
CREATE INDEX hold_units_unit ON hold_units (unit);

-- Who did what, when and why. Append-only: the trigger refuses UPDATE and DELETE, so no API
-- (and no mistaken SQL) can rewrite the record.
CREATE TABLE audit (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  role    text NOT NULL,
  action  text NOT NULL,
  target  text NOT NULL,
  reason  text,
  detail  jsonb
);
CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit table is append-only (% refused)', TG_OP;
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
