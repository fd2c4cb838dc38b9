import type { ErrorObject } from 'ajv';
import type { Sample } from '../core/sample.js';
import { validate } from './sample.validator.js';
import { calendarProblem } from './timestamp.js';

/** SampleSchema (./schema.ts), precompiled by scripts/compile-validators.ts: no Ajv compile at start. */
const check = validate as { (data: unknown): data is Sample; errors?: ErrorObject[] | null };

export type SampleResult = { ok: true; sample: Sample } | { ok: false; reason: string };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`; // JSON.stringify escapes control characters
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** A reason a person can act on: names the field, what it must be and what it was. */
function reasonOf(e: ErrorObject, data: unknown): string {
  const field = e.instancePath.slice(1).replace(/\//g, '.');
  let got: unknown = data;
  for (const part of e.instancePath.split('/').slice(1)) got = (got as Record<string, unknown> | undefined)?.[part];
  if (field === 'attributes' && e.keyword === 'maxProperties') return `attributes has more than ${(e.params as { limit: number }).limit} entries`;
  if (field === 'attributes' && e.keyword === 'pattern') return `attribute name ${JSON.stringify((e as { propertyName?: string }).propertyName ?? '')} must be like an identifier (letters, digits, _ . -; at most 64)`;
  if (field === 'attributes' && e.keyword === 'propertyNames') return `attribute names must be like identifiers (letters, digits, _ . -; at most 64)`;
  switch (e.keyword) {
    case 'required': return `${(e.params as { missingProperty: string }).missingProperty} is required`;
    case 'type': return `${field || 'sample'} must be ${field === 'value' || field === 'n' ? 'a finite number' : (e.params as { type: string }).type === 'object' ? 'a JSON object' : `a ${(e.params as { type: string }).type}`} (got ${describe(got)})`;
    case 'pattern':
      if (field === 'ts') return `ts must be an ISO-8601 timestamp like 2026-11-25T03:00:00.123Z (got ${describe(got)})`;
      return `${field} must not contain control characters${['line', 'station', 'parameter', 'product'].includes(field) || field.startsWith('attributes.') ? ' or a backslash' : ''} (got ${describe(got)})`;
    case 'minLength': return `${field} must not be empty`;
    case 'maxLength': return `${field} is longer than 200 characters`;
    case 'exclusiveMinimum': return `${field} must be > 0 (got ${describe(got)})`;
    default: return `${field || 'sample'} ${e.message ?? 'is invalid'}`;
  }
}

/** Validates a parsed JSON value against the sample schema. */
export function validateSample(data: unknown): SampleResult {
  if (!check(data)) return { ok: false, reason: reasonOf(check.errors![0], data) };
  const when = calendarProblem(data.ts);
  if (when) return { ok: false, reason: `ts ${when} (got ${describe(data.ts)})` };
  return { ok: true, sample: data };
}

/** Parses and validates one NDJSON line. Never throws. */
export function parseSampleJson(text: string): SampleResult {
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { return { ok: false, reason: `invalid JSON: ${(e as Error).message}` }; }
  return validateSample(data);
}
