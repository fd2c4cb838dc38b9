import type { RuleName } from '../config.js';

/** One assignable-cause or corrective-action code of a rule file (`codes:`). */
export interface Code { code: string; text: string }
export interface CodeLists { causes: readonly Code[]; actions: readonly Code[] }

/** One step of an out-of-control action plan: what to do, and who does it. */
export interface ReactionStep { do: string; who: string }

/**
 * An out-of-control action plan (OCAP; AIAG SPC manual, 2nd ed., ch. I: "reaction plan"): its
 * ordered steps, and what acknowledging an alarm or releasing a hold must carry.
 */
export interface ReactionPlan {
  name: string;
  steps: readonly ReactionStep[];
  acknowledge: { code: boolean };
  release: { cause: boolean; action: boolean; comment: boolean; signature: boolean };
}

/**
 * A characteristic's closed loop, resolved when its rule file loads: its code lists (the file's,
 * or the characteristic's own) and its plan, by rule where the file names one per rule.
 */
export interface CharacteristicLoop {
  codes: CodeLists;
  plan: ReactionPlan;
  byRule?: Readonly<Partial<Record<RuleName | 'anomaly', ReactionPlan>>>;
}

/**
 * The plan a hold or alarm carries to the console and the gateways: the plan itself and the codes
 * its forms offer, so a client needs nothing else to show it.
 */
export interface ReactionPlanView extends ReactionPlan { causes: readonly Code[]; actions: readonly Code[] }

/**
 * The plan of a characteristic without one in its rule file: no steps; a release needs a comment,
 * and a code of each list the file defines (none when it defines none).
 */
export function defaultPlan(codes: CodeLists): ReactionPlan {
  return { name: 'default', steps: [], acknowledge: { code: false }, release: { cause: codes.causes.length > 0, action: codes.actions.length > 0, comment: true, signature: false } };
}

const NO_CODES: CodeLists = { causes: [], actions: [] };

/** Plans and codes of every characteristic of a rule set, looked up by characteristic id and rule. */
export class ClosedLoop {
  constructor(private readonly loops: Readonly<Record<string, CharacteristicLoop>> = {}) {}

  codesFor(characteristic: string): CodeLists { return this.loops[characteristic]?.codes ?? NO_CODES; }

  /** Whether the rule file gives this characteristic codes or a plan (its holds then carry the plan). */
  has(characteristic: string): boolean { return this.loops[characteristic] !== undefined; }

  planFor(characteristic: string, rule: string): ReactionPlanView {
    const loop = this.loops[characteristic];
    const codes = loop?.codes ?? NO_CODES;
    const plan = loop?.byRule?.[rule as RuleName] ?? loop?.plan ?? defaultPlan(codes);
    return { ...plan, causes: codes.causes, actions: codes.actions };
  }
}
