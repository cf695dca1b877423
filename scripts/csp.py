#!/usr/bin/env python3
"""Writes the release site's Content-Security-Policy into DIST/index.html, as its first <head> element.

Usage: scripts/csp.py DIST   (run by `make dist` after trunk and scripts/kubectl-module.sh)

The policy is a <meta http-equiv> because the site is static: a host serves whatever files it is
given, and may add no headers. It allows only what the page needs:
- scripts from the site itself, plus each inline <script> of the built page by its SHA-256 (the
  page's own start-up reporter from index.html, and trunk's module loader), so no other inline script,
  injected or not, ever runs; `wasm-unsafe-eval` compiles the two wasm modules, and nothing allows
  eval() of JavaScript;
- styles from the site's stylesheet; `style` attributes too (style-src-attr), because the timeline
  places its markers with them, and a style attribute cannot run code;
- fetches (the wasm, the kubectl module) from the site; images from the site and data: URLs (the
  empty favicon); no plugins, no frames, no <base>, no form targets.

The hashes are computed from the built file, so they are right whatever trunk writes. (A nonce
would not do: in a static file it is the same for every visitor, so it protects nothing.)
"""

import base64
import hashlib
import re
import sys

# Inline scripts: <script> elements without a src attribute, with their exact text (what CSP hashes).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.I)
META_NAME = "Content-Security-Policy"


def policy(script_hashes):
    sources = " ".join(f"'sha256-{h}'" for h in script_hashes)
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'wasm-unsafe-eval' {sources}",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/csp.py DIST")
    path = f"{sys.argv[1]}/index.html"
    try:
        with open(path, encoding="utf-8") as f:
            html = f.read()
    except OSError as e:
        sys.exit(f"FAILED: csp: {path}: {e.strerror} (run trunk build first)")
    if META_NAME in html:
        sys.exit(f"FAILED: csp: {path} has a {META_NAME} already (it is written once, after trunk)")
    scripts = [m.group(1) for m in INLINE_SCRIPT.finditer(html)]
    if not scripts:
        sys.exit(f"FAILED: csp: {path} has no inline script: is it trunk's output?")
    hashes = [base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in scripts]
    charset = CHARSET.search(html)
    if charset is None:
        sys.exit(f"FAILED: csp: {path} has no <meta charset>, after which the policy goes")
    meta = f'\n    <meta http-equiv="{META_NAME}" content="{policy(hashes)}" />'
    html = html[: charset.end()] + meta + html[charset.end() :]
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)


if __name__ == "__main__":
    main()
