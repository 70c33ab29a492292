/**
 * The painter: only lines that changed are written, each at an absolute position (no drift), at most
 * maxFps frames a second with the last frame always painted, a resize repaints everything, and stop()
 * gives the shell its screen back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Painter } from '../../tui/top/painter.js';
import { waitFor } from '../helpers/wait.js';

class Term extends EventEmitter {
  out: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(s: string) {
    this.out.push(s);
    return true;
  }
}

/** The rows a paint wrote: [row number, text]. */
function rowsWritten(s: string): [number, string][] {
  const out: [number, string][] = [];
  const re = /\x1b\[(\d+);1H(.*?)\x1b\[0m\x1b\[K/g;
  let m;
  while ((m = re.exec(s))) out.push([Number(m[1]), m[2]!]);
  return out;
}

test('the first frame paints every row; the next only the rows that changed', () => {
  const term = new Term(40, 4);
  let now = 0;
  const p = new Painter(term, { maxFps: 1000, now: () => (now += 100) });
  p.start();
  assert.match(term.out[0]!, /\x1b\[\?1049h/);
  p.inkStdout.write('a\nb\nc');
  assert.deepEqual(rowsWritten(term.out.at(-1)!), [[1, 'a'], [2, 'b'], [3, 'c'], [4, '']]);
  p.inkStdout.write('a\nB\nc');
  assert.deepEqual(rowsWritten(term.out.at(-1)!), [[2, 'B']]);
  const n = term.out.length;
  p.inkStdout.write('a\nB\nc');
  assert.equal(term.out.length, n, 'an unchanged frame writes nothing');
  // a shorter frame blanks the rows it no longer uses
  p.inkStdout.write('a');
  assert.deepEqual(rowsWritten(term.out.at(-1)!), [[2, ''], [3, '']]);
  p.stop();
  assert.match(term.out.at(-1)!, /\x1b\[\?25h\x1b\[\?1049l/);
});

test('frames faster than maxFps are merged; the last one is always painted', async () => {
  const term = new Term(40, 3);
  const p = new Painter(term, { maxFps: 20 });
  p.start();
  for (let i = 0; i < 50; i++) p.inkStdout.write(`frame ${i}`);
  await waitFor(() => rowsWritten(term.out.join('')).some(([, t]) => t === 'frame 49'), 1000, 'the last frame');
  assert.ok(p.frames <= 3, `${p.frames} paints for 50 frames in one burst`);
  p.stop();
});

test('a resize clears and repaints everything, and tells Ink', () => {
  const term = new Term(40, 3);
  let now = 0;
  const p = new Painter(term, { maxFps: 1000, now: () => (now += 100) });
  let told = 0;
  p.inkStdout.on('resize', () => told++);
  p.start();
  p.inkStdout.write('x\ny');
  term.columns = 30;
  term.emit('resize');
  assert.equal(told, 1);
  assert.equal(p.inkStdout.columns, 30);
  assert.match(term.out.at(-1)!, /\x1b\[2J/);
  p.inkStdout.write('x\ny');
  assert.deepEqual(rowsWritten(term.out.at(-1)!), [[1, 'x'], [2, 'y'], [3, '']]);
  p.stop();
});

test('a frame taller than the terminal keeps its bottom rows (never scrolls)', () => {
  const term = new Term(40, 2);
  let now = 0;
  const p = new Painter(term, { maxFps: 1000, now: () => (now += 100) });
  p.start();
  p.inkStdout.write('1\n2\n3');
  assert.deepEqual(rowsWritten(term.out.at(-1)!), [[1, '2'], [2, '3']]);
  p.stop();
});
