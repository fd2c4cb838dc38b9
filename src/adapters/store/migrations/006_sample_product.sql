-- The product (part number) and attributes (cavity, spindle, …) of each sample, so a trace can
-- keep to one product and a unit's history shows where on the station it was made.
ALTER TABLE samples ADD COLUMN product text;
ALTER TABLE samples ADD COLUMN attributes jsonb;
CREATE INDEX samples_product ON samples (product, station, ts) WHERE product IS NOT NULL;
