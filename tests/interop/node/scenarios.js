// Client side of the interop scenarios, written against the browser WebSocket API so
// that the same file runs in Chromium (as a page script) and in Node (with `ws`).
// The contract (payloads, codes, targets) mirrors tests/interop/scenarios.py.
(function (root) {
  'use strict';

  const TEXT = 'hello, interop';
  const UTF8 = 'h\u00e9llo w\u00f6rld \u2713 \u2014 \u{1F600} \u65e5\u672c\u8a9e \u2211';
  const ONE_MIB = 1 << 20;
  const TEXT_CHUNK = 'interop \u2713 h\u00e9llo \u{1F600} \u65e5\u672c\u8a9e \u2014 ';
  const CLIENT_PING = 'cli-ping \u2713';
  const SERVER_PONG_REPLY = 'pong:srv-ping';
  const CLIENT_CLOSE = [4000, 'client bye \u2713'];
  const STEP_TIMEOUT_MS = 15000;
  const FRAGMENTS = 4;

  const encoder = new TextEncoder();

  function bytes(n, period) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = i % period;
    return out;
  }

  // Incompressible bytes from a 32-bit xorshift generator.
  function noise(n) {
    const out = new Uint8Array(n);
    let x = 7692;
    for (let i = 0; i < n; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  }

  function payloadFor(name) {
    switch (name) {
      case 'echo_text': return TEXT;
      case 'echo_utf8': return UTF8;
      case 'echo_binary': return bytes(1024, 256);
      case 'echo_1mib': return bytes(ONE_MIB, 251);
      case 'echo_random': return noise(ONE_MIB);
      case 'echo_1mib_text':
      case 'echo_fragmented':
        return TEXT_CHUNK.repeat(Math.ceil(ONE_MIB / encoder.encode(TEXT_CHUNK).length));
      default: return null;
    }
  }

  // Cuts a string into `count` pieces at UTF-16 boundaries that never split a surrogate pair.
  function split(text, count) {
    const chars = Array.from(text);
    const step = Math.ceil(chars.length / count);
    const parts = [];
    for (let i = 0; i < chars.length; i += step) parts.push(chars.slice(i, i + step).join(''));
    return parts;
  }

  function toHex(view) {
    return Array.from(view, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  // Wraps a WebSocket into a queue of {kind: open|message|close|error} items.
  function Inbox(ws) {
    const items = [];
    const waiters = [];
    const push = (item) => {
      const waiter = waiters.shift();
      if (waiter) waiter(item); else items.push(item);
    };
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => push({ kind: 'open' });
    ws.onmessage = (ev) => push({ kind: 'message', data: ev.data });
    ws.onerror = () => push({ kind: 'error' });
    ws.onclose = (ev) => push({ kind: 'close', code: ev.code, reason: ev.reason, clean: ev.wasClean });
    this.next = (what) => {
      if (items.length) return Promise.resolve(items.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for ' + what)), STEP_TIMEOUT_MS);
        waiters.push((item) => { clearTimeout(timer); resolve(item); });
      });
    };
    this.until = async (kind) => {
      for (;;) {
        const item = await this.next(kind);
        if (item.kind === kind) return item;
        if (item.kind === 'close' || item.kind === 'error') {
          throw new Error('expected ' + kind + ', got ' + JSON.stringify(item));
        }
      }
    };
  }

  async function openSocket(opts, name) {
    const ws = opts.makeSocket(opts.base + '/' + name + '/' + opts.tag);
    const inbox = new Inbox(ws);
    const first = await inbox.next('open');
    if (first.kind !== 'open') {
      const after = first.kind === 'error' ? await inbox.next('close') : first;
      return { ws: null, inbox, failure: after };
    }
    return { ws, inbox, failure: null };
  }

  async function echo(ws, inbox, payload, send) {
    if (send) send(payload); else ws.send(payload);
    const reply = await inbox.until('message');
    if (typeof reply.data === 'string') {
      return {
        type: 'text',
        length: encoder.encode(reply.data).length,
        equal: reply.data === payload,
      };
    }
    const got = new Uint8Array(reply.data);
    return {
      type: 'binary',
      length: got.length,
      equal: typeof payload !== 'string' && sameBytes(got, payload),
    };
  }

  async function closeAndWait(ws, inbox, code, reason) {
    ws.close(code, reason);
    const item = await inbox.until('close');
    return { code: item.code, reason: item.reason, clean: item.clean };
  }

  async function converse(name, opts, ws, inbox) {
    const payload = payloadFor(name);
    if (name === 'echo_fragmented') {
      // The server echoes in fragments; a client that can't fragment sends the message whole.
      if (!opts.sendFragments) return Object.assign(await echo(ws, inbox, payload), { sent_whole: true });
      return echo(ws, inbox, payload, (data) => opts.sendFragments(ws, split(data, FRAGMENTS)));
    }
    if (payload !== null) return echo(ws, inbox, payload);
    switch (name) {
      case 'ping_client': {
        if (!opts.ping) return { unsupported: 'this client cannot send pings' };
        const pong = await opts.ping(ws, encoder.encode(CLIENT_PING));
        return { pong: toHex(pong) };
      }
      case 'ping_server': {
        ws.send('ping-me');
        const reply = await inbox.until('message');
        return { reply: reply.data, expected: SERVER_PONG_REPLY };
      }
      case 'close_server': {
        ws.send('close-me');
        const item = await inbox.until('close');
        return { code: item.code, reason: item.reason, clean: item.clean };
      }
      case 'echo_sequence': {
        // Several messages on one connection: context takeover carries across them.
        const big = payloadFor('echo_1mib_text');
        const seq = [UTF8, big, UTF8, bytes(1024, 256), bytes(ONE_MIB, 251).slice(0, 70000), TEXT];
        let equal = true;
        for (const item of seq) equal = (await echo(ws, inbox, item)).equal && equal;
        return { equal, count: seq.length };
      }
      case 'close_client':
        return closeAndWait(ws, inbox, CLIENT_CLOSE[0], CLIENT_CLOSE[1]);
      default:
        throw new Error('unknown scenario ' + name);
    }
  }

  // opts: {base, tag, makeSocket(url), ping?(ws, bytes) -> Promise<Uint8Array>,
  //        sendFragments?(ws, [string]) sends one text message as several frames,
  //        reject?(url) -> Promise<{status, body}>}
  async function runScenario(name, opts) {
    const result = { scenario: name, error: null };
    try {
      if (name === 'reject' && opts.reject) {
        Object.assign(result, await opts.reject(opts.base + '/reject/' + opts.tag));
        return result;
      }
      const { ws, inbox, failure } = await openSocket(opts, name);
      if (name === 'reject') {
        result.failed = ws === null;
        if (failure) result.close_code = failure.code;
        if (ws) ws.close();
        return result;
      }
      if (!ws) throw new Error('connection failed: ' + JSON.stringify(failure));
      result.extensions = ws.extensions;
      Object.assign(result, await converse(name, opts, ws, inbox));
      if (ws.readyState === 1) await closeAndWait(ws, inbox, 1000, 'done');
    } catch (err) {
      result.error = String(err && err.stack ? err.stack : err);
    }
    return result;
  }

  const names = ['echo_text', 'echo_utf8', 'echo_binary', 'echo_1mib', 'echo_1mib_text',
    'echo_fragmented', 'echo_random', 'echo_sequence', 'ping_client', 'ping_server', 'reject', 'close_server', 'close_client'];
  const api = { runScenario, names };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.InteropScenarios = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
