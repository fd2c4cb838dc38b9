import type { Sample } from '../core/sample.js';
import { validateSample } from './validate.js';

/** Largest message accepted; larger ones are dead-lettered unread (a defence, not a limit of NATS). */
export const MAX_MESSAGE_BYTES = 1 << 20;
/** Deepest JSON nesting accepted: a sample is flat, a batch one level deeper. */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of JSON text (brackets outside strings), stopping early past `limit`. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) { if (c === 92) i++; else if (c === 34) inString = false; continue; }
    if (c === 34) inString = true;
    else if (c === 91 || c === 123) { if (++depth > max) { max = depth; if (max > limit) return max; } }
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Most samples one batch message may carry. */
export const MAX_SAMPLES_PER_MESSAGE = 10_000;

export type DeadLetterReason = 'invalid-json' | 'invalid-sample' | 'too-large' | 'unknown-characteristic' | 'rejected' | 'too-many-splits' | 'unstorable';

export interface BadItem { reason: DeadLetterReason; detail: string; /** Index in a batch message, if any. */ item?: number }

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A message payload → its samples: one JSON sample object, or a JSON array of them (a unit's
 * parameters at one station). Bad items are returned with a reason, never thrown; one bad item
 * of a batch does not spoil the others.
 */
export function decodeSampleMessage(data: Uint8Array): { samples: Sample[]; bad: BadItem[]; positions?: number[] } {
  if (data.length > MAX_MESSAGE_BYTES) return { samples: [], bad: [{ reason: 'too-large', detail: `message of ${data.length} bytes exceeds ${MAX_MESSAGE_BYTES}` }] };
  let text: string;
  try { text = decoder.decode(data); } catch { return { samples: [], bad: [{ reason: 'invalid-json', detail: 'payload is not valid UTF-8' }] }; }
  // Deep nesting is refused before parsing: it can only be an attack or garbage, and recursion on it would not be cheap.
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return { samples: [], bad: [{ reason: 'invalid-sample', detail: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` }] };
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch (e) { return { samples: [], bad: [{ reason: 'invalid-json', detail: `invalid JSON: ${(e as Error).message}` }] }; }
  if (!Array.isArray(parsed)) {
    const r = validateSample(parsed);
    return r.ok ? { samples: [r.sample], bad: [] } : { samples: [], bad: [{ reason: 'invalid-sample', detail: r.reason }] };
  }
  if (parsed.length > MAX_SAMPLES_PER_MESSAGE) return { samples: [], bad: [{ reason: 'too-large', detail: `batch of ${parsed.length} samples exceeds ${MAX_SAMPLES_PER_MESSAGE}` }] };
  const samples: Sample[] = [];
  const bad: BadItem[] = [];
  /** Where each good sample stood in the batch, so a later refusal names the right item. */
  const positions: number[] = [];
  parsed.forEach((item, i) => {
    const r = validateSample(item);
    if (r.ok) { samples.push(r.sample); positions.push(i); } else bad.push({ reason: 'invalid-sample', detail: `item ${i}: ${r.reason}`, item: i });
  });
  return { samples, bad, positions };
}

/** Details and item indices one dead letter lists; the counts cover every bad item. */
export const DEAD_LETTER_DETAILS = 3;
export const DEAD_LETTER_ITEMS = 20;

/** A message's bad items, summarized for one dead letter (not one per item: a 10,000-item batch is one letter). */
export interface FaultSummary {
  /** The first bad item's reason: the dead letter's subject. */
  reason: DeadLetterReason;
  /** The first few details, joined. */
  detail: string;
  /** Bad items per reason. */
  counts: Partial<Record<DeadLetterReason, number>>;
  total: number;
  /** Indices of the first bad items of a batch message (none for a single-sample message). */
  items: number[];
}

/** Collects the bad items of one message as it is processed. */
export class MessageFaults {
  private first: DeadLetterReason | undefined;
  private readonly details: string[] = [];
  private readonly items: number[] = [];
  private readonly counts: Partial<Record<DeadLetterReason, number>> = {};
  private total = 0;

  add(reason: DeadLetterReason, detail: string, item?: number): void {
    this.first ??= reason;
    this.total++;
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    if (this.details.length < DEAD_LETTER_DETAILS) this.details.push(detail);
    if (item !== undefined && this.items.length < DEAD_LETTER_ITEMS) this.items.push(item);
  }

  get empty(): boolean { return this.total === 0; }

  summary(): FaultSummary {
    const more = this.total - this.details.length;
    return {
      reason: this.first!, counts: { ...this.counts }, total: this.total, items: [...this.items],
      detail: this.details.join(' | ') + (more > 0 ? ` | … and ${more} more` : ''),
    };
  }
}
