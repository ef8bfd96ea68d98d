"""Schemathesis hooks for scripts/fuzz-api (loaded through SCHEMATHESIS_HOOKS).

One workaround, no checks touched: CPython 3.11 (the Python on our machines and CI)
can raise `SystemError: AST constructor recursion depth mismatch` from `ast.parse` when
it runs deep in the stack. Hypothesis calls `ast.parse` only to *describe* a lambda in
a strategy's repr (text for messages), and the SystemError then aborts the whole
operation as a "Runtime Error" of the tool, not of the API (seen on POST
/admin/import, whose body schema nests deeply). Here a description that cannot be
built becomes the same "<unknown>" Hypothesis uses when it cannot find the source.
Generation, requests and every check are unchanged.
"""

import hypothesis.internal.lambda_sources as lambda_sources

_describe = lambda_sources._lambda_description


def _describe_or_unknown(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_unknown
