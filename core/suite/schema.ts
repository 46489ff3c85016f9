/**
 * JSON Schema of suite files, generated from the same zod schema that validates them
 * (core/suite/config.ts), for editor completion and checking of suite YAML/JSON
 * (docs/suites.md). Draft-07: what yaml-language-server and most editors read.
 */
import { z } from '../io/fields.js';
import { suiteShape } from './config.js';

export function suiteJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(suiteShape, { target: 'draft-7', io: 'input' }),
    title: 'gradflat suite',
    description: 'A gradflat suite: one problem, shared starting points, several methods run from each (docs/suites.md).',
  };
}

/** The schema as written to docs/suite.schema.json (and printed by `gradflat schema suite`). */
export function suiteJsonSchemaText(): string {
  return `${JSON.stringify(suiteJsonSchema(), null, 2)}\n`;
}
