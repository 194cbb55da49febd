// Issue 19, item 13: a zero-length tensor shares its offset with another without overlapping
// it (it holds no bytes); a real overlap past the neighbour is still refused.
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../src/lib/hub/safetensors';
import { AtlasError } from '../../src/lib/errors';

function withHeader(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

describe('safetensors zero-length tensors', () => {
  it('a [0]-shaped tensor at the offset of another is read, not refused as an overlap', () => {
    for (const at of [0, 4, 8]) {
      const file = parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, empty: { dtype: 'F32', shape: [0], data_offsets: [at, at] } }, 8));
      expect(file.tensors.get('empty')!.shape).toEqual([0]);
      expect(file.tensors.get('a')!.end - file.tensors.get('a')!.begin).toBe(8);
    }
  });

  it('an overlap with a tensor two places back is still refused', () => {
    let error: unknown;
    try {
      parseSafetensors(
        withHeader({ big: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, small: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, inner: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 16),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AtlasError);
    expect((error as AtlasError).message).toMatch(/"big" and "small" overlap/);
  });
});
