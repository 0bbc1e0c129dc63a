#!/usr/bin/env python3
"""Regenerates the Python part of the demo corpus from the documentation that ships with CPython.

Sources (PSF License, see LICENSE-PSF.txt and NOTICE.md):
  * pydoc_data.topics: the language-reference topics behind help("if"), help("with"), ...
  * the docstrings of the standard-library modules (module, public functions, classes, methods)
  * the Zen of Python (the `this` module)

Output goes to docs/engineering/language-reference, docs/engineering/stdlib/<category> and
docs/public/python. The hand-written, fictional notes under docs/hr, docs/finance and docs/public
are not touched. Every module is imported in its own subprocess (isolated mode, warnings off, with a
timeout), so a module with import-time side effects cannot disturb the others or this script.

The output depends on the Python version (docstrings change between releases); the committed corpus
was generated with the version named in NOTICE.md. Run: python3 generate.py
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
MAX_DOC_CHARS = 16_000  # keeps the corpus small (a few MB) and each document a readable size
EXPECTED_VERSION = (3, 11)

# Module → directory, following the chapters of the Python Library Reference. Modules that are
# deprecated (PEP 594), platform-specific, GUI/demo-only or internal are deliberately absent.
CATEGORIES = {
    "text-processing": "string re difflib textwrap unicodedata stringprep rlcompleter",
    "binary-data": "struct codecs",
    "data-types": "datetime zoneinfo calendar collections collections.abc heapq bisect array weakref types "
    "copy pprint reprlib enum graphlib",
    "numeric": "numbers math cmath decimal fractions random statistics",
    "functional": "itertools functools operator",
    "files-and-directories": "pathlib os.path fileinput stat filecmp tempfile glob fnmatch linecache shutil",
    "persistence": "pickle copyreg shelve marshal dbm dbm.dumb sqlite3",
    "compression": "zlib gzip bz2 lzma zipfile tarfile",
    "file-formats": "csv configparser tomllib netrc plistlib",
    "cryptography": "hashlib hmac secrets",
    "os-services": "os io time argparse optparse getopt logging logging.config logging.handlers getpass "
    "platform errno ctypes",
    "concurrency": "threading multiprocessing multiprocessing.pool multiprocessing.managers "
    "multiprocessing.shared_memory concurrent.futures subprocess sched queue contextvars",
    "networking": "asyncio asyncio.events asyncio.locks asyncio.queues asyncio.streams asyncio.subprocess "
    "asyncio.tasks socket ssl select selectors signal mmap",
    "internet-data": "email email.message email.policy email.headerregistry email.utils email.parser "
    "email.generator email.header email.charset email.errors email.contentmanager json mailbox "
    "mimetypes base64 binascii quopri",
    "markup": "html html.parser html.entities xml.etree.ElementTree xml.dom xml.dom.minidom xml.dom.pulldom "
    "xml.sax xml.sax.handler xml.sax.saxutils xml.parsers.expat",
    "internet-protocols": "webbrowser wsgiref wsgiref.simple_server wsgiref.util urllib.request urllib.parse "
    "urllib.error urllib.robotparser http http.client http.server http.cookies http.cookiejar ftplib "
    "poplib imaplib smtplib uuid socketserver xmlrpc.client xmlrpc.server ipaddress",
    "multimedia": "wave colorsys",
    "internationalization": "gettext locale",
    "frameworks": "cmd shlex",
    "development-tools": "typing pydoc doctest unittest unittest.mock unittest.case",
    "debugging-and-profiling": "bdb faulthandler pdb timeit trace tracemalloc cProfile profile pstats",
    "packaging": "venv zipapp",
    "runtime": "sys sysconfig warnings dataclasses contextlib abc atexit traceback gc inspect site",
    "interpreters": "code codeop",
    "importing": "zipimport pkgutil modulefinder runpy importlib importlib.abc importlib.machinery "
    "importlib.resources importlib.metadata importlib.util",
    "language-services": "ast symtable token keyword tokenize tabnanny pyclbr py_compile compileall dis "
    "pickletools",
}

# Runs inside the subprocess: imports one module and prints its documentation as JSON.
INTROSPECT = r"""
import inspect, json, sys
name = sys.argv[1]
module = __import__(name, fromlist=["_"])

def doc(obj):
    text = obj.__doc__ if isinstance(getattr(obj, "__doc__", None), str) else ""
    return inspect.cleandoc(text) if text else ""

LOCAL = [p for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.executable} if p]

def sig(obj):
    try:
        text = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""
    # Defaults whose repr differs per run or names this machine's paths would make the output unstable.
    return "" if " at 0x" in text or any(p in text for p in LOCAL) else text

def public(names):
    return sorted(n for n in names if not n.startswith("_"))

exported = getattr(module, "__all__", None)
functions, classes = [], []
for attr in public(exported if exported is not None else dir(module)):
    obj = getattr(module, attr, None)
    if exported is None and getattr(obj, "__module__", None) != module.__name__:
        continue  # re-exported from elsewhere; documented there
    if inspect.isclass(obj):
        methods = []
        for m in public(vars(obj)):
            member = vars(obj)[m]
            target = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            if callable(target) and doc(target):
                methods.append({"name": m, "sig": sig(target), "doc": doc(target)})
        classes.append({"name": attr, "sig": sig(obj), "doc": doc(obj), "methods": methods})
    elif callable(obj) and doc(obj):
        functions.append({"name": attr, "sig": sig(obj), "doc": doc(obj)})
print(json.dumps({"doc": doc(module), "functions": functions, "classes": classes}))
"""


def introspect(module):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-I", "-W", "ignore", "-c", INTROSPECT, module],
        capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed")
    return json.loads(result.stdout)


def first_paragraph(text):
    return text.split("\n\n", 1)[0].strip()


def summary(text):
    sentence = re.split(r"(?<=[.!?])\s", " ".join(first_paragraph(text).split()), maxsplit=1)[0].rstrip(".")
    if len(sentence) <= 100:
        return sentence
    return sentence[:100].rsplit(" ", 1)[0] + " …"


def module_markdown(module, info, version):
    head = summary(info["doc"])
    parts = [f"# {module} — {head}" if head else f"# {module}", ""]
    parts += [f"*Python {version} standard library: the docstrings of module `{module}`.*", ""]
    if info["doc"]:
        parts += [info["doc"], ""]
    sections = []
    for f in info["functions"]:
        sections.append(f"### `{module}.{f['name']}{f['sig']}`\n\n{f['doc']}\n")
    for c in info["classes"]:
        lines = [f"### class `{module}.{c['name']}{c['sig']}`\n"]
        if c["doc"]:
            lines.append(c["doc"] + "\n")
        for m in c["methods"]:
            lines.append(f"#### `{c['name']}.{m['name']}{m['sig']}`\n\n{first_paragraph(m['doc'])}\n")
        sections.append("\n".join(lines))
    body = "\n".join(parts)
    if sections:
        body += "\n## Contents\n\n"
    omitted = 0
    for section in sections:
        if len(body) + len(section) > MAX_DOC_CHARS:
            omitted += 1
            continue
        body += section + "\n"
    if omitted:
        body += f"*{omitted} more entries are left out to keep this document short; see help({module}).*\n"
    return tidy(body)


def topic_markdown(key, text, version):
    lines = text.split("\n")
    out = []
    i = 0
    levels = {"*": "#", "=": "##", "-": "###", "~": "####"}
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (line.strip() and len(nxt) == len(line) and len(set(nxt)) == 1 and nxt[0] in levels
                and len(nxt) > 2):
            out.append(f"{levels[nxt[0]]} {line.strip()}")
            if nxt[0] == "*":
                out += ["", f"*Python {version} language reference, topic `{key}` (as shown by help(\"{key}\")).*"]
            i += 2
            continue
        # The source indents literal blocks by three spaces; Markdown needs four for code.
        out.append(" " + line if line.startswith("   ") else line)
        i += 1
    return tidy("\n".join(out))


def tidy(text):
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def main():
    if sys.version_info[:2] != EXPECTED_VERSION:
        print(f"note: the committed corpus was generated with Python {EXPECTED_VERSION[0]}.{EXPECTED_VERSION[1]}; "
              f"this is {sys.version.split()[0]}, so docstrings will differ", file=sys.stderr)
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    for generated in ("engineering/language-reference", "engineering/stdlib", "public/python"):
        shutil.rmtree(DOCS / generated, ignore_errors=True)

    import pydoc_data.topics

    for key, text in sorted(pydoc_data.topics.topics.items()):
        write(DOCS / "engineering/language-reference" / f"{key}.md", topic_markdown(key, text, version))
    count = len(pydoc_data.topics.topics)

    skipped = []
    for category, names in sorted(CATEGORIES.items()):
        for module in sorted(names.split()):
            try:
                info = introspect(module)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                skipped.append(f"{module} ({e})")
                continue
            write(DOCS / "engineering/stdlib" / category / f"{module}.md", module_markdown(module, info, version))
            count += 1

    write(DOCS / "public/python/builtins.md", module_markdown("builtins", introspect("builtins"), version))
    zen = subprocess.run([sys.executable, "-I", "-c", "import this"], capture_output=True, text=True, check=True)
    write(DOCS / "public/python/zen-of-python.md",
          f"# The Zen of Python\n\n*By Tim Peters, as printed by `import this` (Python {version}).*\n\n"
          + "\n".join("    " + line for line in zen.stdout.strip().split("\n")[2:]) + "\n")
    count += 2
    local = [p for p in {sys.prefix, sys.base_prefix, sys.executable, str(Path.home())} if len(p) > 1]
    for path in sorted(DOCS.rglob("*.md")):
        if any(p in path.read_text(encoding="utf-8") for p in local):
            sys.exit(f"error: {path} names a path of this machine; refusing to leave it in the corpus")
    print(f"wrote {count} documents" + (f"; skipped: {', '.join(skipped)}" if skipped else ""))


if __name__ == "__main__":
    main()
