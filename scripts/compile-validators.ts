/**
 * Compiles the JSON Schemas of the rule file and of a sample into standalone validators (Ajv's
 * `standaloneCode`), written as TypeScript modules beside their schemas. Building the schemas
 * with TypeBox and compiling them with Ajv took ~350 ms of every command's start (`spc backtest`,
 * `spc rules check`, `spc run`); the generated code loads in a few ms. Run after editing
 * src/rules-file/schema.ts or src/samples/schema.ts: `npm run validators` (a unit test fails
 * while the generated files are stale).
 */
import { writeFileSync } from 'node:fs';
import { generatedValidators } from '../src/rules-file/validator-source.js';

for (const { file, source } of generatedValidators()) {
  writeFileSync(file, source);
  console.log(`wrote ${file}`);
}
