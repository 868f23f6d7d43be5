// The `ws` package as a server for our client, following the protocol in
// tests/interop/scenarios.py.
// Usage: node ws_server.js <on|off|JSON perMessageDeflate options>
// Prints JSON events on stdout: listening, open, reject, ping, pong, error, close.
// Exits when stdin closes, or after a hard time limit.
'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');

const HARD_LIMIT_MS = 300000;
const REJECT_BODY = Buffer.from('rejected by the interop server \u2713', 'utf8');
const SERVER_PING = Buffer.from('srv-ping');
const SERVER_CLOSE = [4321, 'server bye \u2713'];
const FRAGMENTS = 4;

// 'on' -> ws's default deflate, 'off' -> none, else JSON perMessageDeflate options.
const mode = process.argv[2];
const deflate = mode === 'on' ? {} : mode === 'off' ? false : JSON.parse(mode);
const log = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: deflate,
  maxPayload: 8 * 1024 * 1024,
});

const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });

function scenarioOf(url) {
  return url.replace(/^\/+/, '').split(/[/?]/)[0];
}

function isReject(url) {
  return scenarioOf(url) === 'reject';
}

server.on('upgrade', (req, socket, head) => {
  if (isReject(req.url)) {
    socket.write(
      'HTTP/1.1 403 Forbidden\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${REJECT_BODY.length}\r\n` +
      'Connection: close\r\n\r\n',
    );
    socket.end(REJECT_BODY);
    log({ event: 'reject', target: req.url });
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

// Echoes a text message as FRAGMENTS frames, cut at code point boundaries.
function sendFragments(ws, text) {
  const chars = Array.from(text);
  const step = Math.ceil(chars.length / FRAGMENTS);
  for (let i = 0; i < chars.length; i += step) {
    ws.send(chars.slice(i, i + step).join(''), { binary: false, fin: i + step >= chars.length });
  }
}

wss.on('connection', (ws, req) => {
  const target = req.url;
  const fragmented = scenarioOf(target) === 'echo_fragmented';
  log({ event: 'open', target, extensions: ws.extensions });
  ws.on('ping', (data) => log({ event: 'ping', target, payload: data.toString('hex') }));
  ws.on('pong', (data) => {
    log({ event: 'pong', target, payload: data.toString('hex') });
    ws.send('pong:' + data.toString('utf8'));
  });
  ws.on('error', (err) => log({ event: 'error', target, message: String(err) }));
  ws.on('close', (code, reason) => log({ event: 'close', target, code, reason: reason.toString('utf8') }));
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.toString('utf8') === 'ping-me') ws.ping(SERVER_PING);
    else if (!isBinary && data.toString('utf8') === 'close-me') ws.close(SERVER_CLOSE[0], SERVER_CLOSE[1]);
    else if (!isBinary && fragmented) sendFragments(ws, data.toString('utf8'));
    else ws.send(data, { binary: isBinary });
  });
});

server.listen(0, '127.0.0.1', () => log({ event: 'listening', port: server.address().port }));

const guard = setTimeout(() => process.exit(0), HARD_LIMIT_MS);
process.stdin.on('data', () => {});
process.stdin.on('end', () => { clearTimeout(guard); process.exit(0); });
process.stdin.resume();
