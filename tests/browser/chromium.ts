// Finds and launches the system Chromium for browser tests. We drive Debian's
// Chromium through playwright-core because `npx playwright install` cannot download
// browsers on machines without internet.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
].filter((p): p is string => !!p);

export const NO_CHROMIUM_MESSAGE =
  'No Chromium found for the browser tests. Install one and run the tests again:\n' +
  '  Debian/Ubuntu:  sudo apt-get install -y chromium\n' +
  '  elsewhere:      npx playwright install chromium, then set CHROMIUM_PATH to its executable\n' +
  `(looked in: ${CANDIDATES.join(', ')})`;

export function findChromium(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(NO_CHROMIUM_MESSAGE);
  return found;
}

// WebGPU needs --enable-unsafe-webgpu in headless Chromium (it then runs on
// SwiftShader). The network switches keep Chromium off the network: this machine has
// none, and a test must never reach beyond 127.0.0.1.
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--metrics-recording-only',
  '--no-sandbox',
];

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
