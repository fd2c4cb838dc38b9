import Type from 'typebox';
import type { SparkplugMap } from '../core/sparkplug/mapper.js';
import { InvalidFileError, LocatedYaml, readConfigFile, validateAgainst } from './diagnostics.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Device = Type.Object({
  group: Type.Optional(Name), node: Type.Optional(Name), device: Type.Optional(Name),
  line: Type.Optional(Name), station: Type.Optional(Name),
  unit: Type.String({ minLength: 1, description: 'the metric holding the current unit ID (serial number)' }),
  lot: Type.Optional(Name), operator: Type.Optional(Name), equipment: Type.Optional(Name), product: Type.Optional(Name),
  parameters: Type.Record(Type.String({ minLength: 1 }), Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$' }), { minProperties: 1, description: 'metric name → the sample\'s parameter' }),
}, { additionalProperties: false });
export const SparkplugMapSchema = Type.Object({
  version: Type.Literal(1),
  devices: Type.Array(Device, { minItems: 1, description: 'the first entry matching group, node and device (omitted = any) maps a message' }),
}, { additionalProperties: false });

/** Reads a Sparkplug bridge map; errors carry file:line:col. */
export function loadSparkplugMap(path: string): SparkplugMap {
  const y = new LocatedYaml(path, readConfigFile(path));
  if (y.syntaxErrors.length) throw new InvalidFileError(y.syntaxErrors);
  const errors = validateAgainst(y, SparkplugMapSchema);
  if (errors.length) throw new InvalidFileError(errors);
  return y.toJS() as SparkplugMap;
}
