import Type from 'typebox';
import type { PlcStationMap } from '../core/signals/plc-outputs.js';
import { InvalidFileError, LocatedYaml, readConfigFile, validateAgainst } from './diagnostics.js';

const Target = Type.String({ minLength: 1, maxLength: 500, description: 'an OPC UA node id (ns=1;s=L1.Reflow.Hold), or with --sparkplug <group>/<edge node>[/<device>]:<metric>' });
export const PlcMapSchema = Type.Object({
  version: Type.Literal(1),
  stations: Type.Array(Type.Object({
    line: Type.String({ minLength: 1 }),
    station: Type.Optional(Type.String({ minLength: 1, description: 'omitted: every station of the line' })),
    hold: Target,
    reason: Type.Optional(Target),
    units: Type.Optional(Target),
  }, { additionalProperties: false }), { minItems: 1 }),
  interlock: Type.Optional(Type.Object({
    request: Type.String({ minLength: 1, description: 'OPC UA node the PLC writes a scanned unit ID into' }),
    answerUnit: Type.String({ minLength: 1, description: 'node the gateway writes the answered unit ID into (the PLC waits for it to equal its request)' }),
    answerHeld: Type.String({ minLength: 1, description: 'node the gateway writes whether that unit is held (true also when the answer cannot be known)' }),
  }, { additionalProperties: false, description: 'the unit-status interlock as a request/response node pair (--opcua only)' })),
}, { additionalProperties: false });

/** Reads a PLC map (`spc gateway --plc-map`): where each line's or station's hold goes; errors carry file:line:col. */
export interface PlcInterlockNodes { request: string; answerUnit: string; answerHeld: string }

export function loadPlcMap(path: string): { version: 1; stations: PlcStationMap[]; interlock?: PlcInterlockNodes } {
  const y = new LocatedYaml(path, readConfigFile(path));
  if (y.syntaxErrors.length) throw new InvalidFileError(y.syntaxErrors);
  const errors = validateAgainst(y, PlcMapSchema);
  if (errors.length) throw new InvalidFileError(errors);
  return y.toJS() as { version: 1; stations: PlcStationMap[]; interlock?: PlcInterlockNodes };
}
