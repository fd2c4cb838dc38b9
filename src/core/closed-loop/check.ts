import type { ReactionPlanView } from './plan.js';

/** Why a request is refused, naming the request field to fix. */
export interface FieldProblem { field: string; message: string }

/** What a release carries: a comment, the rule file's codes, and a verified electronic signature. */
export interface ReleaseRequest {
  reason?: string;
  causeCode?: string;
  actionCode?: string;
  /** Set only after the signer's secret was checked (the API does, against the tokens file). */
  signature?: { signer: string; meaning: string };
}

export interface ReleaseInput { reason?: string; causeCode?: string; actionCode?: string; signed: boolean }

const listOf = (codes: readonly { code: string }[]) => codes.map((c) => c.code).join(', ');

function checkCode(field: string, value: string | undefined, required: boolean, codes: readonly { code: string }[], what: string): FieldProblem | undefined {
  if (value === undefined) return required ? { field, message: `"${field}" is required by this hold's reaction plan: one of ${listOf(codes) || '(none defined)'}` } : undefined;
  if (!codes.some((c) => c.code === value)) return { field, message: `"${field}" must be one of the rule file's ${what} codes: ${listOf(codes) || '(none defined)'} (got ${JSON.stringify(value.slice(0, 40))})` };
  return undefined;
}

/** What a release must carry under its plan: codes of the rule file's lists, a comment, a signature. */
export function checkRelease(plan: ReactionPlanView, input: ReleaseInput): FieldProblem | undefined {
  return checkCode('causeCode', input.causeCode, plan.release.cause, plan.causes, 'assignable-cause')
    ?? checkCode('actionCode', input.actionCode, plan.release.action, plan.actions, 'corrective-action')
    ?? (plan.release.comment && input.reason === undefined ? { field: 'reason', message: '"reason" (a comment of 3 to 500 characters) is required to release this hold' } : undefined)
    ?? (plan.release.signature && !input.signed ? { field: 'signature', message: '"signature" is required: this hold\'s reaction plan asks for an electronic signature (your signing secret) to release it' } : undefined);
}

/** What acknowledging an alarm must carry under its plan: a cause code where the plan asks for one. */
export function checkAcknowledge(plan: ReactionPlanView, causeCode: string | undefined): FieldProblem | undefined {
  return checkCode('causeCode', causeCode, plan.acknowledge.code, plan.causes, 'assignable-cause');
}
