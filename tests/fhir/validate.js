// Validates a FHIR R4 JSON document (a Bundle, from a file or stdin) with two
// validators nobody on this project wrote:
//   @asymmetrik/fhir-json-schema-validator: the official R4 JSON schema;
//   fhir (FHIR.js): the core structure definitions.
// Prints each problem found, "ok" when there is none; exit status 0 or 1.
'use strict';

const fs = require('fs');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
const { Fhir } = require('fhir');

const text = fs.readFileSync(process.argv[2] || 0, 'utf8');
const bundle = JSON.parse(text);
const problems = [];

const schema = new JSONSchemaValidator();
// Each resource on its own first: those messages name the resource.
for (const [i, entry] of (bundle.entry || []).entries()) {
  for (const e of schema.validate(entry.resource)) {
    problems.push(`json-schema: entry[${i}] ${entry.resource.resourceType}${e.dataPath || ''}: ${e.message}`);
  }
}
// Then the Bundle as a whole; its messages are many and vague, so only a few.
const bundleErrors = schema.validate(bundle, true);
if (bundleErrors.length > 0) {
  const distinct = [...new Set(bundleErrors.map((e) => `${e.dataPath || ''}: ${e.message}`))];
  problems.push(`json-schema: the Bundle does not match the R4 schema (${bundleErrors.length} errors), e.g.`);
  for (const m of distinct.slice(0, 5)) problems.push(`  ${m}`);
}

const fhir = new Fhir();
const result = fhir.validate(bundle, { errorOnUnexpected: true });
for (const m of result.messages || []) {
  if (m.severity === 'error' || m.severity === 'warning') {
    problems.push(`fhir.js ${m.severity}: ${m.location}: ${m.message}`);
  }
}
if (!result.valid && problems.length === 0) {
  problems.push('fhir.js: invalid');
}

for (const p of problems) console.log(p);
if (problems.length === 0) console.log('ok');
process.exit(problems.length === 0 ? 0 : 1);
