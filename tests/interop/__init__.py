"""Interop tests of wsproto against independent WebSocket peers."""
