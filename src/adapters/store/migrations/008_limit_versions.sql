-- A sample's n (sample size, inspection units): attribute charts' limits can be recalculated
-- from the stored samples.
ALTER TABLE samples ADD COLUMN n double precision;
CREATE INDEX samples_place_ts ON samples (line, station, parameter, ts);

-- Controlled limits: every Phase I lock and every recalculation is a version; a recalculation is
-- proposed, then approved (with an electronic signature, recorded in the audit trail) and takes
-- effect at a stream position, so a replay reproduces it.
CREATE TABLE limit_versions (
  id             bigserial PRIMARY KEY,
  characteristic text NOT NULL,
  series         text NOT NULL,          -- the characteristic, or its split: bore[product=P-100]
  split          jsonb,
  line           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('phase1', 'recalculation')),
  state          text NOT NULL CHECK (state IN ('proposed', 'approved', 'rejected', 'in-effect')),
  version        integer,                -- set when it takes effect: 1 at the Phase I lock, then 2, 3, …
  center         double precision NOT NULL,
  sigma          double precision NOT NULL,
  points         integer NOT NULL,
  excluded       integer[] NOT NULL DEFAULT '{}',
  window_from    timestamptz,
  window_to      timestamptz,
  before_center  double precision,
  before_sigma   double precision,
  reason         text,
  proposed_by    text NOT NULL,
  proposed_at    timestamptz NOT NULL DEFAULT now(),
  approved_by    text,
  approved_at    timestamptz,
  meaning        text
);
CREATE INDEX limit_versions_series ON limit_versions (series, id);
