"""The SMTP server the tests deliver to: an aiosmtpd handler that files each message
under <root>/<envelope sender>/<n>.eml, so the test apps sharing one server (each
sends from an address of its own) read only their own mail.

It exits by itself when the process that started it is gone, so a test binary that
ends without stopping it leaves nothing behind.

    python -m aiosmtpd -n -l 127.0.0.1:PORT -c mail_sink.Sink ROOT   (PYTHONPATH=tests/support)
"""

import itertools
import os
import pathlib
import threading
import time


class Sink:
    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.numbers = itertools.count()
        parent = os.getppid()

        def exit_with_parent():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)

        threading.Thread(target=exit_with_parent, daemon=True).start()

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("mail_sink.Sink takes one argument: the folder to file mail in")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        sender = envelope.mail_from.lower().replace("/", "_")
        folder = self.root / sender
        folder.mkdir(parents=True, exist_ok=True)
        n = next(self.numbers)
        # Written aside, then renamed: a reader never sees half a message.
        partial = folder / f".{n}.partial"
        partial.write_bytes(envelope.original_content or envelope.content)
        partial.rename(folder / f"{n:06}.eml")
        return "250 OK"
