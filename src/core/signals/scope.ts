/**
 * Who asks for an action, and the lines they may act on: every action and read checks both.
 * Roles (docs/signals.md): plc acknowledges the holds sent to it; operator acknowledges alarms
 * and records causes; quality also releases holds and shelves alarms.
 */
export interface Actor {
  /** For the audit trail. */
  name: string;
  role: 'plc' | 'operator' | 'quality';
  /** Lines the actor may see and act on; undefined = every line. */
  lines?: readonly string[];
}

/** Why an action was not carried out; nothing changed. */
export interface Refusal {
  refused: 'forbidden' | 'not-found' | 'conflict' | 'invalid';
  /** `invalid`: the request field to fix. */
  field?: string;
  message: string;
}

export const isRefusal = (r: unknown): r is Refusal => typeof r === 'object' && r !== null && 'refused' in r;

export const inScope = (actor: Pick<Actor, 'lines'>, line: string): boolean => !actor.lines || actor.lines.includes(line);

/** The refusal for an object of a line outside the actor's lines (403 in the API). */
export function outOfScope(actor: Actor, what: string, line: string): Refusal {
  return { refused: 'forbidden', message: `${what} is on line ${line}; this token may act on line(s) ${actor.lines!.join(', ')} only` };
}

/** The refusal for a role that may not do something (403 in the API). */
export function roleRefusal(actor: Actor, action: string, roles: string): Refusal {
  return { refused: 'forbidden', message: `${action} needs the ${roles} role (this token is ${actor.role})` };
}

/**
 * Text a person gives with an action (a release reason, a cause): trimmed, 3 to 500 characters,
 * no control characters (it goes to the audit table, logs and other people's screens).
 */
export function personText(v: unknown): string | undefined {
  const text = typeof v === 'string' ? v.trim() : '';
  return text.length >= 3 && text.length <= 500 && !/[\u0000-\u001f\u007f]/.test(text) ? text : undefined;
}
