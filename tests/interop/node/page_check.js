// Headless Chromium on the echo server's test page (python -m wsproto echo-server, GET /),
// at 1280x900: sends a long unbroken line and a normal one, closes, then tries to send again.
// Usage: node page_check.js <http://host:port/> <screenshot.png>
// Prints one JSON object: what the page showed.
'use strict';

const { chromium } = require('playwright-core');

const EXECUTABLE = process.env.WSPROTO_INTEROP_CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];
const LONG = 'x'.repeat(600);

async function main() {
  const [url, screenshot] = process.argv.slice(2);
  const guard = setTimeout(() => { console.error('page_check.js: hard time limit'); process.exit(3); }, 60000);
  const browser = await chromium.launch({ executablePath: EXECUTABLE, args: FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    const logText = () => page.$eval('#log', (box) => box.innerText);
    await page.waitForFunction(() => document.getElementById('log').innerText.includes('connected'));
    for (const text of [LONG, 'hello']) {
      await page.fill('#text', text);
      await page.click('#send');
      await page.waitForFunction((t) => document.getElementById('log').innerText.includes('< ' + t), text);
    }
    const overflow = await page.$eval('#log', (box) => box.scrollWidth - box.clientWidth);
    await page.click('#close');
    await page.waitForFunction(() => document.getElementById('log').innerText.includes('closed: code'));
    const disabled = await page.$eval('#send', (button) => button.disabled);
    // A user (or a script) sending anyway: the form's submit handler must say why nothing is sent.
    await page.fill('#text', 'after close').catch(() => {});
    await page.$eval('#text', (input) => { input.disabled = false; input.value = 'after close'; });
    await page.$eval('#form', (form) => form.requestSubmit());
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify({ scenario: 'page', overflow, disabled, log: (await logText()).split('\n') }));
  } finally {
    await browser.close();
    clearTimeout(guard);
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
