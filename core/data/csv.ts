/** Headerless numeric CSV: one sample per row, the same number of columns in every row. */
import { existsSync, readFileSync } from 'node:fs';

export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export function readCsvMatrix(path: string): Matrix {
  if (!existsSync(path)) throw new Error(`data file not found: ${path} (give a headerless CSV with one sample per row)`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Error(`data file ${path} is empty: expected one sample per row`);
  const cols = lines[0].split(',').length;
  const data = new Float64Array(lines.length * cols);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    if (cells.length !== cols) {
      throw new Error(`${path}:${r + 1}: row has ${cells.length} values but the first row has ${cols}; every sample needs the same number of columns`);
    }
    cells.forEach((cell, c) => {
      const t = cell.trim();
      const v = t === '' ? NaN : Number(t);
      if (!Number.isFinite(v)) {
        const hint = r === 0 ? ' (the file must have no header row)' : '';
        throw new Error(`${path}:${r + 1}: column ${c + 1} is ${JSON.stringify(cell)}, not a finite number${hint}`);
      }
      data[r * cols + c] = v;
    });
  });
  return { data, rows: lines.length, cols };
}
