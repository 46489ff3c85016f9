import test from 'node:test';
import assert from 'node:assert/strict';
import { checkChecksumField, sealJson, unsealJson, withChecksumField } from './checksum.js';

test('sealed JSON: the body comes back verbatim; any changed character, a missing seal or a cut text is damaged', () => {
  const body = JSON.stringify({ theta: { $typed: 'Float64Array', base64: 'AAAAAAAA8D8AAAAAAAAAQA==' }, steps: 28 });
  const sealed = sealJson(body);
  assert.deepEqual(unsealJson(sealed), { body });
  assert.doesNotThrow(() => JSON.parse(sealed), 'a sealed text is itself JSON');
  for (let i = 0; i < sealed.length; i++) {
    const c = sealed[i] === 'A' ? 'B' : 'A';
    assert.ok('damaged' in unsealJson(sealed.slice(0, i) + c + sealed.slice(i + 1)), `character ${i} changed`);
  }
  assert.match((unsealJson(body) as { damaged: string }).damaged, /carries no checksum/);
  assert.ok('damaged' in unsealJson(sealed.slice(0, -5)));
});

test('a checksum field: checked and removed on reading; a changed value is damaged; a document without one reads as it is', () => {
  const record = { run: 2, final: { loss: 0.1 + 0.2, class: 'critical' }, theta: [1e-300, -2.5, 'NaN'] };
  const text = withChecksumField(record);
  assert.deepEqual(checkChecksumField(JSON.parse(text)), { value: record, checked: true });
  const edited = JSON.parse(text.replace('-2.5', '-2.6'));
  assert.match(checkChecksumField(edited).damaged!, /does not match its checksum/);
  assert.deepEqual(checkChecksumField(record), { value: record, checked: false });
});
