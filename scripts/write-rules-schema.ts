/** Regenerates rules/schema.json and rules/rule-test.schema.json (run: npm run schema). */
import { writeFileSync } from 'node:fs';
import { ruleFileJsonSchema, ruleTestJsonSchema } from '../src/rules-file/json-schemas.js';

writeFileSync('rules/schema.json', JSON.stringify(ruleFileJsonSchema(), null, 2) + '\n');
writeFileSync('rules/rule-test.schema.json', JSON.stringify(ruleTestJsonSchema(), null, 2) + '\n');
console.log('wrote rules/schema.json, rules/rule-test.schema.json');
