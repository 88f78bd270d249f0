"""Seeded values shared by the golden scripts and the Java tests that rebuild the same inputs.

uniform(name, count): count values in [-1, 1), the same in Python and Java (FNV-1a 64 of the name
as the key, SplitMix64's finaliser of key + (i + 1) * golden ratio, top 53 bits).
"""
import numpy as np

MASK64 = (1 << 64) - 1


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & MASK64
    return h


def uniform(name, count):
    """count values in [-1, 1): splitmix64's finaliser of key + (i + 1) * golden ratio, top 53 bits."""
    with np.errstate(over="ignore"):
        z = np.uint64(fnv1a64(name)) + (np.arange(count, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53 * 2.0 - 1.0
