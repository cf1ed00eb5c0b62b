#!/usr/bin/python3
# rrl_spoof.py PORT N PID: N queries, each from another 127.x.y.z source (loopback stands in for a
# spoofing attacker), each for another name; prints the server's VmRSS before and after.
import socket, struct, sys, random
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def rss():
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS"):
            return int(l.split()[1])
before = rss()
types = [1, 28, 15, 16, 33, 6, 2, 99, 13, 257]
for i in range(n):
    a = "127.%d.%d.%d" % (random.randrange(1, 255), random.randrange(0, 256), random.randrange(1, 255))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((a, 0))
    except OSError:
        s.close()
        continue
    q = struct.pack("!6H", i & 0xffff, 0, 1, 0, 0, 0) + b"\x03www\x07example\x03net\x00" + struct.pack("!HH", random.choice(types), 1)
    s.sendto(q, ("127.0.0.1", port))
    s.close()
print("VmRSS before %d kB, after %d queries %d kB" % (before, n, rss()))
