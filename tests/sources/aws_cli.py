"""Run generated shell scripts with the real AWS CLI against the moto server, quickly.

Each ``aws`` invocation of the CLI (awscli v1) spends most of its 0.6 s importing botocore. A
small fork server imports awscli once; the ``aws`` on the scripts' PATH is a stdlib-only client
that hands it the arguments, environment, working directory and its standard streams, and the
server forks a child that runs the arguments through ``CLIDriver.main`` as the ``aws`` entry point
does, on a driver built (plugins loaded, command table made) before the fork. So every command
still goes through the real CLI: argument parsing, ``file://`` parameters, ``--query``, output
formatting and error exits; credentials, region and endpoint come from the command's own
environment (the shared configuration file is read once, which these scripts do not use).

awscli v1 pins SQS to its legacy host whatever ``AWS_ENDPOINT_URL`` says (it only yields to
``--endpoint-url``), so the client passes ``--endpoint-url $AWS_ENDPOINT_URL`` for every command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SERVER = r"""
import json, os, socket, sys
import awscli.clidriver
driver = awscli.clidriver.create_clidriver()  # plugins loaded, command table built once
driver._get_command_table()
server = socket.socket(socket.AF_UNIX)
server.bind(sys.argv[1])
server.listen(4)
print("ready", flush=True)
while True:
    conn, _ = server.accept()
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    chunks = [message]
    while chunk := conn.recv(1 << 16):
        chunks.append(chunk)
    request = json.loads(b"".join(chunks))
    pid = os.fork()
    if pid == 0:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        data_path = os.environ["AWS_DATA_PATH"]  # set by importing awscli
        os.environ.clear()
        os.environ.update(request["env"], AWS_DATA_PATH=data_path)
        os.chdir(request["cwd"])
        try:
            code = driver.main(request["argv"])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 255
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
    for fd in fds:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    conn.sendall(str(os.waitstatus_to_exitcode(status)).encode())
    conn.close()
"""

CLIENT = r"""#!{python} -S
import json, os, socket, sys
argv = sys.argv[1:]
if os.environ.get("AWS_ENDPOINT_URL"):
    argv = ["--endpoint-url", os.environ["AWS_ENDPOINT_URL"], *argv]
payload = json.dumps({{"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}}).encode()
conn = socket.socket(socket.AF_UNIX)
conn.connect({socket_path!r})
socket.send_fds(conn, [payload[:1024]], [0, 1, 2])
conn.sendall(payload[1024:])
conn.shutdown(socket.SHUT_WR)
answer = b""
while chunk := conn.recv(64):
    answer += chunk
sys.exit(int(answer or b"255"))
"""


class AwsCli:
    """The fork server and a ``bin`` folder whose ``aws`` talks to it."""

    def __init__(self, root: Path) -> None:
        self.socket_path = str(root / "aws.sock")
        self.bin = root / "bin"
        self.bin.mkdir()
        client = self.bin / "aws"
        client.write_text(CLIENT.format(python=sys.executable, socket_path=self.socket_path))
        client.chmod(0o755)
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, self.socket_path],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the AWS CLI server did not start")

    def run(self, script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run a bash script with this ``aws`` first on the PATH."""
        path = cwd / "script.sh"
        path.write_text(script)
        full = {**env, "PATH": f"{self.bin}{os.pathsep}{env.get('PATH', os.defpath)}"}
        return subprocess.run(
            ["bash", str(path)], env=full, cwd=cwd, capture_output=True, text=True, timeout=300
        )

    def close(self) -> None:
        """Stop the server."""
        self.process.terminate()
        self.process.wait(timeout=10)
