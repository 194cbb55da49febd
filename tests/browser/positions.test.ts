// The position views on the embedded models: the /positions/ lesson page shows all three kinds
// (learned vectors, T5's bias, RoPE) for one text, and its learned-position sentence quotes the
// numbers the app's runtime computes in Node for the same text; the Q/K/V view's RoPE step
// checks its rotation against the model's own post-RoPE taps.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from './page';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir } from '../../src/lib/runtime/node';
import { learnedPositions } from '../../src/lib/trace/positions';
import { interpolateSinebow, rgb } from 'd3';

const RUN_TIMEOUT = 180_000;
const TEXT = 'The cat sat on the mat, and then the cat sat on the mat again.';

beforeAll(() => configureOrt({ threads: 1 }));

describe('position information in the page', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('/positions/ draws learned vectors, relative bias and RoPE for one text, with the runtime’s numbers', async () => {
    const runner = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' });
    const expected = learnedPositions(await runner.run(TEXT, { positionEmbedding: true }))!;
    await runner.release();

    const page = await browser.open('/positions/');
    for (const figure of ['position-similarity', 'position-norms', 'bias-encoder', 'bias-decoder', 'rope-curve'])
      await page.waitForSelector(`[data-figure="${figure}"]`, { timeout: RUN_TIMEOUT });
    const summary = (await page.textContent('[data-testid=learned-summary]'))!.replace(/\s+/g, ' ');
    expect(summary).toContain(`mean cosine similarity of ${expected.byGap[0].toFixed(2)}`);
    expect(summary).toContain(`median ${(100 * expected.medianShare).toFixed(0)} %`);
    // The similarity canvas is drawn (not blank): many distinct colours.
    const colours = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-figure="position-similarity"]')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(50);
    expect(await page.textContent('[data-testid=rope-summary]')).toMatch(/the model’s own score there/);
  });

  it('the Q/K/V view of a RoPE model rotates the query by its position and matches the model’s own q and k', async () => {
    const runner = await loadModelDir('static/models/tiny-llama', { id: 'tiny-llama', source: 'embedded' });
    const freqs = runner.info.ropeFrequencies!;
    await runner.release();
    const page = await browser.open('/#m=tiny-llama&t=' + encodeURIComponent(TEXT) + '&q=6');
    const step = page.locator('[data-testid=rope-step]');
    await step.waitFor({ timeout: RUN_TIMEOUT });
    await expect.poll(async () => (await step.textContent())?.includes('At position 6'), { timeout: RUN_TIMEOUT }).toBe(true);
    expect(await step.locator('[data-check]').getAttribute('data-check')).toBe('ok');
    expect((await step.textContent())!.replace(/\s+/g, ' ')).toContain(`the first pair by ${(6 * freqs[0]).toFixed(3)} rad`);
    // The angle chart: pixel (pair i, position p) is the cyclic colour of θ_i·p, from the model's own frequencies.
    const angles = page.locator('[data-view=position] [data-figure=rope-angles]');
    await angles.waitFor();
    const n = Number(await angles.getAttribute('data-positions'));
    for (const [i, p] of [[0, 1], [0, n - 1], [freqs.length - 1, n - 1], [3, 5]]) {
      const px = await angles.evaluate((c, [i, p, n]) => {
        const cv = c as HTMLCanvasElement;
        const k = cv.width / 300;
        return Array.from(cv.getContext('2d')!.getImageData(Math.floor(((p + 0.5) * 300 * k) / n), Math.floor((i + 0.5) * 6 * k), 1, 1).data.slice(0, 3));
      }, [i, p, n]);
      const want = rgb(interpolateSinebow((((freqs[i] * p) / (2 * Math.PI)) % 1 + 1) % 1));
      expect(Math.max(Math.abs(px[0] - want.r), Math.abs(px[1] - want.g), Math.abs(px[2] - want.b)), `pair ${i}, position ${p}`).toBeLessThan(6);
    }
    // Models without RoPE have no such step.
    const gpt2 = await browser.open('/#m=tiny-gpt2&t=' + encodeURIComponent(TEXT));
    await gpt2.waitForSelector('[data-view=qkv] canvas', { timeout: RUN_TIMEOUT });
    expect(await gpt2.locator('[data-testid=rope-step]').count()).toBe(0);
  });
});
