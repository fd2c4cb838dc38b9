import { statSync } from 'node:fs';
import type { CharacteristicConfig } from '../core/config.js';
import { checkArl, formatArl } from '../quality/arl-check.js';
import { InvalidFileError, LocatedYaml, readConfigFile } from '../rules-file/diagnostics.js';
import { parseRuleFile, ruleFilesIn } from '../rules-file/load.js';
import { textTable } from './table.js';

/**
 * `spc rules check FILE|DIR...`: prints every problem as file:line:col (exit 1 when any), and for
 * a valid file each characteristic's in-control ARL (quality/arl-check.ts), with a warning on
 * stderr where it is far below what the rules promise. Warnings leave the exit code alone.
 */
export function rulesCheck(paths: string[]): number {
  const files = paths.flatMap((p) => (statSync(p).isDirectory() ? ruleFilesIn(p) : [p]));
  let problems = 0;
  for (const file of files) {
    let text: string;
    try { text = readConfigFile(file); } catch (err) {
      if (!(err instanceof InvalidFileError)) throw err;
      problems += 1;
      process.stderr.write(err.message + '\n');
      continue;
    }
    const r = parseRuleFile(text, file);
    if (r.ok) {
      process.stdout.write(`ok ${file} (${r.config.characteristics.length} characteristic${r.config.characteristics.length === 1 ? '' : 's'})\n`);
      arlReport(file, text, r.config.characteristics);
    } else {
      problems += r.diagnostics.length;
      process.stderr.write(new InvalidFileError(r.diagnostics).message + '\n');
    }
  }
  if (problems) process.stderr.write(`${problems} problem${problems === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
  return problems ? 1 : 0;
}

/** The in-control ARL table of a valid file, and a located warning per characteristic far below its rules' promise. */
function arlReport(file: string, text: string, characteristics: readonly CharacteristicConfig[]): void {
  const checks = characteristics.map((c) => checkArl(c));
  const rows = characteristics.map((c, i) => [c.id, c.chart.type, c.rules.join(','), formatArl(checks[i])]);
  const table = textTable(['characteristic', 'chart', 'rules', 'in-control ARL (points between false alarms)'], rows);
  process.stdout.write(table.map((l) => `  ${l}\n`).join(''));
  const y = new LocatedYaml(file, text);
  checks.forEach((a, i) => {
    if (a.warning) {
      const at = y.at(['characteristics', i, 'chart'], a.warning);
      process.stderr.write(`${at.file}:${at.line}:${at.col} warning: ${characteristics[i].id}: ${a.warning}\n`);
    }
    if (a.phase1Warning) {
      const at = y.at(['characteristics', i, 'limits'], a.phase1Warning);
      process.stderr.write(`${at.file}:${at.line}:${at.col} warning: ${characteristics[i].id}: ${a.phase1Warning}\n`);
    }
  });
}
