"""A small SMTP server on loopback for the follow-up benchmark: accepts every message,
answers each DATA after a set delay (a provider's latency), and keeps the Message-IDs it
accepted so duplicates can be counted. Speaks enough of RFC 5321 for smtplib."""

from __future__ import annotations

import email
import socketserver
import threading
import time
from collections import Counter


class FakeSMTP:
    def __init__(self, *, delay: float = 0.2) -> None:
        self.delay = delay
        self.message_ids: Counter[str] = Counter()
        self._lock = threading.Lock()
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 fake-smtp ready")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250-fake-smtp")
                        self.reply("250 8BITMIME")
                    elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        message = email.message_from_bytes(b"".join(lines))
                        time.sleep(fake.delay)
                        with fake._lock:
                            fake.message_ids[str(message.get("Message-ID", ""))] += 1
                        self.reply("250 OK queued")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:
                        self.reply("502 Command not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self) -> int:
        with self._lock:
            return sum(self.message_ids.values())

    def duplicates(self) -> int:
        with self._lock:
            return sum(count - 1 for count in self.message_ids.values() if count > 1)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
