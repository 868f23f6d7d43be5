"""Tests of the wsproto-deflate plugin (RFC 7692 permessage-deflate)."""
