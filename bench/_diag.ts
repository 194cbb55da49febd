import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../tests/browser/chromium';
import { startStaticServer } from '../tests/browser/static-server';
import { syntheticTrace } from '../tests/fixtures/synthetic-trace';
import { traceToJSONString } from '../src/lib/trace/json';
const dir = mkdtempSync(join(tmpdir(), 'diag-'));
const p = join(dir, 't.json');
writeFileSync(p, traceToJSONString(syntheticTrace({ family: 'gpt2', layers: 12, heads: 12, headDim: 16, tokens: 128 })));
const server = await startStaticServer('build');
const browser = await launchChromium();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(server.url + '/view/');
await page.setInputFiles('input[data-testid="trace-file"]', p);
await page.waitForSelector('[data-testid="trace-summary"]');
await page.waitForTimeout(1500);
const client = await page.context().newCDPSession(page);
await client.send('Profiler.enable');
await client.send('Profiler.setSamplingInterval', { interval: 100 });
await client.send('Profiler.start');
const r = await page.evaluate(async () => {
  const out: number[][] = [];
  const tokens = [...document.querySelectorAll('[data-view="head"] .atlas-tokens-left .atlas-token')];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    tokens[i * 7].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    const t1 = performance.now();
    await Promise.resolve(); await Promise.resolve();
    const t2 = performance.now();
    document.body.offsetHeight; // force style+layout
    const t3 = performance.now();
    out.push([t1 - t0, t2 - t1, t3 - t2]);
    await new Promise((r) => setTimeout(r, 50));
  }
  const sel = document.querySelector('[data-view="model"] select') as HTMLSelectElement;
  for (let i = 0; i < 4; i++) { sel.selectedIndex = 0; sel.dispatchEvent(new Event('change')); await new Promise((r) => setTimeout(r, 50)); out.push([Number(document.querySelector('.atlas-model-grid')!.getAttribute('data-draw-ms'))]); sel.selectedIndex = 1; sel.dispatchEvent(new Event('change')); await new Promise((r) => setTimeout(r, 50));out.push([Number(document.querySelector('.atlas-model-grid')!.getAttribute('data-draw-ms'))]); }
  const log = document.querySelector('[data-view="heatmap"] input[data-control="log"]') as HTMLInputElement;
  for (let i = 0; i < 6; i++) { log.checked = !log.checked; log.dispatchEvent(new Event('change')); await new Promise((r) => setTimeout(r, 50)); out.push([-1, Number(document.querySelector('.atlas-heatmap')!.getAttribute('data-draw-ms'))]); }
  return out;
});
const { profile } = await client.send('Profiler.stop');
console.log(JSON.stringify(r));
// self time per function
const self = new Map<string, number>();
const dt = profile.timeDeltas!; const samples = profile.samples!;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
for (let i = 0; i < samples.length; i++) { const n = byId.get(samples[i])!; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000); }
console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(1)}ms ${k}`).join('\n'));
await browser.close(); await server.close();
