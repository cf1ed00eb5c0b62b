#!/usr/bin/python3
# tcp_hoard.py PORT CONNS QNAME QTYPE SECONDS: CONNS TCP clients each send 64 KiB of pipelined queries
# for a large answer and never read; prints the server's VmRSS (PID from argv[6]) as it goes.
import socket, struct, sys, time, dns.message
port, conns, qname, qtype, secs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
pid = sys.argv[6] if len(sys.argv) > 6 else None
w = dns.message.make_query(qname, qtype).to_wire()
msg = struct.pack("!H", len(w)) + w
blob = msg * (65000 // len(msg))
socks = []
def rss():
    if pid is None:
        return "?"
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS"):
            return l.split()[1] + " kB"
for i in range(conns):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setblocking(False)
        try:
            s.send(blob)
        except BlockingIOError:
            pass
        socks.append(s)
    except Exception as e:
        print("connect", i, e)
        break
print("open:", len(socks), "rss:", rss())
end = time.time() + secs
while time.time() < end:
    time.sleep(1)
    # keep every connection busy: a byte more now and then so none is idle
    for s in socks:
        try:
            s.send(msg)
        except Exception:
            pass
    print("rss:", rss(), flush=True)
