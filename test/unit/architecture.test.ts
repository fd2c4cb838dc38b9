import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);

it('src/core is pure: no node:* modules, no I/O packages, nothing outside core', () => {
  // Pure computation libraries only: statistics and distribution functions.
  const allowedPackages = new Set(['simple-statistics', '@stdlib/stats-base-dists-normal-quantile', '@stdlib/stats-base-dists-t-cdf', '@stdlib/stats-base-dists-normal-cdf',
    '@stdlib/stats-base-dists-binomial-pmf', '@stdlib/stats-base-dists-binomial-quantile', '@stdlib/stats-base-dists-poisson-pmf', '@stdlib/stats-base-dists-poisson-quantile']);
  const offenders: string[] = [];
  for (const f of files('src/core')) {
    for (const spec of importsOf(f)) {
      const relativeOutside = spec.startsWith('.') && !join(f, '..', spec).startsWith('src/core');
      const bannedPackage = !spec.startsWith('.') && !allowedPackages.has(spec);
      if (relativeOutside || bannedPackage) offenders.push(`${f} imports ${spec}`);
    }
    if (/\b(Date\.now|process\.|setTimeout|setInterval)\b/.test(readFileSync(f, 'utf8'))) offenders.push(`${f} uses a clock or the process`);
  }
  expect(offenders).toEqual([]);
});

it('adapters never import each other', () => {
  const offenders: string[] = [];
  for (const f of files('src/adapters')) {
    const own = f.split('/')[2];
    for (const spec of importsOf(f)) {
      const target = join(f, '..', spec);
      if (target.startsWith('src/adapters/') && target.split('/')[2] !== own) offenders.push(`${f} imports ${spec}`);
    }
  }
  expect(offenders).toEqual([]);
});

it('dependencies point inward: adapters never import service/, service/ never imports an adapter, ports import only core', () => {
  const offenders: string[] = [];
  const check = (dir: string, banned: string[]) => {
    for (const f of files(dir)) {
      for (const spec of importsOf(f)) {
        const target = join(f, '..', spec);
        if (spec.startsWith('.') && banned.some((b) => target.startsWith(b))) offenders.push(`${f} imports ${spec}`);
      }
    }
  };
  check('src/adapters', ['src/service/', 'src/cli/']);
  check('src/service', ['src/adapters/', 'src/cli/']);
  check('src/ports', ['src/adapters/', 'src/service/', 'src/cli/', 'src/anomaly/', 'src/samples/']);
  expect(offenders).toEqual([]);
});

it('the worker composes its parts in about 150 lines', () => {
  expect(readFileSync('src/service/worker.ts', 'utf8').split('\n').length).toBeLessThanOrEqual(200);
});
