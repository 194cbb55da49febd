// The explorer's analyses on the embedded models. Ablation (tiny-gpt2, tiny-t5): the KL and
// predictions it shows are those of the app's runtime in Node with the same heads ablated (WASM
// both sides), the grid marks the ablated heads when the ablated run is shown, and a new text
// clears the result. Logit lens: off until asked; then every cell is the runtime's own reading.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './page';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir } from '../../src/lib/runtime/node';
import { predictionShift } from '../../src/lib/trace/ablation-effect';
import { pairChanges, pairDifference } from '../../src/lib/trace/minimal-pair';
import type { Ablation } from '../../src/lib/graph/taps';

const RUN_TIMEOUT = 180_000;
const TEXT = 'The cat sat on the mat. The cat sat on the';

async function waitForTrace(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => document.querySelector('main')?.getAttribute('data-trace-text') === t && !!document.querySelector('[data-view=model] canvas'), text, { timeout: RUN_TIMEOUT });
}

beforeAll(() => configureOrt({ threads: 1 }));

describe('ablation in the explorer', { timeout: 600_000 }, () => {
  const browser = useBrowser();

  it('ablates the selected heads and shows what changed, from the model’s own runs', async () => {
    const ablation: Ablation = { heads: [{ kind: 'self', layer: 2, head: 2 }, { kind: 'self', layer: 2, head: 0 }], mode: 'mean' };
    const runner = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' });
    const plain = await runner.run(TEXT, { keepLogits: true, taps: ['probs'] });
    const ablated = await runner.run(TEXT, { keepLogits: true, taps: ['probs'], ablation });
    await runner.release();
    const expected = predictionShift(plain, ablated)[0];

    const page = await browser.open('/#m=tiny-gpt2&t=' + encodeURIComponent(TEXT) + '&l=2&h=2&hs=0,2');
    await waitForTrace(page, TEXT);
    await page.locator('[data-testid=ablation] summary').click();
    expect(await page.textContent('[data-testid=ablation-heads]')).toBe('L2 H0, L2 H2');
    await page.selectOption('[data-control=ablation-mode]', 'mean');
    await page.click('[data-testid=ablate]');
    const result = page.locator('[data-testid=ablation-result]');
    await result.waitFor({ timeout: RUN_TIMEOUT });
    expect(Number(await result.getAttribute('data-kl'))).toBeCloseTo(expected.kl, 5);
    const after = await page.locator('[data-testid=ablation-after] li').allTextContents();
    const top = ablated.predictions![0].candidates[0];
    expect(after[0]).toContain(`${(top.prob * 100).toFixed(1)}%`);
    // Only later layers can change, and the ablated heads are not listed.
    const changed = await page.locator('[data-testid=ablation-changes] li').allTextContents();
    expect(changed.length).toBeGreaterThan(0);
    for (const c of changed) expect(c).toMatch(/^L3 H\d: /);
    expect(await page.textContent('[data-testid=ablation]')).toContain('What it does not tell you');

    // The ablated run in the views: its heads are crossed out and said to be ablated.
    await page.check('[data-control=show-ablated]');
    await expect.poll(() => page.locator('.atlas-model-grid').getAttribute('data-ablated'), { timeout: 15_000 }).toBe('2:0 2:2');
    expect(await page.textContent('[data-view=model] [data-notice=ablated]')).toContain('L2 H0, L2 H2');

    // A new text: the comparison is of the old one, so it goes.
    await page.fill('[data-testid=text-input]', 'One two three');
    await waitForTrace(page, 'One two three');
    expect(await result.count()).toBe(0);
    expect(await page.locator('.atlas-model-grid').getAttribute('data-ablated')).toBe('');
    expect(browser.errors).toEqual([]);
  });

  it('the logit lens is computed when asked, and shows the model’s own readings', async () => {
    const runner = await loadModelDir('static/models/tiny-llama', { id: 'tiny-llama', source: 'embedded' });
    const text = 'Once upon a time there was';
    const expected = (await runner.run(text, { taps: ['probs'], logitLens: true })).logitLens!;
    await runner.release();
    const page = await browser.open('/#m=tiny-llama&t=' + encodeURIComponent(text));
    await waitForTrace(page, text);
    expect(await page.locator('[data-view=lens]').count()).toBe(0);
    await page.check('[data-control=logit-lens]');
    await page.waitForSelector('[data-view=lens] table', { timeout: RUN_TIMEOUT });
    const [streams, positions] = expected.probs.shape;
    expect(await page.locator('[data-view=lens] tbody tr').count()).toBe(streams);
    for (const [l, p] of [[0, 0], [2, 3], [streams - 1, positions - 1]]) {
      const cell = page.locator(`[data-view=lens] td[data-stream="${l}"][data-position="${p}"]`);
      expect(Number(await cell.getAttribute('data-prob'))).toBeCloseTo(expected.probs.data[(l * positions + p) * 10], 4);
      expect(await cell.getAttribute('title')).toContain(`ranked ${expected.rank.data[l * positions + p] + 1} here`);
    }
    // The output row is the model's prediction everywhere: every cell outlined.
    expect(await page.locator(`[data-view=lens] td.final[data-stream="${streams - 1}"]`).count()).toBe(positions);
    expect(browser.errors).toEqual([]);
  });

  it('compare, one model on two texts: the heads listed and the difference drawn are those of the model’s own runs', async () => {
    const [textA, textB] = ['The keys to the cabinet are', 'The key to the cabinet is'];
    const runner = await loadModelDir('static/models/tiny-gpt2', { id: 'tiny-gpt2', source: 'embedded' });
    const a = await runner.run(textA, { taps: ['probs', 'scores'] });
    const b = await runner.run(textB, { taps: ['probs', 'scores'] });
    await runner.release();
    const expected = pairChanges(a, b);
    const page = await browser.open('/compare/');
    await page.check('[data-testid=mode-pair]');
    await page.waitForSelector('[data-testid=pair-difference]', { timeout: RUN_TIMEOUT });
    const listed = await page.locator('[data-testid=pair-changes] li').allTextContents();
    expect(listed[0]).toContain(`L${expected[0].layer} H${expected[0].head} ${expected[0].change.toFixed(4)}`);
    // Pick the third head: its difference is drawn cell by cell.
    const third = expected[2];
    await page.click(`[data-testid=pair-changes] button[data-layer="${third.layer}"][data-head="${third.head}"]`);
    await expect.poll(() => page.textContent('[data-testid=minimal-pair] h3:has-text("weight in A")'), { timeout: 15_000 }).toContain(`Layer ${third.layer}, head ${third.head}`);
    const d = pairDifference(a, b, 'self', third.layer, third.head);
    const drawn = await page.locator('[data-testid=pair-difference] rect').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-value'))));
    expect(drawn.length).toBe(d.values.length);
    drawn.forEach((x, i) => (Number.isNaN(d.values[i]) ? expect(Number.isNaN(x)).toBe(true) : expect(x).toBeCloseTo(d.values[i], 4)));
    // Editing a text runs both again.
    await page.fill('[data-testid=pair-text-1]', 'The keys to the cabinets are');
    await expect.poll(() => page.locator('[data-testid=pair-changes] li').first().textContent(), { timeout: RUN_TIMEOUT }).not.toBe(listed[0]);
    expect(browser.errors).toEqual([]);
  });

  it('T5: ablates a cross-attention head, teacher-forced on the target it wrote', async () => {
    const page = await browser.open('/#m=tiny-t5&t=' + encodeURIComponent('reverse: apple house green') + '&k=cross&l=1&h=0');
    await page.waitForSelector('[data-testid=generated-target]', { timeout: RUN_TIMEOUT });
    await page.locator('[data-testid=ablation] summary').click();
    expect(await page.textContent('[data-testid=ablation-heads]')).toBe('cross L1 H0');
    await page.click('[data-testid=ablate]');
    const result = page.locator('[data-testid=ablation-result]');
    await result.waitFor({ timeout: RUN_TIMEOUT });
    expect(Number(await result.getAttribute('data-kl'))).toBeGreaterThanOrEqual(0);
    expect(await page.locator('[data-testid=ablation-before] li').count()).toBe(5);
    expect(browser.errors).toEqual([]);
  });
});
