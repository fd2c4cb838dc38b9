import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ruleFileJsonSchema, ruleTestJsonSchema } from '../../src/rules-file/json-schemas.js';

it('rules/schema.json and rules/rule-test.schema.json are up to date (npm run schema)', () => {
  expect(JSON.parse(readFileSync('rules/schema.json', 'utf8'))).toEqual(ruleFileJsonSchema());
  expect(JSON.parse(readFileSync('rules/rule-test.schema.json', 'utf8'))).toEqual(ruleTestJsonSchema());
});
