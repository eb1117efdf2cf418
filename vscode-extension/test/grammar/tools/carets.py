"""Writes a vscode-tmgrammar-test file from a spec: source lines, each followed by `@@ TEXT | SCOPE [| N]`
lines that put carets under the (N-th, whole-word when possible) TEXT of the line above.
Usage: python3 carets.py statements.spec > ../statements.test.kon"""
import re,sys
# spec: list of (source line, [(text, occurrence, scope), ...])
def caret(line, text, scope, occ=0):
    pattern = (r"(?<![\w-])" if text[0].isalnum() else "") + re.escape(text) + (r"(?![\w-])" if text[-1].isalnum() else "")
    found=[m.start() for m in re.finditer(pattern, line)] or [m.start() for m in re.finditer(re.escape(text), line)]
    idx=found[occ]
    if idx==0:
        return "# <" + "-"*len(text) + " " + scope
    assert idx>=1, (line,text)
    return "#" + " "*(idx-1) + "^"*len(text) + " " + scope
out=[]
cur=None
for raw in open(sys.argv[1]).read().split("\n"):
    if raw.startswith("@@ "):
        parts=raw[3:].split(" | ")
        text=parts[0]; scope=parts[1]; occ=int(parts[2]) if len(parts)>2 else 0
        out.append(caret(cur,text,scope,occ))
    else:
        cur=raw; out.append(raw)
print("\n".join(out))
