#!/usr/bin/python3
# hostile_ctl.py SANDNSCTL: a fake daemon on a Unix socket sends replies sandnsctl must survive;
# prints sandnsctl's exit status for each (negative: killed by that signal).
import os, socket, subprocess, sys, tempfile, threading
ctl = sys.argv[1]
replies = {
    "nul first": b"\x00\n.\n",
    "nul in status": b"ok\x00\n.\n",
    "no newline status": b".\n",
    "dot only": b"\n.\n",
    "error nul": b"error: x\x00y\n.\n",
    "huge": b"ok\n" + b"a" * (64 << 20) + b"\n.\n",
}
d = tempfile.mkdtemp()
for name, data in replies.items():
    path = os.path.join(d, "s.sock")
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    def serve():
        c, _ = srv.accept()
        c.recv(4096)
        try:
            c.sendall(data)
        except Exception:
            pass
        c.close()
    th = threading.Thread(target=serve)
    th.start()
    p = subprocess.run([ctl, "--control", path, "status"], capture_output=True, timeout=30)
    th.join()
    srv.close()
    print("%-18s exit %d %s" % (name, p.returncode, p.stderr.decode(errors="replace").strip()[:200].replace("\n", " | ")))
