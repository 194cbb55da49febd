// Vitest global setup for the browser tests: checks that Chromium exists (failing
// loudly, never skipping), builds the production app once and serves it on 127.0.0.1.
import type { TestProject } from 'vitest/node';
import { execFileSync } from 'node:child_process';
import { findChromium } from './chromium';
import { startStaticServer, type StaticServer } from './static-server';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}

let server: StaticServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  findChromium(); // throws with install instructions
  if (process.env.ATLAS_SKIP_BUILD !== '1') {
    const vite = (args: string[]) => execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', ...args], { stdio: 'inherit' });
    vite([]);
    vite(['--config', 'tests/browser/harness/vite.config.ts']);
  }
  server = await startStaticServer('build', 0, { '/__harness/': 'test-results/harness' });
  project.provide('appUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.close();
}
