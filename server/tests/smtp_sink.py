"""A real SMTP server for the delivery tests (aiosmtpd, on loopback).

Every message it accepts is written to --dir as one `.eml` file before it answers "250", so a file exists for
each message the sender was told was delivered. With --hold-after N it accepts N messages and then never answers
the next DATA (it creates the file `holding` when it starts waiting), so that a test can kill the sender while a
message is in flight. With --refuse ADDRESS (any number of times) it refuses that recipient for good ("550 5.1.1")
and writes a `.refused` file for each refusal. It creates `ready` once it listens.
"""

import argparse
import asyncio
import pathlib
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory: pathlib.Path, hold_after, refused):
        self.directory = directory
        self.hold_after = hold_after
        self.refused = {address.lower() for address in refused}
        self.accepted = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            (self.directory / f"{time.time_ns()}-{uuid.uuid4().hex}.refused").write_text(address)
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold_after is not None and self.accepted >= self.hold_after:
            (self.directory / "holding").touch()
            await asyncio.Event().wait()
        self.accepted += 1
        final = self.directory / f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        partial = final.with_suffix(".part")
        partial.write_bytes(envelope.original_content)
        partial.rename(final)
        return "250 2.0.0 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=pathlib.Path, required=True)
    parser.add_argument("--hold-after", type=int)
    parser.add_argument("--refuse", action="append", default=[])
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(args.dir, args.hold_after, args.refuse), hostname="127.0.0.1", port=args.port)
    controller.start()
    (args.dir / "ready").touch()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
