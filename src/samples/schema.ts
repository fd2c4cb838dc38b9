import Type from 'typebox';

/** ISO-8601 date-time with a zone, e.g. 2026-11-25T03:00:00.123Z or …+01:00. */
export const ISO_TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})$';

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 200, description });

/**
 * JSON Schema of one sample, the message shape of files and of NATS subjects.
 * Extra properties are allowed (and ignored) so producers can add context.
 */
export const SampleSchema = Type.Object({
  ts: Type.String({ pattern: ISO_TIMESTAMP, description: 'ISO-8601 timestamp with zone' }),
  line: Name('production line'),
  station: Name('station / operation'),
  parameter: Name('process parameter, e.g. peak_temp'),
  value: Type.Number({ description: 'measured value, or the count of nonconforming items / defects for attribute charts' }),
  unit: Name('unit ID (serial, barcode, RFID)'),
  lot: Type.Optional(Name('material lot')),
  operator: Type.Optional(Name('operator ID')),
  equipment: Type.Optional(Name('equipment ID')),
  n: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'sample size: items inspected (p, np) or inspection units (u)' })),
  subgroup: Type.Optional(Type.Unsafe<string | number>({ type: ['string', 'number'], description: 'rational subgroup id' })),
});
