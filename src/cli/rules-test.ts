import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError } from '../rules-file/diagnostics.js';
import { runRuleTestFile } from '../rules-file/rule-test.js';

function testFiles(paths: string[]): string[] {
  return paths.flatMap((p) => (statSync(p).isDirectory()
    ? readdirSync(p).filter((f) => /\.test\.ya?ml$/.test(f)).sort().map((f) => join(p, f))
    : [p]));
}

/** `spc rules test`: prints PASS/FAIL per test and "N passed, N failed"; exit 1 on any failure. */
export function rulesTest(paths: string[], o: { verbose?: boolean } = {}): number {
  let passed = 0, failed = 0;
  const files = testFiles(paths);
  if (files.length === 0) { process.stderr.write(`no rule tests (*.test.yaml) in ${paths.join(', ')}\n`); return 1; }
  for (const file of files) {
    try {
      for (const r of runRuleTestFile(file)) {
        if (r.passed) passed++; else failed++;
        process.stdout.write(`${r.passed ? 'PASS' : 'FAIL'} ${file} › ${r.name}\n`);
        for (const d of r.differences) process.stdout.write(`     ${d}\n`);
        if (o.verbose) for (const f of r.fired) process.stdout.write(`     fired ${f}\n`);
      }
    } catch (e) {
      if (!(e instanceof InvalidFileError)) throw e;
      failed++;
      process.stdout.write(`FAIL ${file}\n${e.message.split('\n').map((l) => `     ${l}`).join('\n')}\n`);
    }
  }
  process.stdout.write(`rules: ${passed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}
