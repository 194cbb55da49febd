// Issue 14, point 4 in the page: after "Continue the text", the step control shows each written
// token with the probability the app's runtime gives it in Node (greedy, so the same tokens), and
// puts the views on the query row that chose it; T5's written target steps through cross-attention.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from './page';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir } from '../../src/lib/runtime/node';
import { stepFlops } from '../../src/lib/lessons/cost-of-length';
import { GENERATE_STEPS } from '../../src/lib/components/explorer/explorer-session.svelte';

const RUN_TIMEOUT = 180_000;
beforeAll(() => configureOrt({ threads: 1 }));

describe('generation, step by step', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('GPT-2: each step’s token and probability are the runtime’s; the views follow the step', async () => {
    const text = 'The cat sat on the mat. The dog';
    const runner = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' });
    const expected = await runner.generate(text, { steps: GENERATE_STEPS, sampleTopK: 1, taps: ['probs'] });
    await runner.release();
    const g = expected.generated!;
    const page = await browser.open(`/#m=tiny-gpt2&t=${encodeURIComponent(text)}`);
    await page.waitForFunction((t) => document.querySelector('main')?.getAttribute('data-trace-text') === t, text, { timeout: RUN_TIMEOUT });
    await page.click('[data-testid=generate]');
    await page.waitForSelector('[data-testid=generation-steps]', { timeout: RUN_TIMEOUT });
    expect(await page.getAttribute('[data-testid=generation-steps]', 'data-step')).toBe(String(g.steps.length));
    await page.fill('[data-control=generation-step]', '3');
    const step = g.steps[2];
    await expect.poll(() => page.textContent('[data-testid=step-prob]')).toBe(`${(100 * step.prob).toFixed(1)} %`);
    expect(await page.inputValue('[data-view=qkv] [data-control=query]')).toBe(String(g.from + 2 - 1));
    await page.click('[aria-label="Next step"]');
    await expect.poll(() => page.textContent('[data-testid=step-prob]')).toBe(`${(100 * g.steps[3].prob).toFixed(1)} %`);
    // The KV-cache view follows the step: step 4's query (at from + 2) read from + 3 keys and values.
    const kv = page.locator('[data-view=kvcache] [data-testid=kv-summary]');
    await expect.poll(() => kv.getAttribute('data-positions')).toBe(String(g.from + 3));
    const m = expected.model;
    expect(Number(await kv.getAttribute('data-bytes'))).toBe(2 * m.layers * (m.kvHeads ?? m.heads) * m.headDim * (g.from + 3) * 4);
    expect(await page.getAttribute('[data-view=kvcache] [data-testid=kv-keys]', 'data-rows')).toBe(String(g.from + 3));
    // Its weights are the trace's own: they sum to 1 over the cached keys.
    const weights = await page.locator('[data-view=kvcache] [data-weight]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-weight'))));
    expect(weights).toHaveLength(g.from + 3);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // Next to the bytes: this step's layer work with the cache and recomputing, as stepFlops counts it for the model's shapes.
    const flops = stepFlops(m, g.from + 3)!;
    expect(Number(await page.getAttribute('[data-view=kvcache] [data-testid=kv-flops]', 'data-cached'))).toBe(flops.cached);
    expect(Number(await page.getAttribute('[data-view=kvcache] [data-testid=kv-flops]', 'data-recomputed'))).toBe(flops.recomputed);
    expect(flops.recomputed).toBeGreaterThan(flops.cached);
    // Play runs to the end on its own.
    await page.selectOption('[data-testid=generation-steps] select', '400');
    await page.click('[data-testid=play]');
    await expect.poll(() => page.getAttribute('[data-testid=generation-steps]', 'data-step'), { timeout: 20_000 }).toBe(String(g.steps.length));
  });

  it('T5: the target it wrote steps through cross-attention, one decoder position at a time', async () => {
    const page = await browser.open(`/#m=tiny-t5&t=${encodeURIComponent('reverse: red green blue')}`);
    await page.waitForSelector('[data-testid=generated-target]', { timeout: RUN_TIMEOUT });
    await page.waitForSelector('[data-testid=generation-steps]');
    await page.fill('[data-control=generation-step]', '1');
    await expect.poll(() => page.textContent('[data-testid=generation-step]')).toContain('in cross-attention');
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).toBeTruthy();
    expect(await page.inputValue('[data-view=qkv] [data-control=query]')).toBe('0');
    // The KV-cache view has T5's decoder cache: step 2 (query 1) read 2 positions; cross-attention's keys and values were computed once.
    await page.fill('[data-control=generation-step]', '2');
    const kv = page.locator('[data-view=kvcache] [data-testid=kv-summary]');
    await expect.poll(() => kv.getAttribute('data-positions')).toBe('2');
    const runner = await loadModelDir('static/models/tiny-t5', { id: 'tiny-t5', source: 'embedded' });
    const expected = await runner.run('reverse: red green blue', { steps: GENERATE_STEPS, taps: ['probs'] });
    await runner.release();
    const m = expected.model;
    const cross = page.locator('[data-view=kvcache] [data-testid=kv-cross]');
    expect(await cross.textContent()).toContain('computed once');
    expect(Number(await cross.getAttribute('data-bytes'))).toBe(2 * (m.decoderLayers ?? m.layers) * m.heads * m.headDim * expected.tokens.length * 4);
    expect(Number(await kv.getAttribute('data-bytes'))).toBe(2 * (m.decoderLayers ?? m.layers) * m.heads * m.headDim * 2 * 4);
  });
});
