import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDuration } from './duration.js';
import type { RuleSetConfig } from '../core/config.js';
import { FileDiagnostic, InvalidFileError, LocatedYaml, sortDiagnostics, validateAgainst } from './diagnostics.js';
import { RuleFileSchema } from './schema.js';
import { semanticDiagnostics } from './semantic.js';

export type ParseResult = { ok: true; config: RuleSetConfig } | { ok: false; diagnostics: FileDiagnostic[] };

/** YAML → schema → semantic checks → typed config. Never throws on bad content. */
export function parseRuleFile(text: string, file: string): ParseResult {
  const y = new LocatedYaml(file, text);
  if (y.syntaxErrors.length) return { ok: false, diagnostics: y.syntaxErrors };
  y.toJS();
  if (y.syntaxErrors.length) return { ok: false, diagnostics: y.syntaxErrors };
  const schemaErrors = validateAgainst(y, RuleFileSchema);
  if (schemaErrors.length) return { ok: false, diagnostics: schemaErrors };
  const raw = y.toJS() as Omit<RuleSetConfig, 'anomaly'> & { anomaly?: { id: string; model: string; match?: { line?: string; station?: string }; action?: 'alarm' | 'hold' | 'none'; wait?: string }[] };
  const config: RuleSetConfig = {
    ...raw,
    anomaly: raw.anomaly?.map((a) => ({ id: a.id, model: resolve(dirname(file), a.model), match: a.match, action: a.action ?? 'alarm', waitMs: parseDuration(a.wait ?? '30s') })),
  };
  if (!config.anomaly) delete config.anomaly;
  const semantic = semanticDiagnostics(y, config);
  (raw.anomaly ?? []).forEach((a, i) => {
    if (!existsSync(resolve(dirname(file), a.model))) semantic.push(y.at(['anomaly', i, 'model'], `model file not found: ${resolve(dirname(file), a.model)} (train it with spc train … --out ${a.model})`));
    if (config.characteristics.some((c) => c.id === a.id) || (raw.anomaly ?? []).findIndex((b) => b.id === a.id) < i) semantic.push(y.at(['anomaly', i, 'id'], `duplicates the id "${a.id}" of another characteristic or model`));
  });
  if (semantic.length) return { ok: false, diagnostics: sortDiagnostics(semantic) };
  return { ok: true, config };
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
  const merged: RuleSetConfig = { version: 1, characteristics: [], anomaly: [] };
  const owner = new Map<string, string>();
  for (const file of files) {
    const result = parseRuleFile(readFileSync(file, 'utf8'), file);
    if (!result.ok) { diagnostics.push(...result.diagnostics); continue; }
    result.config.characteristics.forEach((c, i) => {
      const other = owner.get(c.id);
      if (other) {
        const y = new LocatedYaml(file, readFileSync(file, 'utf8'));
        diagnostics.push(y.at(['characteristics', i, 'id'], `duplicates id "${c.id}" of ${other}`));
      } else owner.set(c.id, file);
      merged.characteristics.push(c);
    });
    merged.anomaly!.push(...(result.config.anomaly ?? []));
  }
  if (diagnostics.length) throw new InvalidFileError(diagnostics);
  if (merged.anomaly!.length === 0) delete merged.anomaly;
  return merged;
}
