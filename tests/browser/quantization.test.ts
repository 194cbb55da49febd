// The explorer's quantization lab: each head's largest change and the predictions' agreement are
// the numbers the Node runtime gets from the same two runs (float32 and int8-rounded weights).
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser, waitForTrace } from './page';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir } from '../../src/lib/runtime/node';
import { attentionDeltas, predictionAgreement } from '../../src/lib/trace/quantization-effect';

const RUN_TIMEOUT = 180_000;
beforeAll(() => configureOrt({ threads: 1 }));

describe('quantization lab', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('int8 on tiny-gpt2: the per-head grid, the size and the agreement equal the runtime’s', async () => {
    const text = 'The old man walked to the river with his dog.';
    const options = { taps: ['probs' as const], predictAll: true, keepLogits: true };
    const fp32 = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' });
    const int8 = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' }, 1, 'wasm', { quantize: 'int8' });
    const a = await fp32.run(text, options);
    const b = await int8.run(text, options);
    const deltas = attentionDeltas(a, b);
    const agreement = predictionAgreement(a, b);
    await fp32.release();
    await int8.release();

    const page = await browser.open(`/#m=tiny-gpt2&t=${encodeURIComponent(text)}`);
    await waitForTrace(page, text);
    await page.click('[data-testid=quant-panel] summary');
    await page.selectOption('[data-control=quant-mode]', 'int8');
    await page.click('[data-testid=quant-run]');
    await page.waitForSelector('[data-testid=quant-agreement]', { timeout: RUN_TIMEOUT });
    const cells = await page.locator('[data-testid=quant-cell]').evaluateAll((els) => els.map((e) => ({ layer: Number(e.getAttribute('data-layer')), head: Number(e.getAttribute('data-head')), max: Number(e.getAttribute('data-max')) })));
    expect(cells).toHaveLength(16);
    for (const c of cells) expect(c.max, `L${c.layer}H${c.head}`).toBeCloseTo(deltas.find((d) => d.layer === c.layer && d.head === c.head)!.max, 5);
    expect(Number(await page.getAttribute('[data-testid=quant-agreement]', 'data-top1'))).toBe(agreement.top1);
    expect(Number(await page.getAttribute('[data-testid=quant-size]', 'data-bytes'))).toBe(b.model.quantization!.bytes);
    // Clicking a head shows its difference; the views' selection follows.
    await page.click('[data-testid=quant-cell][data-layer="2"][data-head="1"]');
    await expect.poll(() => page.getAttribute('[data-testid=quant-diff]', 'data-max'), { timeout: RUN_TIMEOUT }).not.toBeNull();
    expect(Number(await page.getAttribute('[data-testid=quant-diff]', 'data-max'))).toBeCloseTo(deltas.find((d) => d.layer === 2 && d.head === 1)!.max, 5);
    // The views keep the explorer's own trace.
    expect(await page.getAttribute('main', 'data-trace-text')).toBe(text);
    expect(browser.errors).toEqual([]);
  });
});
