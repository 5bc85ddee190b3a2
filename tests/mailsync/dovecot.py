"""A private Dovecot IMAP server on loopback for the tests: its own config file, ports, users
(passwd-file) and maildirs in a temporary directory; nothing system-wide is read or changed.

Runs as root (the mail files then belong to Dovecot's own unprivileged user, as Dovecot will not
give mail access to uid 0) or as any other user (everything then runs as that user)."""

from __future__ import annotations

import contextlib
import datetime as dt
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

BINARY = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A throw-away certificate for localhost / 127.0.0.1 (trusted only by tests that say so)."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class Dovecot:
    """``users`` are written to the passwd file at start: Dovecot notices a changed passwd file by
    its mtime, which has a resolution of a second, so users are not added while it runs."""

    root: Path
    port: int = 0  # plain IMAP, STARTTLS offered
    tls_port: int = 0  # implicit TLS
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    cert: Path | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def _accounts(self) -> tuple[str, str, int, int]:
        """(login user, internal user, mail uid, mail gid)."""
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid
        names = {entry.pw_name: entry for entry in pwd.getpwall()}
        internal = names.get("dovecot") or names["nobody"]
        login = names.get("dovenull") or names["nobody"]
        return login.pw_name, internal.pw_name, internal.pw_uid, internal.pw_gid

    def write_config(self) -> Path:
        login, internal, uid, gid = self._accounts()
        self.cert, key = self_signed(self.root)
        for sub in ("run", "mail", "home"):
            (self.root / sub).mkdir(exist_ok=True)
        for sub in ("mail", "home"):
            os.chown(self.root / sub, uid, gid)
        passwd = self.root / "passwd"
        passwd.write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        chroot = "" if os.geteuid() == 0 else "\n  chroot ="
        config = f"""
base_dir = {self.root}/run
state_dir = {self.root}/run/state
instance_name = extramile-test-{self.port}
log_path = {self.root}/dovecot.log
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(gid).gr_name}
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {uid}
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox "Sent Messages" {{
    auto = no
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}{chroot}
}}
service anvil {{{chroot}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
        path = self.root / "dovecot.conf"
        path.write_text(config)
        return path

    def start(self) -> None:
        assert BINARY is not None
        self.port, self.tls_port = free_port(), free_port()
        config = self.write_config()
        self.process = subprocess.Popen(
            [BINARY, "-F", "-c", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = (
                    self.process.stdout.read().decode(errors="replace")
                    if self.process.stdout
                    else ""
                )
                raise RuntimeError(f"dovecot exited: {output} {self.log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), 0.5),
            ):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @contextlib.contextmanager
    def imap(self, username: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(username, self.users[username])
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def append(
        self, username: str, folder: str, raw: bytes, when: dt.datetime, flags: str = ""
    ) -> None:
        with self.imap(username) as client:
            status, data = client.append(folder, flags, imaplib.Time2Internaldate(when), raw)
            assert status == "OK", data

    def expunge(self, username: str, folder: str, subject: str) -> None:
        with self.imap(username) as client:
            client.select(folder)
            _, found = client.uid("SEARCH", "SUBJECT", f'"{subject}"')
            for uid in found[0].split():
                client.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
            client.expunge()

    def reset_uidvalidity(self, username: str, folder: str, uidvalidity: int) -> None:
        """What a server does after its index is rebuilt: the same messages numbered again from
        1 under a new UIDVALIDITY."""
        maildir = self.root / "mail" / username
        if folder != "INBOX":
            maildir = maildir / f".{folder}"
        for path in maildir.glob("dovecot*"):
            path.unlink()
        self.doveadm(
            "mailbox", "update", "-u", username, "--uid-validity", str(uidvalidity), folder
        )

    def doveadm(self, *args: str) -> str:
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        result = subprocess.run(
            [doveadm, "-c", str(self.root / "dovecot.conf"), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return result.stdout
