import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDuration } from './duration.js';
import type { CheckConfig, RuleSetConfig } from '../core/config.js';
import { FileDiagnostic, InvalidFileError, LocatedYaml, readConfigFile, sortDiagnostics, validateWith } from './diagnostics.js';
import { validate as validateRuleFile } from './rule-file.validator.js';
import { semanticDiagnostics } from './semantic.js';
import { resolveClosedLoop, type RawLoopFile } from './closed-loop.js';

export type ParseResult = { ok: true; config: RuleSetConfig } | { ok: false; diagnostics: FileDiagnostic[] };

/**
 * YAML → schema → semantic checks → typed config. Never throws on bad content. Schema and
 * semantic problems are reported together, in file order (semantic checks run on whatever parts
 * of the file are well-formed), so one pass shows every problem.
 */
export function parseRuleFile(text: string, file: string): ParseResult {
  const y = new LocatedYaml(file, text);
  if (y.syntaxErrors.length) return { ok: false, diagnostics: y.syntaxErrors };
  const raw = y.toJS() as Omit<RuleSetConfig, 'anomaly'> & { anomaly?: RawAnomaly[] };
  if (y.syntaxErrors.length) return { ok: false, diagnostics: y.syntaxErrors };
  const diagnostics = [...validateWith(y, validateRuleFile), ...semanticDiagnostics(y, raw), ...anomalyDiagnostics(y, raw, file)];
  if (diagnostics.length) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  const { codes: _codes, plans: _plans, checks: _checks, ...rest } = raw as typeof raw & Omit<RawLoopFile, 'characteristics'>;
  const rawChecks = (raw as unknown as { checks?: RawCheck[] }).checks;
  const checks = rawChecks?.map((c) => resolveCheck(c, raw.characteristics.find((x) => x.id === c.characteristic)!));
  const closedLoop = resolveClosedLoop(raw as unknown as RawLoopFile);
  const config: RuleSetConfig = {
    ...rest,
    ...(closedLoop ? { closedLoop } : {}),
    ...(checks?.length ? { checks } : {}),
    // A self-starting chart (Q) has no limits in the file: its statistic is N(0, 1) by construction.
    // Codes and plans live in closedLoop, not in the characteristic: editing a plan does not
    // change the characteristic's fingerprint, so a hot reload keeps its chart.
    characteristics: raw.characteristics.map((raw) => {
      const { codes: _c, plan: _p, planByRule: _r, ...c } = raw as typeof raw & { codes?: unknown; plan?: unknown; planByRule?: unknown };
      return c.limits === undefined ? { ...c, limits: { center: 0, sigma: 1 } } : c;
    }),
    anomaly: raw.anomaly?.map((a) => ({ id: a.id, model: resolve(dirname(file), a.model), match: a.match, action: a.action ?? 'alarm', waitMs: parseDuration(a.wait ?? '30s') })),
  };
  if (!config.anomaly) delete config.anomaly;
  return { ok: true, config };
}

type RawCheck = {
  id: string; characteristic: string; every?: string; everyUnits?: number; shiftStarts?: string[]; sampleSize?: number; gauge?: string;
  instructions: string; plausible?: { min?: number; max?: number }; grace?: string; graceUnits?: number; overdue?: 'alarm' | 'hold';
};

/** A check with its defaults and its place (the characteristic's line, station and parameter). */
function resolveCheck(c: RawCheck, target: { match: { line?: string; station?: string; parameter?: string } }): CheckConfig {
  const everyMs = c.every !== undefined ? parseDuration(c.every) : undefined;
  return {
    id: c.id, characteristic: c.characteristic, line: target.match.line!, station: target.match.station!, parameter: target.match.parameter!,
    ...(everyMs !== undefined ? { everyMs } : {}), ...(c.everyUnits !== undefined ? { everyUnits: c.everyUnits } : {}), ...(c.shiftStarts ? { shiftStarts: c.shiftStarts } : {}),
    sampleSize: c.sampleSize ?? 1, ...(c.gauge ? { gauge: c.gauge } : {}), instructions: c.instructions, ...(c.plausible ? { plausible: c.plausible } : {}),
    // Grace: 10% of the interval (at least a minute) for time checks, 15 minutes after a shift start, 10% of the units for unit checks.
    graceMs: c.grace !== undefined ? parseDuration(c.grace) : everyMs !== undefined ? Math.max(60_000, everyMs / 10) : 15 * 60_000,
    graceUnits: c.graceUnits ?? Math.ceil((c.everyUnits ?? 0) / 10),
    overdue: c.overdue ?? 'alarm',
  };
}

type RawAnomaly = { id: string; model: string; match?: { line?: string; station?: string }; action?: 'alarm' | 'hold' | 'none'; wait?: string };

/** Model files that must exist, and ids shared with characteristics; skips entries the schema refuses. */
function anomalyDiagnostics(y: LocatedYaml, raw: unknown, file: string): FileDiagnostic[] {
  const out: FileDiagnostic[] = [];
  const doc = (typeof raw === 'object' && raw !== null ? raw : {}) as { characteristics?: unknown; anomaly?: unknown };
  const anomaly = Array.isArray(doc.anomaly) ? (doc.anomaly as Partial<RawAnomaly>[]) : [];
  const characteristicIds = new Set((Array.isArray(doc.characteristics) ? doc.characteristics : []).map((c) => (c as { id?: unknown } | null)?.id));
  anomaly.forEach((a, i) => {
    if (typeof a !== 'object' || a === null) return;
    if (typeof a.model === 'string' && !existsSync(resolve(dirname(file), a.model))) out.push(y.at(['anomaly', i, 'model'], `model file not found: ${resolve(dirname(file), a.model)} (train it with spc train … --out ${a.model})`));
    if (typeof a.id === 'string' && (characteristicIds.has(a.id) || anomaly.findIndex((b) => b?.id === a.id) < i)) out.push(y.at(['anomaly', i, 'id'], `duplicates the id "${a.id}" of another characteristic or model`));
  });
  return out;
}

/** Rule files of a folder: *.yaml / *.yml, excluding rule tests (*.test.yaml). */
export function ruleFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Loads a rule file, or every rule file of a folder into one rule set (ids must be unique across
 * files). Throws InvalidFileError listing every problem with file:line:col.
 */
export function loadRules(path: string): RuleSetConfig {
  const files = statSync(path).isDirectory() ? ruleFilesIn(path) : [path];
  if (files.length === 0) throw new InvalidFileError([new FileDiagnostic(path, 1, 1, '', 'no rule files (*.yaml) in this folder')]);
  const diagnostics: FileDiagnostic[] = [];
  const merged: RuleSetConfig = { version: 1, characteristics: [], anomaly: [], closedLoop: {}, checks: [] };
  const owner = new Map<string, string>();
  for (const file of files) {
    const result = parseRuleFile(readConfigFile(file), file);
    if (!result.ok) { diagnostics.push(...result.diagnostics); continue; }
    result.config.characteristics.forEach((c, i) => {
      const other = owner.get(c.id);
      if (other) {
        const y = new LocatedYaml(file, readConfigFile(file));
        diagnostics.push(y.at(['characteristics', i, 'id'], `duplicates id "${c.id}" of ${other}`));
      } else owner.set(c.id, file);
      merged.characteristics.push(c);
    });
    merged.anomaly!.push(...(result.config.anomaly ?? []));
    Object.assign(merged.closedLoop!, result.config.closedLoop ?? {});
    merged.checks!.push(...(result.config.checks ?? []));
  }
  if (diagnostics.length) throw new InvalidFileError(diagnostics);
  if (merged.anomaly!.length === 0) delete merged.anomaly;
  if (Object.keys(merged.closedLoop!).length === 0) delete merged.closedLoop;
  if (merged.checks!.length === 0) delete merged.checks;
  return merged;
}
