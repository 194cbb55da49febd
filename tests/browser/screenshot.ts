// Developer tool: screenshots of the built app, to look at what a user sees.
//   npx vite build && npx tsx tests/browser/screenshot.ts /tokenize/ out.png [--width 1280] [--height 900] [--dark] [--wait selector] [--full] [--element selector]
import { parseArgs } from 'node:util';
import { launchChromium } from './chromium';
import { startStaticServer } from './static-server';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '900' },
    dark: { type: 'boolean', default: false },
    wait: { type: 'string' },
    full: { type: 'boolean', default: false },
    delay: { type: 'string', default: '500' },
    // Only this element (e.g. '[data-view="qkv"]'), scrolled into view.
    element: { type: 'string' },
  },
});
const [path = '/', out = 'screenshot.png'] = positionals;
const server = await startStaticServer('build');
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: Number(values.width), height: Number(values.height) }, colorScheme: values.dark ? 'dark' : 'light' });
page.on('pageerror', (e) => console.error('page error:', e));
await page.goto(server.url + path);
if (values.wait) await page.waitForSelector(values.wait, { timeout: 120_000 });
await page.waitForTimeout(Number(values.delay));
if (values.element) await page.locator(values.element).first().screenshot({ path: out });
else await page.screenshot({ path: out, fullPage: values.full });
await browser.close();
await server.close();
console.log(`wrote ${out}`);
