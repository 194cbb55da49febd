// Node-side handle on the benchmark page (bench/page/main.ts): typed calls into
// window.atlasBench, and the page's memory read through the Chrome DevTools Protocol.

import type { CDPSession, Page } from 'playwright-core';
import type { BenchLoad, BenchRun, BenchRunResult } from '../page/main';

export interface PageMemory {
  heap: number;
  arrayBuffers: number;
  dom: number;
  total: number;
}

type Api = {
  load(l: BenchLoad): Promise<{ key: string; ms: number; backend: string; threads?: number; parameters: number }>;
  run(r: BenchRun): Promise<BenchRunResult>;
  show(): void;
  hide(): void;
  drop(): void;
  unload(key: string): Promise<void>;
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
    return new BenchPage(page, cdp);
  }

  load(l: BenchLoad) {
    return this.page.evaluate((l) => (window as unknown as { atlasBench: Api }).atlasBench.load(l), l);
  }

  run(r: BenchRun, timeoutMs: number): Promise<BenchRunResult> {
    const call = this.page.evaluate((r) => (window as unknown as { atlasBench: Api }).atlasBench.run(r), r);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`run took over ${timeoutMs} ms`)), timeoutMs)));
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
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

  /**
   * The page's memory after a GC (CDP Runtime.getHeapUsage of the page's isolate), bytes:
   * the V8 heap, ArrayBuffer backing stores (a trace's Float32Arrays), and Blink's heap (DOM).
   * Not performance.measureUserAgentSpecificMemory(): it also waits for every worker, and
   * onnxruntime's thread-pool workers, blocked in Atomics.wait, make it time out (~1 min).
   */
  async memory(): Promise<PageMemory> {
    await this.gc();
    const u = (await this.cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number; embedderHeapUsedSize?: number };
    const m = { heap: u.usedSize, arrayBuffers: u.backingStorageSize ?? NaN, dom: u.embedderHeapUsedSize ?? NaN };
    return { ...m, total: m.heap + m.arrayBuffers + m.dom };
  }
}
