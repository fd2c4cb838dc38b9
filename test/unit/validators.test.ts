import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { generatedValidators } from '../../src/rules-file/validator-source.js';

// The rule file's and a sample's validators are generated code (scripts/compile-validators.ts):
// a schema edited without regenerating them would be ignored at run time.
it('the precompiled validators are compiled from the schemas as they are now (else: npm run validators)', () => {
  for (const { file, source } of generatedValidators()) expect(readFileSync(file, 'utf8') === source, `${file} is stale: run npm run validators`).toBe(true);
});
