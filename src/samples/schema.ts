import Type from 'typebox';

import { ISO_TIMESTAMP } from './timestamp.js';

export { ISO_TIMESTAMP };

/**
 * Text the stores accept: no control characters (PostgreSQL refuses NUL in text; a line break
 * would break a log line or a header).
 */
export const PLAIN_TEXT = '^[^\\u0000-\\u001f\\u007f]*$';
/**
 * Names that become InfluxDB tags and NATS subject tokens: also no backslash (a tag value ending
 * in one escapes the separator after it, and InfluxDB refuses the line).
 */
export const TAG_TEXT = '^[^\\u0000-\\u001f\\u007f\\\\]*$';

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, pattern: PLAIN_TEXT, description });
const Tag = (description: string) => Type.String({ minLength: 1, maxLength: 200, pattern: TAG_TEXT, description });

/** Attribute names: like identifiers, so they can be split keys, match keys and InfluxDB tag keys. */
export const ATTRIBUTE_KEY = '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$';
/** Most attributes on one sample (each may become a chart split and a time-series tag). */
export const MAX_ATTRIBUTES = 16;

/**
 * JSON Schema of one sample, the message shape of files and of NATS subjects.
 * Extra properties are allowed (and ignored) so producers can add context.
 */
export const SampleSchema = Type.Object({
  ts: Type.String({ pattern: ISO_TIMESTAMP, description: 'ISO-8601 timestamp with zone' }),
  line: Tag('production line'),
  station: Tag('station / operation'),
  parameter: Tag('process parameter, e.g. peak_temp'),
  value: Type.Number({ description: 'measured value, or the count of nonconforming items / defects for attribute charts' }),
  unit: Name('unit ID (serial, barcode, RFID)'),
  lot: Type.Optional(Name('material lot')),
  operator: Type.Optional(Name('operator ID')),
  equipment: Type.Optional(Name('equipment ID')),
  n: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'sample size: items inspected (p, np) or inspection units (u)' })),
  subgroup: Type.Optional(Type.Unsafe<string | number>({ type: ['string', 'number'], maxLength: 200, pattern: PLAIN_TEXT, description: 'rational subgroup id' })),
  product: Type.Optional(Tag('product / part number')),
  attributes: Type.Optional(Type.Unsafe<Record<string, string>>({
    type: 'object', maxProperties: MAX_ATTRIBUTES, propertyNames: { pattern: ATTRIBUTE_KEY },
    additionalProperties: { type: 'string', minLength: 1, maxLength: 200, pattern: TAG_TEXT },
    description: `where on the station the sample was taken, e.g. { "cavity": "2", "spindle": "B" } (at most ${MAX_ATTRIBUTES}; names like identifiers)`,
  })),
});
