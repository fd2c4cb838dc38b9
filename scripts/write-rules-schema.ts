/** Regenerates rules/schema.json, rules/rule-test.schema.json and README's chart and rule tables (run: npm run schema). */
import { readFileSync, writeFileSync } from 'node:fs';
import { ruleFileJsonSchema, ruleTestJsonSchema } from '../src/rules-file/json-schemas.js';
import { chartTable, ruleTable, withGenerated } from '../src/rules-file/spec-tables.js';

writeFileSync('rules/schema.json', JSON.stringify(ruleFileJsonSchema(), null, 2) + '\n');
writeFileSync('rules/rule-test.schema.json', JSON.stringify(ruleTestJsonSchema(), null, 2) + '\n');
writeFileSync('README.md', withGenerated(withGenerated(readFileSync('README.md', 'utf8'), 'charts', chartTable()), 'rules', ruleTable()));
console.log('wrote rules/schema.json, rules/rule-test.schema.json, README.md (chart and rule tables)');
