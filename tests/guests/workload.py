# A translation-heavy guest workload: Debian's /usr/bin/python3 (dynamically
# linked) running JSON and regex work under qemu-x86_64.
import json, re, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
words = re.compile(r"[a-z]+(?:_[a-z0-9]+)*")
doc = {"items": [{"id": i, "name": "item_%d" % i, "tags": ["t%d" % (i % 7), "x"],
                  "score": i * 0.5} for i in range(n)]}
total = 0
for r in range(20):
    s = json.dumps(doc, sort_keys=True)
    d = json.loads(s)
    total += sum(len(words.findall(it["name"])) for it in d["items"])
print("workload:", total)
