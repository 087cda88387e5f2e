"""A real SFTP server for tests: paramiko's server side serving a temp directory
on 127.0.0.1, with password and public-key users (after paramiko's own stub)."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import paramiko
from paramiko import SFTPAttributes, SFTPHandle, SFTPServer, SFTPServerInterface
from paramiko.sftp import SFTP_FAILURE, SFTP_OK


class _Handle(SFTPHandle):
    def stat(self):
        try:
            return SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)


class _Sftp(SFTPServerInterface):
    root = "/"

    def _real(self, path: str) -> str:
        return self.root + self.canonicalize(path)

    def list_folder(self, path):
        real = self._real(path)
        try:
            out = []
            for name in os.listdir(real):
                attr = SFTPAttributes.from_stat(os.stat(os.path.join(real, name)))
                attr.filename = name
                out.append(attr)
            return out
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)

    def stat(self, path):
        try:
            return SFTPAttributes.from_stat(os.stat(self._real(path)))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)

    lstat = stat

    def open(self, path, flags, attr):
        real = self._real(path)
        try:
            fd = os.open(real, flags | getattr(os, "O_BINARY", 0), 0o644)
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        mode = (
            "rb"
            if flags & (os.O_WRONLY | os.O_RDWR) == 0
            else ("r+b" if flags & os.O_RDWR else "wb")
        )
        if flags & os.O_APPEND:
            mode = "ab"
        handle = _Handle(flags)
        fobj = os.fdopen(fd, mode)
        handle.filename, handle.readfile, handle.writefile = real, fobj, fobj
        return handle

    def remove(self, path):
        try:
            os.remove(self._real(path))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        return SFTP_OK

    def rename(self, oldpath, newpath):
        real_new = self._real(newpath)
        if os.path.exists(real_new):
            return SFTP_FAILURE
        return self.posix_rename(oldpath, newpath)

    def posix_rename(self, oldpath, newpath):
        try:
            os.replace(self._real(oldpath), self._real(newpath))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        return SFTP_OK

    def mkdir(self, path, attr):
        try:
            os.mkdir(self._real(path))
        except OSError as exc:
            return SFTPServer.convert_errno(exc.errno)
        return SFTP_OK


@dataclass
class SftpServer:
    root: Path
    username: str = "ada"
    password: str = "s3cret"
    authorized_key: paramiko.PKey | None = None
    host_key: paramiko.PKey = field(default_factory=paramiko.ECDSAKey.generate)
    port: int = 0

    def start(self) -> SftpServer:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        server = self
        _Sftp.root = str(self.root)

        class Auth(paramiko.ServerInterface):
            def check_auth_password(self, username, password):
                ok = username == server.username and password == server.password
                return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

            def check_auth_publickey(self, username, key):
                ok = server.authorized_key is not None and key == server.authorized_key
                return (
                    paramiko.AUTH_SUCCESSFUL
                    if ok and username == server.username
                    else paramiko.AUTH_FAILED
                )

            def get_allowed_auths(self, username):
                return "password,publickey"

            def check_channel_request(self, kind, chanid):
                return paramiko.OPEN_SUCCEEDED

        transport = paramiko.Transport(client)
        transport.add_server_key(self.host_key)
        transport.set_subsystem_handler("sftp", SFTPServer, _Sftp)
        try:
            transport.start_server(server=Auth())
            while transport.is_active() and self.running:
                transport.join(0.2)
        except Exception:
            pass
        finally:
            transport.close()

    def stop(self) -> None:
        self.running = False
        self.sock.close()

    def fingerprint(self) -> str:
        from connectors.builtin.sftp import fingerprint

        return fingerprint(self.host_key)
