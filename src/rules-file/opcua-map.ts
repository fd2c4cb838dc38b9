import Type from 'typebox';
import type { OpcUaStationMap } from '../core/opcua/unit-assembler.js';
import { InvalidFileError, LocatedYaml, readConfigFile, validateAgainst } from './diagnostics.js';

const Node = Type.String({ minLength: 1, maxLength: 500, description: 'an OPC UA node id, e.g. ns=1;s=Screw.FinalTorque' });
export const OpcUaMapSchema = Type.Object({
  version: Type.Literal(1),
  stations: Type.Array(Type.Object({
    line: Type.String({ minLength: 1 }), station: Type.String({ minLength: 1 }),
    trigger: Type.String({ minLength: 1, maxLength: 500, description: 'the node that closes a unit: a part-done bit (rising edge) or the serial number (its change)' }),
    triggerKind: Type.Optional(Type.Enum(['rising', 'change'], { description: 'default: change when trigger is the unit node, rising otherwise' })),
    unit: Node, lot: Type.Optional(Node), operator: Type.Optional(Node), equipment: Type.Optional(Node), product: Type.Optional(Node),
    parameters: Type.Record(Type.String({ minLength: 1 }), Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$' }), { minProperties: 1, description: 'node id → the sample\'s parameter' }),
    samplingMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000, description: 'monitored items\' sampling interval (default 100 ms)' })),
  }, { additionalProperties: false }), { minItems: 1 }),
}, { additionalProperties: false });

/** Reads an OPC UA bridge map (`spc bridge opcua --map`); errors carry file:line:col. */
export function loadOpcUaMap(path: string): { version: 1; stations: OpcUaStationMap[] } {
  const y = new LocatedYaml(path, readConfigFile(path));
  if (y.syntaxErrors.length) throw new InvalidFileError(y.syntaxErrors);
  const errors = validateAgainst(y, OpcUaMapSchema);
  if (errors.length) throw new InvalidFileError(errors);
  return y.toJS() as { version: 1; stations: OpcUaStationMap[] };
}
