/**
 * IDX files (LeCun's MNIST format): a 4-byte magic number 0x0000TTDD — two zero bytes, the
 * element type TT (0x08: unsigned byte, the only one MNIST uses) and the number of dimensions
 * DD — then DD big-endian 32-bit sizes, then the data. Every size is checked against the file,
 * so a truncated or foreign file fails with a message rather than reading garbage.
 */
import { readFileSync } from 'node:fs';

export interface IdxArray {
  /** Sizes, e.g. [60000, 28, 28] for images, [60000] for labels. */
  shape: number[];
  data: Uint8Array;
}

export function parseIdx(bytes: Uint8Array, what = 'IDX data'): IdxArray {
  if (bytes.length < 4) throw new Error(`${what}: ${bytes.length} bytes is too short for an IDX header (4-byte magic number)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${what}: not an IDX file (the magic number must start with two zero bytes, got 0x${hex(bytes[0])}${hex(bytes[1])}); is it still gzip-compressed?`);
  if (bytes[2] !== 0x08) throw new Error(`${what}: element type 0x${hex(bytes[2])} is not supported (MNIST files use 0x08, unsigned bytes)`);
  const dims = bytes[3];
  if (dims < 1 || dims > 4) throw new Error(`${what}: ${dims} dimensions in the magic number; expected 1 to 4`);
  const headerLength = 4 + 4 * dims;
  if (bytes.length < headerLength) throw new Error(`${what}: truncated header (${bytes.length} bytes, need ${headerLength} for ${dims} sizes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerLength + count) {
    throw new Error(`${what}: header says ${shape.join('×')} = ${count} values, but the file holds ${bytes.length - headerLength} after the header (truncated or corrupt)`);
  }
  return { shape, data: bytes.subarray(headerLength) };
}

export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot read IDX file ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseIdx(bytes, path);
}

const hex = (b: number | undefined) => (b ?? 0).toString(16).padStart(2, '0');
