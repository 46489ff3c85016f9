import test from 'node:test';
import assert from 'node:assert/strict';
import { maskUrlPasswords } from './secrets.js';

test('URL passwords are masked wherever they appear; URLs without one, and user names, are kept', () => {
  const cases: Array<[string, string]> = [
    ['suite s.yaml --queue redis://:pw@127.0.0.1:6379/2 --out o', 'suite s.yaml --queue redis://:***@127.0.0.1:6379/2 --out o'],
    ['--queue=rediss://bob:p@ss/x@cache:6380', '--queue=rediss://bob:***@cache:6380'],
    ['cannot reach redis://127.0.0.1:6379/0 now', 'cannot reach redis://127.0.0.1:6379/0 now'],
    ['two: redis://:a@h1 and redis://u:b@h2', 'two: redis://:***@h1 and redis://u:***@h2'],
  ];
  for (const [text, masked] of cases) assert.equal(maskUrlPasswords(text), masked, text);
});
