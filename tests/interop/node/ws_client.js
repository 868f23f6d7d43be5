// The `ws` package as a client of our server.
// Usage: node ws_client.js <ws://base> <tag> <on|off|JSON perMessageDeflate options> [scenario...]
// Prints one JSON result per scenario on stdout.
'use strict';

const WebSocket = require('ws');
const { runScenario, names } = require('./scenarios.js');

const HARD_LIMIT_MS = 90000;

// 'on' -> ws's default deflate offer, 'off' -> none, else JSON perMessageDeflate options.
function parseMode(mode) {
  if (mode === 'on') return {};
  if (mode === 'off') return false;
  return JSON.parse(mode);
}

function makeSocket(deflate) {
  return (url) => new WebSocket(url, {
    perMessageDeflate: deflate,
    handshakeTimeout: 10000,
    maxPayload: 8 * 1024 * 1024,
  });
}

function ping(ws, payload) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no pong within 15 s')), 15000);
    ws.once('pong', (data) => { clearTimeout(timer); resolve(new Uint8Array(data)); });
    ws.ping(Buffer.from(payload));
  });
}

function sendFragments(ws, parts) {
  parts.forEach((part, i) => ws.send(part, { binary: false, fin: i === parts.length - 1 }));
}

// A refused handshake: read the status and body of the server's answer.
function reject(deflate) {
  return (url) => new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: deflate, handshakeTimeout: 10000 });
    const timer = setTimeout(() => resolve({ error: 'no answer to the handshake within 15 s' }), 15000);
    ws.on('unexpected-response', (req, res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ failed: true, status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      });
    });
    ws.on('error', () => {});
    ws.on('open', () => { clearTimeout(timer); ws.terminate(); resolve({ failed: false }); });
  });
}

async function main() {
  const [base, tag, mode, ...wanted] = process.argv.slice(2);
  const deflate = parseMode(mode);
  const guard = setTimeout(() => { console.error('ws_client.js: hard time limit'); process.exit(3); }, HARD_LIMIT_MS);
  const opts = { base, tag, makeSocket: makeSocket(deflate), ping, sendFragments, reject: reject(deflate) };
  for (const name of wanted.length ? wanted : names) {
    const result = await runScenario(name, opts);
    process.stdout.write(JSON.stringify(result) + '\n');
  }
  clearTimeout(guard);
}

main().catch((err) => { console.error(err); process.exit(1); });
