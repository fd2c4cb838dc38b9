import type { CharacteristicLoop, Code, CodeLists, ReactionPlan } from '../core/closed-loop/plan.js';
import type { RuleSetConfig } from '../core/config.js';

/** A rule file's plan as written: steps, and the optional acknowledge and release settings. */
export interface RawPlan {
  steps: { do: string; who: string }[];
  acknowledge?: { code?: boolean };
  release?: { cause?: boolean; action?: boolean; comment?: boolean; signature?: boolean };
}
export interface RawCodes { causes?: Code[]; actions?: Code[] }
export interface RawLoopFile {
  codes?: RawCodes;
  plans?: Record<string, RawPlan>;
  characteristics: { id: string; codes?: RawCodes; plan?: string; planByRule?: Record<string, string> }[];
}

/** A plan with its defaults: a code required where the characteristic's list has codes, a comment, no signature. */
function resolvePlan(name: string, raw: RawPlan, codes: CodeLists): ReactionPlan {
  return {
    name,
    steps: raw.steps.map((s) => ({ do: s.do, who: s.who })),
    acknowledge: { code: raw.acknowledge?.code ?? false },
    release: {
      cause: raw.release?.cause ?? codes.causes.length > 0,
      action: raw.release?.action ?? codes.actions.length > 0,
      comment: raw.release?.comment ?? true,
      signature: raw.release?.signature ?? false,
    },
  };
}

/**
 * Each characteristic's codes (its own lists, else the file's) and plans, from a rule file that
 * passed its checks (plan names exist). Characteristics that name no plan and whose file has no
 * codes are left out: they get the default plan.
 */
export function resolveClosedLoop(file: RawLoopFile): RuleSetConfig['closedLoop'] {
  const out: Record<string, CharacteristicLoop> = {};
  for (const c of file.characteristics) {
    const codes: CodeLists = { causes: c.codes?.causes ?? file.codes?.causes ?? [], actions: c.codes?.actions ?? file.codes?.actions ?? [] };
    if (!c.plan && !c.planByRule && !codes.causes.length && !codes.actions.length) continue;
    const planOf = (name: string) => resolvePlan(name, file.plans![name], codes);
    const plan = c.plan ? planOf(c.plan) : resolvePlan('default', { steps: [] }, codes);
    const byRule = c.planByRule ? Object.fromEntries(Object.entries(c.planByRule).map(([rule, name]) => [rule, planOf(name)])) : undefined;
    out[c.id] = { codes, plan, ...(byRule ? { byRule } : {}) };
  }
  return Object.keys(out).length ? out : undefined;
}
