"""Runs Ralph's LRS (ralph-malph, from PyPI) with its file-system backend for the
xAPI tests: `python ralph_lrs.py PORT`, configured by the usual RALPH_* variables.

One setting differs from Ralph's defaults: the file-system backend writes each
request with the `create` operation, which refuses to touch an existing file, so with
Ralph 5.1 every statement after the first fails with a 500 ("Statement indexation
failed"). Appending is the backend's own mode for adding to a file; everything else
(authentication, validation of each statement against Ralph's xAPI models, the
duplicate-id check, queries) is Ralph's code, unchanged.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND


def main():
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
