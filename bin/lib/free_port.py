"""Prints a TCP port on 127.0.0.1 that nothing listens on, for a server a script is about to start.

Usage:
    python3 bin/lib/free_port.py

Why not bind to port 0: the kernel answers from its ephemeral range, the same range it hands to
every other process's bind(0) and outgoing connect(). In CI several lanes start JVMs, brokers and
servers at once, so a port picked that way and released can be taken again before our server binds
it, and a Spark master that finds its port taken moves to the next one without failing. A port
below the ephemeral range is handed out only to those who ask for it by number.
"""
import random
import socket


def ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    high = ephemeral_low() - 1
    low = 20000 if high > 25000 else 1024
    for port in random.sample(range(low, high + 1), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    print(free_port())
