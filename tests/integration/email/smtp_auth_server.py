"""An SMTP server for the email tests that demands AUTH (PLAIN or LOGIN)
over plain TCP and stores accepted messages in a maildir.

usage: smtp_auth_server.py PORT USER PASSWORD MAILDIR
"""
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    port, user, password, maildir = sys.argv[1:5]

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    controller = Controller(Mailbox(maildir), hostname="127.0.0.1",
                            port=int(port), authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    print("listening", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    main()
