// Vitest global setup for the browser tests: checks that Chromium exists (failing
// loudly, never skipping), builds the production app once and serves it on 127.0.0.1.
import type { TestProject } from 'vitest/node';
import { execFileSync } from 'node:child_process';
import { findChromium } from './chromium';
import { startStaticServer, type StaticServer } from './static-server';
import { mockHubHandler } from '../helpers/hub-server';
import { randomCheckpoint, writeCheckpoint } from '../helpers/random-checkpoint';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}

let server: StaticServer | undefined;
/** A slow link (15 ms per 64 kB), so that a download can be watched and cancelled. */
const hubFaults = { chunkDelayMs: 15 };

export async function setup(project: TestProject): Promise<void> {
  findChromium(); // throws with install instructions
  if (process.env.ATLAS_SKIP_BUILD !== '1') {
    const vite = (args: string[]) => execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn', ...args], { stdio: 'inherit' });
    vite([]);
    vite(['--config', 'tests/browser/harness/vite.config.ts']);
  }
  // A stand-in for the Hugging Face Hub on the app's own origin (at /__hub), serving small
  // random checkpoints under the real ids: the app is pointed at it with ?hub=/__hub.
  const hubRepos: Record<string, string> = {};
  for (const [id, options] of [
    ['gpt2', { family: 'gpt2', seed: 31, layers: 2, dModel: 64, heads: 4, bareNames: true }],
    ['google/flan-t5-small', { family: 't5-v1_1', seed: 32, layers: 2, dModel: 32, heads: 4 }],
    // A LLaMA-family stand-in (grouped-query attention, RoPE) under SmolLM2's id, with Llama 2's tokenizer.
    ['HuggingFaceTB/SmolLM2-135M', { family: 'llama', seed: 33, layers: 2, dModel: 32, heads: 4, kvHeads: 2 }],
  ] as const) {
    const dir = `test-results/hub/${id}`;
    writeCheckpoint(randomCheckpoint(options), dir);
    hubRepos[id] = dir;
  }
  server = await startStaticServer('build', 0, { '/__harness/': 'test-results/harness' }, { '/__hub': mockHubHandler(hubRepos, hubFaults, []) });
  project.provide('appUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.close();
}
