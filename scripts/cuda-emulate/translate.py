#!/usr/bin/env python3
"""Turns cuda-kernels/<family>.cu into C++ for the CPU emulation (cuda_shim.h): drops the CUDA
headers and extern "C", and replaces the bodies of the inline-asm helpers (cp.async, ldmatrix,
mma.sync) by the shim's emulations. Fails when an asm statement is left that it does not know.

Usage: translate.py IN.cu OUT.cpp
"""
import re
import sys

src, dst = sys.argv[1], sys.argv[2]
s = open(src).read()
s = re.sub(r'#include "[a-z_]+\.h"\n', '', s).replace('#include <cuda_bf16.h>\n', '')
s = '#include "cuda_shim.h"\n' + s.replace('extern "C" ', '')
helpers = {
    r'void cp_async16\(void \*smem, const void \*gmem, bool valid\) \{': 'cp_async16_emu(smem, gmem, valid);',
    r'void ldmatrix_x4\(unsigned int \(&r\)\[4\], const void \*smem\) \{': 'ldmatrix_x4_emu(r, smem);',
    r'void mma_bf16\(float \(&c\)\[4\], const unsigned int \(&a\)\[4\], unsigned int b0,\s*unsigned int b1\) \{':
        'mma_bf16_emu(c, a, b0, b1);',
}
for head, body in helpers.items():
    s, k = re.subn('(' + head + r').*?\n\}', lambda m: m.group(1) + ' ' + body + ' }', s, flags=re.S)
    if k != 1:
        sys.exit(f"helper not found exactly once: {head}")
s = re.sub(r'\s*asm volatile\("cp\.async\.(commit_group|wait_group \d);\\n" ::\);', '', s)
left = [line for line in s.splitlines() if 'asm' in line]
if left:
    sys.exit("untranslated asm: " + "; ".join(left))
open(dst, 'w').write(s)
