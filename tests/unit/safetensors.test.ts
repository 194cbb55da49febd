import { describe, expect, it } from 'vitest';
import { parseSafetensors, readFloat32, writeSafetensors } from '../../src/lib/hub/safetensors';
import { AtlasError } from '../../src/lib/errors';

function withHeader(header: unknown, dataBytes = 0, lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AtlasError);
    return (e as AtlasError).message;
  }
  throw new Error('expected an error');
};

describe('safetensors reader', () => {
  it('round-trips float32 tensors written by writeSafetensors, as aligned views', () => {
    const a = Float32Array.from([1, -2, 3.5, 4, 5, 6]);
    const b = Float32Array.from([0.25]);
    const file = parseSafetensors(writeSafetensors([
      { name: 'a', dtype: 'F32', shape: [2, 3], data: a },
      { name: 'b.weight', dtype: 'F32', shape: [1], data: b },
    ]));
    expect([...file.tensors.keys()]).toEqual(['a', 'b.weight']);
    const got = readFloat32(file, file.tensors.get('a')!);
    expect(Array.from(got)).toEqual(Array.from(a));
    expect(got.buffer).toBe(file.bytes.buffer); // no copy
    expect(file.tensors.get('a')!.shape).toEqual([2, 3]);
  });

  it('converts F16 and BF16 to float32 exactly', () => {
    // 1.0, -2.0, 0.5, 65504 (max half), smallest subnormal 2^-24
    const half = Uint16Array.from([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001]);
    const file = parseSafetensors(writeSafetensors([{ name: 'h', dtype: 'F16', shape: [5], data: half }]));
    expect(Array.from(readFloat32(file, file.tensors.get('h')!))).toEqual([1, -2, 0.5, 65504, 2 ** -24]);
    // BF16 is the top half of a float32: 1.0 = 0x3f80, -3.0 = 0xc040
    const bf = withHeader({ x: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }, 4);
    const view = new DataView(bf.buffer);
    view.setUint16(bf.length - 4, 0x3f80, true);
    view.setUint16(bf.length - 2, 0xc040, true);
    const f = parseSafetensors(bf);
    expect(Array.from(readFloat32(f, f.tensors.get('x')!))).toEqual([1, -3]);
  });

  it('rejects a header length beyond the file before allocating', () => {
    expect(message(() => parseSafetensors(withHeader({}, 0, 2n ** 53n)))).toMatch(/header claims 9007199254740992 bytes/);
    expect(message(() => parseSafetensors(new Uint8Array(5)))).toMatch(/fewer than the 8-byte header/);
  });

  it('rejects offsets past the end, overlaps, wrong sizes and unknown dtypes', () => {
    expect(message(() => parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8)))).toMatch(/outside the 8 data bytes/);
    expect(
      message(() =>
        parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12)),
      ),
    ).toMatch(/overlap/);
    expect(message(() => parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8)))).toMatch(/shape \[3\] of F32 \(12 bytes\) but spans 8/);
    expect(message(() => parseSafetensors(withHeader({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1)))).toMatch(/unknown dtype "Q4"/);
    expect(message(() => parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4)))).toMatch(/invalid shape/);
    expect(message(() => parseSafetensors(withHeader([1, 2])))).toMatch(/not a JSON object/);
  });

  it('rejects a header that is not UTF-8 JSON', () => {
    const bad = new Uint8Array(8 + 4);
    new DataView(bad.buffer).setBigUint64(0, 4n, true);
    bad.set([0xff, 0xfe, 0x7b, 0x7d], 8);
    expect(message(() => parseSafetensors(bad))).toMatch(/not UTF-8 JSON/);
  });
});
