#!/usr/bin/env python3
"""Turns cuda-kernels/<family>.cu into C++ over the CPU emulation (cuda_shim.h): drops the CUDA
headers, makes dynamic shared memory (extern __shared__) point at the launch's block buffer and each
static __shared__ variable a per-block slot (both pattern-filled by the shim), and replaces the
bodies of the inline-asm helpers (cp.async, ldmatrix, mma.sync bf16 / tf32, cvt.rna.tf32) by the
shim's stand-ins. Fails when an asm statement is left that it does not know.

Usage: translate.py IN.cu OUT.cpp
"""
import re
import sys

src, dst = sys.argv[1], sys.argv[2]
s = open(src).read()
s = s.replace('#include <cuda_bf16.h>\n', '')
s = '#include "cuda_shim.h"\n' + s

# extern __shared__ T name[];  ->  the block's dynamic shared memory
def dynamic(m):
    indent, typ, name = m.group(1), m.group(3), m.group(4)
    if indent == '':  # namespace scope: evaluated at every use
        return f'#define {name} (reinterpret_cast<{typ} *>(emu::dynamicSmem))'
    return f'{indent}{typ} *const {name} = reinterpret_cast<{typ} *>(emu::dynamicSmem);'
s = re.sub(r'^([ \t]*)extern __shared__ (__align__\(\d+\) )?([A-Za-z_][\w ]*?) (\w+)\[\];', dynamic, s, flags=re.M)

# __shared__ [__align__(n)] T a[..][..], b[..];  ->  per-block slots
def static(m):
    indent, typ, decls = m.group(1), m.group(3), m.group(4)
    out = []
    for d in decls.split(','):
        dm = re.fullmatch(r'\s*(\w+)((?:\[[^\]]+\])*)\s*', d)
        if not dm:
            sys.exit(f"cannot parse shared declaration: {m.group(0)}")
        name, dims = dm.group(1), dm.group(2)
        out.append(f'static emu::SharedSlot<{typ}{dims}> {name}__slot; '
                   f'{typ}(&{name}){dims} = {name}__slot.get();')
    return indent + ' '.join(out)
s = re.sub(r'^([ \t]*)__shared__ (__align__\(\d+\) )?((?:unsigned |signed |long |short )*\w+) ([^;]+);',
           static, s, flags=re.M)
if '__shared__' in re.sub(r'//.*', '', s):
    sys.exit("untranslated __shared__ declaration")

helpers = {
    r'void cp_async16\(void \*smem, const void \*gmem, bool valid\) \{': 'emu::cp_async16(smem, gmem, valid);',
    r'void ldmatrix_x4\(unsigned int \(&r\)\[4\], const void \*smem\) \{': 'emu::ldmatrix_x4(r, smem);',
    r'void mma_bf16\(float \(&c\)\[4\], const unsigned int \(&a\)\[4\], unsigned int b0,\s*unsigned int b1\) \{':
        'emu::mma_bf16_m16n8k16(c, a, b0, b1);',
    r'unsigned nt_xent_tf32\(float x\) \{': 'return emu::tf32_rna(x);',
    r'void nt_xent_mma\(float \(&d\)\[4\], const unsigned \(&a\)\[4\], const unsigned \(&b\)\[2\]\) \{':
        'emu::mma_tf32_m16n8k8(d, a, b);',
}
for head, body in helpers.items():
    if not re.search(head, s):
        continue
    s, k = re.subn('(' + head + r').*?\n\}', lambda m: m.group(1) + ' ' + body + ' }', s, flags=re.S)
    if k != 1:
        sys.exit(f"helper found {k} times: {head}")
s = re.sub(r'\s*asm volatile\("cp\.async\.(commit_group|wait_group \d);\\n" ::\);', '', s)
left = [line for line in s.splitlines() if re.search(r'\basm\b', line) and not line.strip().startswith('//')]
if left:
    sys.exit("untranslated asm: " + "; ".join(left))
open(dst, 'w').write(s)
