import { launchChromium } from './chromium';
import { startStaticServer } from './static-server';
const server = await startStaticServer('build');
const browser = await launchChromium();
const shots: [string, string, number, number, boolean, number][] = [
  ['/learn/#b=tokens', 'tokens-1', 1280, 720, false, 7000],
  ['/learn/#b=positions', 'positions-1', 1280, 720, true, 9000],
  ['/learn/?lang=zh#b=masks&s=2', 'masks-2-zh', 1280, 720, false, 4000],
  ['/learn/#b=qkv&s=2', 'phone-qkv-2', 390, 844, true, 4000],
  ['/learn/', 'phone-index', 390, 844, false, 2000],
  ['/learn/?lang=zh#b=seq2seq', 'seq-zh-1366', 1366, 768, false, 5000],
];
for (const [path, name, w, h, dark, wait] of shots) {
  const page = await browser.newPage({ viewport: { width: w, height: h }, colorScheme: dark ? 'dark' : 'light' });
  page.on('pageerror', (e) => console.error('page error:', name, String(e)));
  await page.goto(server.url + path);
  await page.waitForTimeout(wait);
  await page.screenshot({ path: `/tmp/shots/${name}.png` });
  await page.close();
}
await browser.close(); await server.close();
