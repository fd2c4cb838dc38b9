import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { RULE_NAMES } from '../core/config.js';

export type YamlPath = (string | number)[];

/** One problem in a YAML file, located at `file:line:col`. */
export class FileDiagnostic {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    /** Where in the document, e.g. characteristics[0].rules[2]. */
    readonly path: string,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.file}:${this.line}:${this.col} ${this.path ? this.path + ' ' : ''}${this.message}`;
  }
}

/** Most diagnostics a message lists (a junk file can have thousands); the rest are counted. */
export const MAX_DIAGNOSTICS_SHOWN = 50;

/** Thrown when a file has errors; `diagnostics` lists every one, in file order; the message shows the first 50. */
export class InvalidFileError extends Error {
  constructor(readonly diagnostics: FileDiagnostic[]) {
    const shown = diagnostics.slice(0, MAX_DIAGNOSTICS_SHOWN).map(String);
    if (diagnostics.length > shown.length) shown.push(`… and ${diagnostics.length - shown.length} more problems`);
    super(shown.join('\n'));
    this.name = 'InvalidFileError';
  }
}

/** Largest rule or tokens file read: bounds parse time (hot reload runs beside the signals) and error output. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * Reads a configuration file a person wrote: a regular file (not a FIFO, a device or /proc) of
 * at most MAX_CONFIG_FILE_BYTES, as UTF-8. Throws InvalidFileError saying which and why.
 */
export function readConfigFile(path: string): string {
  const st = statSync(path);
  if (!st.isFile()) throw new InvalidFileError([new FileDiagnostic(path, 1, 1, '', 'is not a regular file (a rule or tokens file must be a plain YAML file)')]);
  if (st.size > MAX_CONFIG_FILE_BYTES) throw new InvalidFileError([new FileDiagnostic(path, 1, 1, '', `is ${st.size} bytes; rule and tokens files may be at most ${MAX_CONFIG_FILE_BYTES} bytes`)]);
  const text = readFileSync(path, 'utf8');
  // /proc files report size 0 and read as more: check what was read too.
  if (text.length > MAX_CONFIG_FILE_BYTES) throw new InvalidFileError([new FileDiagnostic(path, 1, 1, '', `is larger than ${MAX_CONFIG_FILE_BYTES} bytes`)]);
  // NUL never occurs in YAML (it does in binaries and in /proc/*/environ): say so without quoting any of it.
  if (text.includes('\u0000')) throw new InvalidFileError([new FileDiagnostic(path, 1, 1, '', 'is not a text file (it contains NUL bytes); a rule or tokens file is YAML text')]);
  return text;
}

export function formatPath(path: YamlPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** A parsed YAML document that can say where any path of it is. */
export class LocatedYaml {
  readonly doc: Document;
  private readonly lines = new LineCounter();
  readonly syntaxErrors: FileDiagnostic[] = [];

  constructor(readonly file: string, text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const e of [...this.doc.errors, ...this.doc.warnings]) {
      const pos = this.lines.linePos(e.pos[0]);
      this.syntaxErrors.push(new FileDiagnostic(file, pos.line, pos.col, '', `YAML: ${e.message.split('\n')[0]}`));
    }
  }

  /** The document as plain data; an unresolvable alias (`*x` without `&x`) becomes a syntax error, not an exception. */
  toJS(): unknown {
    try { return this.doc.toJS(); } catch (e) {
      this.syntaxErrors.push(new FileDiagnostic(this.file, 1, 1, '', `YAML: ${(e as Error).message}`));
      return undefined;
    }
  }

  /** The node at `path`, or the deepest existing ancestor. With `key`, that key of the map at path. */
  private locate(path: YamlPath, key?: string): number {
    let node: unknown = this.doc.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    const segments = key === undefined ? path : [...path, key];
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        if (key !== undefined && i === segments.length - 1) { offset = (pair.key as Node).range?.[0] ?? offset; break; }
        node = pair.value;
        offset = (pair.value as Node | null)?.range?.[0] ?? (pair.key as Node).range?.[0] ?? offset;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
        offset = (node as Node).range?.[0] ?? offset;
      } else break;
    }
    return offset;
  }

  at(path: YamlPath, message: string, key?: string): FileDiagnostic {
    const pos = this.lines.linePos(this.locate(path, key));
    return new FileDiagnostic(this.file, pos.line, pos.col, formatPath(path), message);
  }
}

/** A value as an error quotes it: at most 40 characters, so an error never echoes a file's contents. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const text = JSON.stringify(v);
  return text.length > 42 ? `${text.slice(0, 40)}…` : text;
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false' };
  return names[type] ?? type;
}

function allowedList(values: readonly unknown[]): string {
  if (values.length === RULE_NAMES.length && RULE_NAMES.every((r, i) => values[i] === r)) return 'we1..we4, nelson1..nelson8';
  return values.map(String).join(', ');
}

/** The closest allowed key, to suggest for a misspelling (Levenshtein distance ≤ 2). */
function closest(word: string, options: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0]; row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
        prev = tmp;
      }
    }
    return row[b.length];
  };
  const best = options.map((o) => [o, dist(word, o)] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= 2 ? best[0] : undefined;
}

function toPath(instancePath: string): YamlPath {
  if (!instancePath) return [];
  return instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Turns one ajv error into a located, readable diagnostic. */
export function schemaDiagnostic(y: LocatedYaml, e: ErrorObject): FileDiagnostic {
  const path = toPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const got = describe(e.data);
  switch (e.keyword) {
    case 'required': return y.at(path, `is missing required key "${p.missingProperty}"`);
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const key = String(p.additionalProperty);
      const hint = closest(key, allowed);
      return y.at(path, `has unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`, key);
    }
    case 'enum': return y.at(path, `must be one of ${allowedList(p.allowedValues as unknown[])} (got ${got})`);
    case 'const': return y.at(path, `must be ${JSON.stringify(p.allowedValue)} (got ${got})`);
    case 'type': return y.at(path, `must be ${article(String(p.type))} (got ${got})`);
    case 'minimum': return y.at(path, `must be ≥ ${p.limit} (got ${got})`);
    case 'maximum': return y.at(path, `must be ≤ ${p.limit} (got ${got})`);
    case 'exclusiveMinimum': return y.at(path, `must be > ${p.limit} (got ${got})`);
    case 'exclusiveMaximum': return y.at(path, `must be < ${p.limit} (got ${got})`);
    case 'minItems': return y.at(path, `must list at least ${p.limit} item${p.limit === 1 ? '' : 's'}`);
    case 'uniqueItems': return y.at([...path, p.i as number], `repeats ${describe((e.data as unknown[])[p.i as number])} (also at index ${p.j})`);
    case 'minProperties': return y.at(path, `must set at least one of ${Object.keys((e.parentSchema as { properties?: object })?.properties ?? {}).join(', ')}`);
    case 'pattern': return y.at(path, `must match ${p.pattern} (got ${got})`);
    default: return y.at(path, e.message ?? 'is invalid');
  }
}

// Loaded on first use: the rule file's own validator is precompiled (scripts/compile-validators.ts),
// so a command that reads only rule files never loads Ajv.
let ajv: AjvClass | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/** A compiled JSON Schema validator: Ajv's, or one generated by scripts/compile-validators.ts. */
export interface SchemaValidator { (data: unknown): boolean; errors?: ErrorObject[] | null }

/** Validates a located document with a compiled validator (Ajv `allErrors`, `verbose`); diagnostics sorted by position. */
export function validateWith(y: LocatedYaml, validate: SchemaValidator): FileDiagnostic[] {
  if (validate(y.toJS())) return [];
  return sortDiagnostics((validate.errors ?? []).map((e) => schemaDiagnostic(y, e)));
}

/** Validates a located document against a JSON Schema, compiled on first use; diagnostics sorted by position. */
export function validateAgainst(y: LocatedYaml, schema: object): FileDiagnostic[] {
  let validate = compiled.get(schema);
  if (!validate) {
    ajv ??= new (createRequire(import.meta.url)('ajv').Ajv as typeof AjvClass)({ allErrors: true, strict: false, verbose: true });
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validateWith(y, validate);
}

export function sortDiagnostics(list: FileDiagnostic[]): FileDiagnostic[] {
  const seen = new Set<string>();
  return list
    .filter((d) => { const k = String(d); if (seen.has(k)) return false; seen.add(k); return true; })
    .sort((a, b) => a.line - b.line || a.col - b.col);
}
