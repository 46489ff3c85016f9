import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { suiteJsonSchema, suiteJsonSchemaText } from './schema.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

test('docs/suite.schema.json is the schema gradflat validates suites with (regenerate: gradflat schema suite > docs/suite.schema.json)', () => {
  assert.equal(readFileSync(root('docs/suite.schema.json'), 'utf8'), suiteJsonSchemaText());
});

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; additionalProperties?: unknown; enum?: unknown[] };

// A small structural check (no JSON Schema validator is installed): every key of every shipped
// suite is a property the schema declares, required keys are present, enums hold.
function conforms(v: unknown, s: Schema, path: string): string[] {
  if (s.enum) return s.enum.includes(v) ? [] : [`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`];
  if (s.type === 'array') return Array.isArray(v) ? v.flatMap((x, i) => conforms(x, s.items ?? {}, `${path}[${i}]`)) : [`${path}: not a list`];
  if (s.type !== 'object' || !s.properties) return [];
  if (!v || typeof v !== 'object') return [`${path}: not an object`];
  const o = v as Record<string, unknown>;
  return [
    ...(s.required ?? []).filter((k) => !(k in o)).map((k) => `${path}.${k}: missing`),
    ...Object.entries(o).flatMap(([k, x]) => (s.properties![k] ? conforms(x, s.properties![k], `${path}.${k}`) : s.additionalProperties === false ? [`${path}.${k}: not in the schema`] : [])),
  ];
}

test('every suite in suites/ carries the editor comment and conforms to the schema; the schema refuses unknown keys', () => {
  const schema = suiteJsonSchema() as Schema;
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual([...(schema.required ?? [])].sort(), ['iterations', 'problem', 'seed', 'starts', 'steppers']);
  const files = readdirSync(root('suites')).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = readFileSync(root(`suites/${f}`), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/docs\/suite\.schema\.json\n/, f);
    assert.deepEqual(conforms(parseYaml(text), schema, f), []);
  }
  assert.deepEqual(conforms({ problem: { name: 'quartic', seed: 1 }, seed: 1, starts: { count: 1 }, steppers: [], iterations: 1, iteratons: 2 }, schema, 's'), ['s.iteratons: not in the schema']);
});
