"""The ``python -m wsproto`` command-line tool (private: the core never imports it)."""
