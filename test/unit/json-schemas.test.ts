import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ruleFileJsonSchema, ruleTestJsonSchema } from '../../src/rules-file/json-schemas.js';
import { chartTable, ruleTable, withGenerated } from '../../src/rules-file/spec-tables.js';

it('rules/schema.json and rules/rule-test.schema.json are up to date (npm run schema)', () => {
  expect(JSON.parse(readFileSync('rules/schema.json', 'utf8'))).toEqual(ruleFileJsonSchema());
  expect(JSON.parse(readFileSync('rules/rule-test.schema.json', 'utf8'))).toEqual(ruleTestJsonSchema());
});

it("README's chart and rule tables are the ones the specs generate (npm run schema)", () => {
  const readme = readFileSync('README.md', 'utf8');
  expect(readme).toBe(withGenerated(withGenerated(readme, 'charts', chartTable()), 'rules', ruleTable()));
});
