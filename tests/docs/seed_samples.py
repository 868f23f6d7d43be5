"""The code samples of the 2019 wsproto documentation (the seed docs), embedded.

The seed (``wsproto-docs.txt``) is not part of the repository, so its samples
are kept here, in page order, as the strings the tests execute. Where a
sample cannot run as printed, the change is made by the test, not here, and
is listed in ``ADAPTATIONS``.
"""

from __future__ import annotations

from typing import Dict

#: Chapter 1, Installation: shell commands, not Python.
INSTALL_PIP = "$ pip install wsproto"
INSTALL_SETUP = "$ python setup.py install"

#: 2.2: create a client connection and a handshake request.
CLIENT_CREATE = """\
ws = WSConnection(ConnectionType.CLIENT)
ws.send(Request(host="example.com", target='foo'))
"""

#: 2.2: open a TCP connection.
CLIENT_CONNECT = """\
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(("example.com", 80))
"""

#: 2.2: read from the network.
CLIENT_READ = """\
data = sock.recv(4096)
ws.receive_data(data)
"""

#: 2.2: send what ``send`` returns.
CLIENT_SEND_BYTES = """\
data = ws.send(Message(data=b"Hello"))
sock.send(data)
"""

#: 2.2: application glue, send a message.
CLIENT_SEND_TEXT = """\
ws.send(Message(data="Hello world!"))
"""

#: 2.2: application glue, the client's event loop (joined across the page break).
CLIENT_EVENTS = """\
for event in ws.events():
    if isinstance(event, AcceptConnection):
        print('Connection established')
    elif isinstance(event, RejectConnection):
        print('Connection rejected')
    elif isinstance(event, CloseConnection):
        print('Connection closed: code={} reason={}'.format(
            event.code, event.reason
        ))
        sock.send(ws.send(event.response()))
    elif isinstance(event, Ping):
        print('Received Ping frame with payload {}'.format(event.payload))
        sock.send(ws.send(event.response()))
    elif isinstance(event, TextMessage):
        print('Received TEXT data: {}'.format(event.data))
        if event.message_finished:
            print('Message finished.')
    elif isinstance(event, BytesMessage):
        print('Received BINARY data: {}'.format(event.data))
        if event.message_finished:
            print('BINARY Message finished.')
    else:
        print('Unknown event: {!r}'.format(event))
"""

#: 2.3: a server connection.
SERVER_CREATE = """\
ws = WSConnection(ConnectionType.SERVER)
"""

#: 2.3: the server's event loop (it uses the name BinaryMessage).
SERVER_EVENTS = """\
for event in ws.events():
    if isinstance(event, Request):
        print('Accepting connection request')
        sock.send(ws.send(AcceptConnection()))
    elif isinstance(event, CloseConnection):
        print('Connection closed: code={} reason={}'.format(
            event.code, event.reason
        ))
        sock.send(ws.send(event.response()))
    elif isinstance(event, Ping):
        print('Received Ping frame with payload {}'.format(event.payload))
        sock.send(ws.send(event.response()))
    elif isinstance(event, TextMessage):
        print('Received TEXT data: {}'.format(event.data))
        if event.message_finished:
            print('TEXT Message finished.')
    elif isinstance(event, BinaryMessage):
        print('Received BINARY data: {}'.format(event.data))
        if event.message_finished:
            print('BINARY Message finished.')
    else:
        print('Unknown event: {!r}'.format(event))
"""

#: 2.5: reply to a close.
CLOSE_REPLY = """\
if isinstance(event, CloseConnection):
    sock.send(ws.send(event.response()))
"""

#: 2.6: reply to a ping.
PING_REPLY = """\
if isinstance(event, Ping):
    sock.send(ws.send(event.response()))
"""

#: 3.2: a connection after a handshake done elsewhere (the loop body is only a comment).
POST_HANDSHAKE = """\
connection = Connection(extensions)  # Agreed extensions
sock.send(connection.send(Message(data=b"Hi")))

connection.receive_data(sock.recv(4096))

for event in connection.events():
    # As with WSConnection, only without any handshake events
"""

#: 3.3: HTTP/2, the server side.
HTTP2_SERVER = """\
from wsproto.connection import Connection, ConnectionType
from wsproto.extensions import PerMessageDeflate
from wsproto.handshake import server_extensions_handshake

# WebSocket request has been received
request_extensions: List[str]
supported_extensions = [PerMessageDeflate()]
accepts = server_extensions_handshake(request_extensions, supported_extensions)
if accepts:
    response_headers.append({"sec-websocket-extensions": accepts})
# Send the response headers
connection = Connection(ConnectionType.SERVER, supported_extensions)
"""

#: 3.3: HTTP/2, the client side.
HTTP2_CLIENT = """\
from wsproto.connection import Connection, ConnectionType
from wsproto.extensions import PerMessageDeflate
from wsproto.handshake import client_extensions_handshake

# WebSocket response has been received
accepted_extensions: List[str]
proposed_extensions = [PerMessageDeflate()]
extensions = client_extensions_handshake(accepted_extensions, proposed_extensions)
connection = Connection(ConnectionType.CLIENT, supported_extensions)
"""

#: What the tests change, and why (the samples are otherwise run as printed).
ADAPTATIONS: Dict[str, str] = {
    "CLIENT_CREATE": "the bytes of ws.send(Request(...)) are kept and sent once connected "
    "(the sample drops them, so no server would ever answer)",
    "CLIENT_CONNECT": "connects to a loopback test server instead of example.com:80",
    "CLIENT_EVENTS": "run after each read until the connection is CLOSED",
    "SERVER_EVENTS": "run after each read from a loopback test client until CLOSED",
    "POST_HANDSHAKE": "the loop body, a comment only, gets a statement recording the event; "
    "Connection(extensions) passes the list as connection_type, which makes a server "
    "(as upstream)",
    "HTTP2_SERVER": "request_extensions and response_headers are given values, as an HTTP/2 "
    "server would have them; List is imported",
    "HTTP2_CLIENT": "supported_extensions (a typo in the sample) reads extensions; "
    "accepted_extensions is the server's response header value",
}
