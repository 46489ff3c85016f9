/** Headerless numeric CSV: one sample per row, the same number of columns in every row. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { UsageError } from '../io/errors.js';

// A plain decimal number (optionally with an exponent): Number() would also take 0x10, 0b101,
// 0o7 and 'Infinity', which are not data a CSV writer produces.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export function readCsvMatrix(path: string): Matrix {
  if (!existsSync(path)) throw new UsageError(`data file not found: ${path} (give a headerless CSV with one sample per row)`);
  if (statSync(path).isDirectory()) throw new UsageError(`data file ${path} is a directory, give a CSV file (headerless, one sample per row)`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UsageError(`data file ${path} is empty: expected one sample per row`);
  const cols = lines[0].split(',').length;
  const data = new Float64Array(lines.length * cols);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    if (cells.length !== cols) {
      throw new UsageError(`${path}:${r + 1}: row has ${cells.length} values but the first row has ${cols}; every sample needs the same number of columns`);
    }
    cells.forEach((cell, c) => {
      const t = cell.trim();
      const v = DECIMAL.test(t) ? Number(t) : NaN;
      if (!Number.isFinite(v)) {
        const hint = r === 0 ? ' (the file must have no header row)' : '';
        throw new UsageError(`${path}:${r + 1}: column ${c + 1} is ${JSON.stringify(cell)}, not a finite number${hint}`);
      }
      data[r * cols + c] = v;
    });
  });
  return { data, rows: lines.length, cols };
}
