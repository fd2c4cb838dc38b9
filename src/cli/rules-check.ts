import { statSync } from 'node:fs';
import { InvalidFileError, readConfigFile } from '../rules-file/diagnostics.js';
import { parseRuleFile, ruleFilesIn } from '../rules-file/load.js';

/** `spc rules check FILE|DIR...`: prints every problem as file:line:col; exit 1 when any. */
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
    if (r.ok) process.stdout.write(`ok ${file} (${r.config.characteristics.length} characteristic${r.config.characteristics.length === 1 ? '' : 's'})\n`);
    else {
      problems += r.diagnostics.length;
      process.stderr.write(new InvalidFileError(r.diagnostics).message + '\n');
    }
  }
  if (problems) process.stderr.write(`${problems} problem${problems === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}\n`);
  return problems ? 1 : 0;
}
