"""Prints one JSON object built from arguments: KEY=TEXT gives a string, KEY:=JSON a
number, object or null (as in httpie). bench/run appends these lines to its results
file, so no JSON is ever assembled by pasting strings in shell.

Usage: emit.py kind=wrk name=roadmap concurrency:=32 'result:={"requests": 10}'
"""

import json
import sys


def pair(arg):
    key, sep, text = arg.partition("=")
    if not sep:
        sys.exit(f"emit.py: expected KEY=TEXT or KEY:=JSON, got {arg!r}")
    if key.endswith(":"):
        return key[:-1], json.loads(text)
    return key, text


print(json.dumps(dict(pair(arg) for arg in sys.argv[1:])))
