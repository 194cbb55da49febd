// Saved traces for the /view/ page: write a trace as JSON into a temporary folder (removed
// after the file's tests) and open it through the page's file input.
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { traceToJSONString } from '../../src/lib/trace/json';
import type { Trace } from '../../src/lib/trace/types';

/**
 * Registers the folder's setup and clean-up. save(name, trace) writes a trace and returns its
 * path; pathOf(name) is where a test may write a file of its own.
 */
export function useTraceFiles(prefix: string): { save: (name: string, trace: Trace) => string; pathOf: (name: string) => string } {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `atlas-${prefix}-`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pathOf = (name: string) => join(dir, name);
  return {
    pathOf,
    save: (name, trace) => {
      const path = pathOf(`${name}.json`);
      writeFileSync(path, traceToJSONString(trace));
      return path;
    },
  };
}

/** Opens a saved trace on /view/ and waits until the model grid and the heatmap have drawn. */
export async function openTrace(page: Page, path: string): Promise<void> {
  await page.waitForSelector('input[data-testid="trace-file"][data-ready="true"]', { state: 'attached' });
  await page.setInputFiles('input[data-testid="trace-file"]', path);
  await page.waitForSelector('[data-testid="trace-summary"]');
  await page.waitForFunction(() => !!document.querySelector('.atlas-model-grid')?.getAttribute('data-draw-ms') && !!document.querySelector('.atlas-heatmap')?.getAttribute('data-draw-ms'));
}
