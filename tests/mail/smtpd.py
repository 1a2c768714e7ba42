"""smtpd.py -- the mail test's SMTP server: Debian's aiosmtpd on 127.0.0.1.

STARTTLS required (or TLS from the first byte with --implicit-tls) with the
certificate the test made, AUTH required (the login from --user, the
password from $SMTPD_PASSWORD), every accepted message stored whole in
SPOOL/NNNN.eml and its envelope appended to SPOOL/envelopes.jsonl (sender,
recipients, login, TLS or not, which connection).  Each new TCP connection
is a line of SPOOL/connections.log.

Faults, for the test to provoke:
  --defer ADDR     the first RCPT TO:<ADDR> is answered 451, later ones 250
  --refuse ADDR    every RCPT TO:<ADDR> is answered 550
  --hang-after N   after N accepted messages, the next MAIL FROM is never
                   answered: SPOOL/hung appears and the server waits to be
                   killed (a server dying in the middle of a batch)
  --plain          no STARTTLS and no AUTH at all

The port it listens on is written to --port-file once it listens; its PID
is the test's to kill.
"""
import argparse
import asyncio
import json
import logging
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

logging.getLogger("mail.log").setLevel(logging.CRITICAL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spool", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--implicit-tls", action="store_true")
    ap.add_argument("--plain", action="store_true",
                    help="no STARTTLS, no AUTH: a server only a loopback client may use")
    ap.add_argument("--defer", action="append", default=[])
    ap.add_argument("--refuse", action="append", default=[])
    ap.add_argument("--hang-after", type=int, default=-1)
    a = ap.parse_args()
    password = os.environ["SMTPD_PASSWORD"].encode()
    os.makedirs(a.spool, exist_ok=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
    state = {"accepted": 0, "deferred": set(), "connections": 0}

    def spool(name):
        return os.path.join(a.spool, name)

    def authenticator(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login == a.user.encode()
              and data.password == password)
        return AuthResult(success=ok, handled=False, auth_data=data)

    class Handler:
        async def handle_MAIL(self, server, session, envelope, address, options):
            if 0 <= a.hang_after <= state["accepted"]:
                with open(spool("hung"), "w") as f:
                    f.write("hung\n")
                await asyncio.sleep(3600)
            envelope.mail_from = address
            envelope.mail_options.extend(options)
            return "250 OK"

        async def handle_RCPT(self, server, session, envelope, address, options):
            if address in a.refuse:
                return "550 5.1.1 <%s>: mailbox unavailable" % address
            if address in a.defer and address not in state["deferred"]:
                state["deferred"].add(address)
                return "451 4.7.1 <%s>: greylisted, try again later" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            state["accepted"] += 1
            n = state["accepted"]
            name = "%04d-%d.eml" % (n, os.getpid())
            tmp = spool("." + name)
            with open(tmp, "wb") as f:
                f.write(envelope.original_content or envelope.content)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, spool(name))
            tls = session.ssl is not None or a.implicit_tls
            line = {"file": name, "from": envelope.mail_from,
                    "rcpt": list(envelope.rcpt_tos), "tls": tls,
                    "login": session.auth_data.login.decode()
                    if isinstance(session.auth_data, LoginPassword) else None,
                    "authenticated": bool(session.authenticated),
                    "connection": server.connection_no}
            with open(spool("envelopes.jsonl"), "a") as f:
                f.write(json.dumps(line) + "\n")
                f.flush()
                os.fsync(f.fileno())
            return "250 2.0.0 Ok: queued as Q%04d" % n

    class Server(SMTP):
        def connection_made(self, transport):
            if self._original_transport is None and not getattr(self, "connection_no", 0):
                state["connections"] += 1
                self.connection_no = state["connections"]
                with open(spool("connections.log"), "a") as f:
                    f.write("%d\n" % self.connection_no)
            super().connection_made(transport)

    def factory():
        if a.plain:
            return Server(Handler(), hostname="scorecard-test")
        return Server(Handler(), hostname="scorecard-test",
                      tls_context=None if a.implicit_tls else ctx,
                      require_starttls=not a.implicit_tls,
                      # implicit TLS is not what aiosmtpd calls TLS (it
                      # knows STARTTLS only): the whole connection is TLS
                      auth_required=True, auth_require_tls=not a.implicit_tls,
                      authenticator=authenticator)

    async def serve():
        loop = asyncio.get_running_loop()
        srv = await loop.create_server(factory, a.host, 0,
                                       ssl=ctx if a.implicit_tls else None)
        port = srv.sockets[0].getsockname()[1]
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
        async with srv:
            await srv.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
