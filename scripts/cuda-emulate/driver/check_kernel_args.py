#!/usr/bin/env python3
"""Static cross-check (heuristic) of the Java launch sites against native/*.h: for every
`.launch(` in java/src/main/java, the KernelArgs chain (ptr/i32/i64/f32 -> p/i/l/f) must equal the
declared parameter kinds of the kernel named in the statement. The emulated driver cannot see an i32
passed for a declared long long (zeroed slots), this does. Run from the repository root; prints OK /
MISMATCH / ? (could not resolve) per launch site and exits 1 on a MISMATCH."""
import glob
import re
import sys

bad = 0
hk={}
for f in glob.glob('native/*.h'):
    s=re.sub(r'/\*.*?\*/','',open(f).read(),flags=re.S); s=re.sub(r'//.*','',s)
    for m in re.finditer(r'__global__\s+void\s+(\w+)\s*\(([^)]*)\)\s*;',s):
        ks=''
        for p in m.group(2).split(','):
            p=p.strip()
            ks+= 'p' if '*' in p else ('l' if 'long long' in p else 'f' if p.startswith('float') else 'i')
        hk[m.group(1)]=ks
code={'ptr':'p','i32':'i','i64':'l','f32':'f'}
def chain(text):
    # the KernelArgs chain at the start of text, balanced parens
    out='';i=0
    for m in re.finditer(r'\.(ptr|i32|i64|f32)\(',text):
        out+=code[m.group(1)]
    return out
for f in glob.glob('java/src/main/java/lessismore/**/*.java',recursive=True):
    s=open(f).read()
    varmap={}
    for m in re.finditer(r'(\w+)\s*=\s*\w+\.function\("(\w+)"\)',s): varmap.setdefault(m.group(1),[]).append(m.group(2))
    for m in re.finditer(r'\.launch\(',s):
        start=m.start()
        # statement text: from previous ';' or '{' or '}' to the matching ';'
        st=max(s.rfind(';',0,start),s.rfind('{',0,start),s.rfind('}',0,start))+1
        end=s.find(';',start)
        stmt=s[st:end]
        names=re.findall(r'function\("(\w+)"\)|fn\("(\w+)"\)',stmt)
        names=[a or b for a,b in names]
        if not names:
            v=re.search(r'(\w+)\s*\.launch\(',stmt)
            names=varmap.get(v.group(1),[]) if v else []
        # also ternary names
        names+= [x for x in re.findall(r'"(\w+)"',stmt) if x in hk and x not in names]
        call=s[start:end]
        if 'new KernelArgs()' in call:
            ks=chain(call[call.find('new KernelArgs()'):])
        else:
            av=re.search(r',\s*(\w+)\)\s*$',call)
            if not av: print('?',f,s.count('\n',0,start)+1); continue
            d=s.rfind(av.group(1)+' = new KernelArgs()',0,start)
            if d<0: print('? args',f,s.count('\n',0,start)+1); continue
            if re.search(r'\b' + av.group(1) + r'\.(ptr|i32|i64|f32)\(', s[s.find(';', d):start]):
                print('? args built in several statements (check by hand)', f, s.count('\n', 0, start) + 1)
                continue
            ks=chain(s[d:s.find(';',d)])
        line=s.count('\n',0,start)+1
        if not names: print('? name',f,line,ks); continue
        ok=[n for n in names if hk.get(n)==ks]
        bad += not ok
        print('OK ' if ok else 'MISMATCH', f.split('/')[-1],line,names,ks,[hk.get(n) for n in names])
sys.exit(1 if bad else 0)
