#!/usr/bin/python3
"""smtprecv: a loopback SMTP server for sitrep's delivery tests.

Needs Debian's python3-aiosmtpd: run it with /usr/bin/python3.

Stores each message it accepts in --dir as NNNN.eml (0001.eml, ...), the
bytes as received after DATA's dot-unstuffing (CRLF line ends kept), and
appends one JSON line per message to --dir/index.jsonl. Every RCPT TO, with
the reply it got, is one JSON line in --dir/rcpt.jsonl.

Scripted failures, by the recipient's local part (case-insensitive):

  tempfail-once+<key>@...   451 4.3.0 the first time for <key>, then accepted
  tempfail@...              451 4.3.0 always
  permfail@...              550 5.1.1 always
  anything else             accepted

Usage:

  smtprecv.py --dir DIR [--port 0] [--host 127.0.0.1|::1]
              [--portfile FILE] [--pidfile FILE]
              [--user NAME --password PASS]
              [--tls-cert PEM --tls-key PEM] [--require-tls]

With --user, AUTH (PLAIN or LOGIN) with that name and password is required
before MAIL, and is allowed without TLS (loopback only). With --tls-cert
and --tls-key, STARTTLS is offered; --require-tls makes it mandatory.
8BITMIME and SMTPUTF8 are offered (SMTPUTF8 not with --no-smtputf8). Prints the port it bound on stdout and,
atomically, to --portfile. Exits 0 on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import ipaddress
import json
import logging
import os
import signal
import ssl
import sys
import time
import warnings
import weakref

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomically(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def text(b):
    if isinstance(b, bytes):
        return b.decode("utf-8", errors="replace")
    return b


class Handler:
    def __init__(self, directory):
        self.dir = directory
        self.seq = 0
        self.tempfail_keys = set()
        self.index = open(os.path.join(directory, "index.jsonl"), "a",
                          encoding="utf-8")
        self.rcpt_log = open(os.path.join(directory, "rcpt.jsonl"), "a",
                             encoding="utf-8")

    @staticmethod
    def jsonl(f, entry):
        f.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        f.flush()

    def close(self):
        self.index.close()
        self.rcpt_log.close()

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        local = address.rsplit("@", 1)[0].lower()
        if local.startswith("tempfail-once+"):
            key = local[len("tempfail-once+"):]
            if key in self.tempfail_keys:
                reply = None
            else:
                self.tempfail_keys.add(key)
                reply = "451 4.3.0 Temporary failure, try again (once)"
        elif local == "tempfail":
            reply = "451 4.3.0 Temporary failure, try again"
        elif local == "permfail":
            reply = "550 5.1.1 No such user here"
        else:
            reply = None
        if reply is None:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            reply = "250 OK"
        self.jsonl(self.rcpt_log, {
            "time": time.time(),
            "mail_from": envelope.mail_from,
            "rcpt": address,
            "rcpt_options": rcpt_options,
            "reply": reply,
            "code": int(reply[:3]),
        })
        return reply

    async def handle_DATA(self, server, session, envelope):
        self.seq += 1
        name = "%04d.eml" % self.seq
        raw = envelope.original_content
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "wb") as f:
            f.write(raw)
        os.rename(path + ".tmp", path)
        auth = session.auth_data
        if isinstance(auth, LoginPassword):
            auth = text(auth.login)
        self.jsonl(self.index, {
            "seq": self.seq,
            "file": name,
            "time": time.time(),
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            "rcpt_options": list(envelope.rcpt_options),
            "smtputf8": envelope.smtp_utf8,
            "helo": session.host_name,
            "esmtp": session.extended_smtp,
            "peer": session.peer[0] if session.peer else None,
            "auth_user": auth,
            "tls": server._tls_protocol is not None,
            "size": len(raw),
        })
        return "250 2.0.0 OK queued as %s" % name


def make_authenticator(user, password):
    want = (user.encode("utf-8"), password.encode("utf-8"))

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and (auth_data.login, auth_data.password) == want)
        return AuthResult(success=ok, handled=False,
                          auth_data=auth_data if ok else None)
    return authenticate


def main():
    ap = argparse.ArgumentParser(description="loopback SMTP receiver")
    ap.add_argument("--dir", required=True, help="where messages are stored")
    ap.add_argument("--port", type=int, default=0, help="0: any free port")
    ap.add_argument("--host", default="127.0.0.1",
                    help="a loopback address: 127.0.0.1 (default) or ::1")
    ap.add_argument("--portfile")
    ap.add_argument("--pidfile")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-tls", action="store_true",
                    help="refuse MAIL before STARTTLS")
    ap.add_argument("--hostname", default="smtprecv.test",
                    help="the name in the greeting and EHLO reply")
    ap.add_argument("--no-smtputf8", action="store_true",
                    help="do not offer SMTPUTF8 (a relay without RFC 6531)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    if not ipaddress.ip_address(args.host).is_loopback:
        ap.error("--host must be a loopback address")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.require_tls and not args.tls_cert:
        ap.error("--require-tls needs --tls-cert and --tls-key")

    # aiosmtpd warns about AUTH without TLS; that is the point here.
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="smtprecv: %(message)s")

    os.makedirs(args.dir, exist_ok=True)
    handler = Handler(args.dir)

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    kwargs = dict(
        enable_SMTPUTF8=not args.no_smtputf8,
        decode_data=False,
        hostname=args.hostname,
        ident="smtprecv",
        tls_context=tls_context,
        require_starttls=args.require_tls,
        timeout=60,
    )
    if args.user:
        kwargs.update(authenticator=make_authenticator(args.user,
                                                       args.password),
                      auth_required=True, auth_require_tls=False)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    sessions = weakref.WeakSet()

    def factory():
        smtp = SMTP(handler, loop=loop, **kwargs)
        sessions.add(smtp)
        return smtp

    server = loop.run_until_complete(
        loop.create_server(factory, host=args.host, port=args.port,
                           reuse_address=True))
    port = server.sockets[0].getsockname()[1]

    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)

    if args.pidfile:
        write_atomically(args.pidfile, "%d\n" % os.getpid())
    if args.portfile:
        write_atomically(args.portfile, "%d\n" % port)
    print(port, flush=True)

    try:
        loop.run_until_complete(stopping.wait())
    finally:
        server.close()
        # Drop the connections still open, without waiting for clients.
        for smtp in sessions:
            if smtp.transport is not None:
                smtp.transport.abort()
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0.05))
        try:
            loop.run_until_complete(
                asyncio.wait_for(server.wait_closed(), 2))
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass
        loop.close()
        handler.close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
