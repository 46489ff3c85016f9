import test from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { finishedLine, formatDuration, progressMode, setProgressPreference, terminalProgress } from './progress.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }), { isTTY });
  return { stream, text: () => chunks.join('') };
}

test('not on a terminal: one line per finished run with done/total and an ETA; the live line is not drawn', () => {
  const { stream, text } = capture(false);
  const p = terminalProgress(stream, 'lines');
  p.update('run 1/3 step 4');
  p.runFinished!(0, 3, 'newton-mr runs');
  p.runFinished!(1, 3, 'newton-mr runs');
  p.runFinished!(3, 3, 'newton-mr runs');
  p.done();
  const lines = text().trim().split('\n');
  assert.ok(!text().includes('\r') && !text().includes('step 4'));
  assert.match(lines[0], /newton-mr runs 1\/3 done, .* elapsed, ETA /);
  assert.match(lines[lines.length - 1], /newton-mr runs 3\/3 done/);
  assert.doesNotMatch(lines[lines.length - 1], /ETA/);
});

test('on a terminal the live line is drawn and no per-run lines; quiet prints nothing', () => {
  const live = capture(true);
  const p = terminalProgress(live.stream, 'live');
  p.update('run 1/3 step 4');
  p.runFinished!(1, 3);
  assert.match(live.text(), /\r.*run 1\/3 step 4/);
  assert.doesNotMatch(live.text(), /done/);
  const quiet = capture(false);
  const q = terminalProgress(quiet.stream, 'quiet');
  q.update('x');
  q.runFinished!(1, 1);
  q.done('y');
  assert.equal(quiet.text(), '');
});

test('mode: --quiet silences; CI=true is quiet unless --progress; otherwise TTY → live, else lines', () => {
  try {
    assert.equal(progressMode({ isTTY: false }, {}), 'lines');
    assert.equal(progressMode({ isTTY: true }, {}), 'live');
    assert.equal(progressMode({ isTTY: false }, { CI: 'true' }), 'quiet');
    assert.equal(progressMode({ isTTY: false }, { CI: 'false' }), 'lines');
    setProgressPreference({ force: true });
    assert.equal(progressMode({ isTTY: false }, { CI: 'true' }), 'lines');
    setProgressPreference({ quiet: true });
    assert.equal(progressMode({ isTTY: true }, {}), 'quiet');
  } finally {
    setProgressPreference({});
  }
});

test('durations and the ETA: elapsed / done × remaining', () => {
  assert.equal(formatDuration(5), '5s');
  assert.equal(formatDuration(75), '1m15s');
  assert.equal(formatDuration(3725), '1h02m');
  assert.match(finishedLine(1, 4, 10), /1\/4 done, 10s elapsed, ETA 30s/);
});
