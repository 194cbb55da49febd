// Issue 19, items 3 and 13: a shared link is input from a stranger. Its tz= text is
// inflated as a stream and refused past a cap (a 87 kB link held 64 MiB of "a" and took
// a tab to 10 GB), and every part of the link that is refused or reset is reported.
import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { decodeState, decodeStateChecked, defaultState, LINK_TEXT_LIMIT_BYTES } from '../../src/lib/state/view-state';

const bombOf = (bytes: number) => deflateRawSync(Buffer.alloc(bytes, 'a'), { level: 9 }).toString('base64url');

describe('link state limits', () => {
  it('refuses a tz= that inflates past the cap, within a second and without inflating it all', async () => {
    const fallback = { ...defaultState('tiny-gpt2'), text: 'my previous text' };
    const bomb = bombOf(64 * 2 ** 20);
    expect(bomb.length).toBeLessThan(120_000);
    const before = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const s = await decodeState(`#m=tiny-bert&tz=${bomb}`, fallback);
    const ms = performance.now() - t0;
    const grew = process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed - before;
    expect(s.text).toBe('my previous text');
    // The rest of the link still counts.
    expect(s.model).toBe('tiny-bert');
    expect(ms).toBeLessThan(1000);
    // 64 MiB inflated would be 64 MB of bytes and 128 MB as a string.
    expect(grew).toBeLessThan(32e6);
    console.log(`64 MiB link bomb refused in ${ms.toFixed(0)} ms, memory grew ${(grew / 1e6).toFixed(1)} MB`);
  });

  it('says why, names the cap, and lists the parameter to drop from the URL', async () => {
    const r = await decodeStateChecked(`#m=tiny-gpt2&tz=${bombOf(LINK_TEXT_LIMIT_BYTES + 10)}&l=1`, defaultState('tiny-gpt2'));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/over 1 MB/);
    expect(r.drop).toEqual(['tz']);
    expect(r.state.layer).toBe(1);
  });

  it('takes a text just under the cap', async () => {
    const text = 'b'.repeat(LINK_TEXT_LIMIT_BYTES);
    const tz = deflateRawSync(Buffer.from(text)).toString('base64url');
    const r = await decodeStateChecked(`#tz=${tz}`, defaultState('tiny-gpt2'));
    expect(r.problems).toEqual([]);
    expect(r.state.text).toBe(text);
  });

  it('reports a damaged tz= and malformed numbers instead of resetting them silently', async () => {
    const r = await decodeStateChecked('#m=tiny-gpt2&tz=%%%&l=-1&h=abc', { ...defaultState('tiny-gpt2'), text: 'kept' });
    expect(r.state.text).toBe('kept');
    expect(r.drop).toEqual(expect.arrayContaining(['tz', 'l', 'h']));
    expect(r.problems.join(' ')).toMatch(/damaged/);
    expect(r.problems.join(' ')).toMatch(/layer/);
  });
});
