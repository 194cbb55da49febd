// Issue 14, point 3 in the page: a first visit opens on the most striking head of the model and
// text (computed in Node from the app's own runtime on the same text), the grid carries role
// badges, and the find-a-head list sorts by a role and selects a head on click.
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from './page';
import { configureOrt } from '../../src/lib/runtime/backend';
import { loadModelDir } from '../../src/lib/runtime/node';
import { badgeOf, headRoles, mostStrikingHead, ROLE_DEFINITIONS } from '../../src/lib/trace/head-roles';

const RUN_TIMEOUT = 180_000;
beforeAll(() => configureOrt({ threads: 1 }));

describe('heads that name their role', { timeout: 600_000 }, () => {
  const browser = useBrowser();
  it('opens on the most striking head, badges the grid, and the list selects heads', async () => {
    const page = await browser.open('/');
    await page.waitForFunction(() => !!document.querySelector('main')?.getAttribute('data-trace-text') && !!document.querySelector('[data-view=model] canvas'), null, { timeout: RUN_TIMEOUT });
    const text = (await page.getAttribute('main', 'data-trace-text'))!;
    const model = await page.inputValue('[data-testid=model-select]');
    const runner = await loadModelDir(`static/models/${model}`, { id: model, source: 'embedded' });
    const trace = await runner.run(text, { taps: ['probs'] });
    await runner.release();
    const table = headRoles(trace, 'self')!;
    const best = mostStrikingHead(table)!;
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).toContain(`layer ${best.layer}, head ${best.head}`);
    const badges = table.scores.flatMap((row, l) => row.flatMap((s, h) => (badgeOf(s) ? [`${l}:${h}:${ROLE_DEFINITIONS[badgeOf(s)!].badge}`] : [])));
    expect(badges.length).toBeGreaterThan(0);
    await expect.poll(() => page.getAttribute('[data-view=model] .atlas-model-grid', 'data-badges')).toBe(badges.join(' '));
    // The list, sorted by the previous-token score: its first row is the best previous-token head.
    await page.click('[data-testid=find-a-head] summary');
    await page.click('[data-testid=find-a-head] [data-sort=broad]');
    await page.click('[data-testid=find-a-head] [data-sort=previous]');
    let top = { l: 0, h: 0, v: -1 };
    table.scores.forEach((row, l) => row.forEach((s, h) => (s.previous ?? -1) > top.v && (top = { l, h, v: s.previous ?? -1 })));
    expect(await page.locator('[data-testid=find-a-head] tbody tr').first().getAttribute('data-head')).toBe(`${top.l}:${top.h}`);
    const pick = page.locator('[data-testid=find-a-head] tbody tr').nth(3);
    const [l, h] = (await pick.getAttribute('data-head'))!.split(':');
    await pick.locator('th button').click();
    await expect.poll(() => page.textContent('[data-view=heatmap] header')).toContain(`layer ${l}, head ${h}`);
    // Every score shown is defined in one sentence.
    expect(await page.textContent('[data-testid=find-a-head] .defs')).toContain(ROLE_DEFINITIONS.previous.definition);
    expect(browser.errors).toEqual([]);
  });

  it('tokens read as text (␣cat), and “raw tokens” shows the tokenizer’s own strings (Ġcat) in every view', async () => {
    const page = await browser.open('/#m=tiny-gpt2&t=The%20cat%20sat');
    await page.waitForSelector('[data-view=heatmap] .col-labels text', { timeout: RUN_TIMEOUT });
    // The label's own text node (its <title> child holds the full token for hover).
    const labels = () => page.locator('[data-view=heatmap] .col-labels text').evaluateAll((els) => els.map((e) => e.firstChild?.textContent ?? ''));
    await expect.poll(labels).toEqual(['The', '␣cat', '␣sat']);
    expect(await page.locator('[data-view=head] .atlas-tokens-right .atlas-token').allTextContents()).toEqual(['The', '␣cat', '␣sat']);
    await page.check('[data-control=raw-tokens]');
    await expect.poll(labels).toEqual(['The', 'Ġcat', 'Ġsat']);
    await expect.poll(() => page.locator('[data-view=head] .atlas-tokens-right .atlas-token').allTextContents()).toEqual(['The', 'Ġcat', 'Ġsat']);
  });
});
