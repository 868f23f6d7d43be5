"""The small HTML page that ``echo-server`` serves at ``/`` for testing from a browser."""

from __future__ import annotations

__all__ = ["render_page"]

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wsproto echo server</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; }
#log { border: 1px solid #ccc; height: 18rem; overflow-y: auto; padding: .5rem;
       font-family: ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
#log .note { color: #a33; }
form { display: flex; gap: .5rem; margin-top: .5rem; }
#text { flex: 1; }
</style>
</head>
<body>
<h1>wsproto echo server</h1>
<p>Extensions this server enables: <code>__EXTENSIONS__</code>.
Messages you send come back unchanged.</p>
<div id="log"></div>
<form id="form">
<input id="text" autocomplete="off" placeholder="type a message" autofocus>
<button id="send">Send</button>
<button type="button" id="close">Close</button>
</form>
<script>
"use strict";
const log = (line, note) => {
  const box = document.getElementById("log");
  const row = document.createElement("div");
  row.textContent = line;
  if (note) row.className = "note";
  box.appendChild(row);
  box.scrollTop = box.scrollHeight;
};
const controls = () => ["text", "send", "close"].map((id) => document.getElementById(id));
const scheme = location.protocol === "https:" ? "wss://" : "ws://";
const socket = new WebSocket(scheme + location.host + "/");
socket.onopen = () => log("connected; negotiated extensions: " + (socket.extensions || "none"));
socket.onmessage = (event) => log("< " + event.data);
socket.onclose = (event) => {
  log("closed: code " + event.code + " " + event.reason);
  log("the connection is closed: reload the page to connect again", true);
  for (const element of controls()) element.disabled = true;
};
socket.onerror = () => log("error");
document.getElementById("form").onsubmit = (event) => {
  event.preventDefault();
  const input = document.getElementById("text");
  if (!input.value) return;
  if (socket.readyState === WebSocket.OPEN) {
    socket.send(input.value);
    log("> " + input.value);
    input.value = "";
  } else {
    const state = ["still connecting", "open", "closing", "closed"][socket.readyState];
    log("not sent: the connection is " + state, true);
  }
};
document.getElementById("close").onclick = () => socket.close(1000, "bye");
</script>
</body>
</html>
"""


def render_page(extensions: str) -> bytes:
    """The page, naming the extensions the server enables."""
    safe = extensions.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PAGE.replace("__EXTENSIONS__", safe).encode("utf-8")
