// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) as a client
// of our server: a page served on localhost runs scenarios.js with `new WebSocket(...)`.
// Usage: node browser_client.js <ws://base> <tag> [scenario...]
// Env: WSPROTO_INTEROP_CHROMIUM overrides the browser path.
// Prints one JSON result per scenario on stdout.
'use strict';

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { names } = require('./scenarios.js');

const HARD_LIMIT_MS = 90000;
const EXECUTABLE = process.env.WSPROTO_INTEROP_CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const PAGE = '<!doctype html><meta charset="utf-8"><title>wsproto interop</title>' +
  '<script src="/scenarios.js"></script><p>wsproto interop page</p>';

function servePage() {
  const script = fs.readFileSync(path.join(__dirname, 'scenarios.js'));
  const server = http.createServer((req, res) => {
    if (req.url === '/scenarios.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const [base, tag, ...wanted] = process.argv.slice(2);
  const guard = setTimeout(() => { console.error('browser_client.js: hard time limit'); process.exit(3); }, HARD_LIMIT_MS);
  const server = await servePage();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wsproto-interop-chromium-'));
  let context = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: EXECUTABLE, headless: true, args: FLAGS, timeout: 30000,
    });
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(30000);
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const userAgent = await page.evaluate(() => navigator.userAgent);
    for (const name of wanted.length ? wanted : names) {
      const result = await page.evaluate(
        ([n, b, t]) => window.InteropScenarios.runScenario(n, { base: b, tag: t, makeSocket: (u) => new WebSocket(u) }),
        [name, base, tag],
      );
      result.user_agent = userAgent;
      process.stdout.write(JSON.stringify(result) + '\n');
    }
  } finally {
    if (context) await context.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
    clearTimeout(guard);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
