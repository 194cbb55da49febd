// Node-side handle on the benchmark page (bench/page/main.ts): typed calls into
// window.atlasBench, and memory read through the Chrome DevTools Protocol.

import type { CDPSession, Page } from 'playwright-core';
import type { BenchLoad, BenchRun, BenchRunResult } from '../page/main';

type Api = {
  load(l: BenchLoad): Promise<{ key: string; ms: number; backend: string; parameters: number }>;
  run(r: BenchRun): Promise<BenchRunResult>;
  show(): void;
  hide(): void;
  drop(): void;
  unload(key: string): Promise<void>;
  memory(): Promise<{ bytes: number; byScope: Record<string, number> }>;
};

export class BenchPage {
  private constructor(
    readonly page: Page,
    private readonly cdp: CDPSession,
  ) {}

  static async open(page: Page, url: string): Promise<BenchPage> {
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    return new BenchPage(page, cdp);
  }

  load(l: BenchLoad) {
    return this.page.evaluate((l) => (window as unknown as { atlasBench: Api }).atlasBench.load(l), l);
  }

  run(r: BenchRun, timeoutMs: number): Promise<BenchRunResult> {
    const call = this.page.evaluate((r) => (window as unknown as { atlasBench: Api }).atlasBench.run(r), r);
    return Promise.race([call, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`run took over ${timeoutMs} ms`)), timeoutMs))]);
  }

  show() {
    return this.page.evaluate(() => (window as unknown as { atlasBench: Api }).atlasBench.show());
  }

  drop() {
    return this.page.evaluate(() => (window as unknown as { atlasBench: Api }).atlasBench.drop());
  }

  unload(key: string) {
    return this.page.evaluate((k) => (window as unknown as { atlasBench: Api }).atlasBench.unload(k), key);
  }

  async gc(): Promise<void> {
    await this.cdp.send('HeapProfiler.collectGarbage');
  }

  /** measureUserAgentSpecificMemory after a GC: the page's Window scope and all scopes (page + workers), bytes. */
  async memory(): Promise<{ window: number; all: number; byScope: Record<string, number> }> {
    await this.gc();
    const m = await this.page.evaluate(() => (window as unknown as { atlasBench: Api }).atlasBench.memory());
    return { window: m.byScope['Window'] ?? 0, all: m.bytes, byScope: m.byScope };
  }

  /** V8 heap in use (JSHeapUsedSize), after a GC, bytes. */
  async heapUsed(): Promise<number> {
    await this.gc();
    const { metrics } = await this.cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
  }
}
