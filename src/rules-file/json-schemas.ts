import { RuleTestFileSchema } from './rule-test.js';
import { RuleFileSchema } from './schema.js';

function forEditors(id: string, title: string, schema: object): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: `https://spc-guard.dev/schema/${id}`, title, ...JSON.parse(JSON.stringify(schema)) };
}

/** rules/schema.json: what yaml-language-server uses to complete and check rule files. */
export const ruleFileJsonSchema = () => forEditors('rules-v1.json', 'spc-guard rule file, version 1', RuleFileSchema);

/** rules/rule-test.schema.json: the same for rule tests (*.test.yaml). */
export const ruleTestJsonSchema = () => forEditors('rule-test-v1.json', 'spc-guard rule-file test', RuleTestFileSchema);
