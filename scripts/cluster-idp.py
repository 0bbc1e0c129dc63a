#!/usr/bin/env python3
"""The local cluster's identity provider (scripts/cluster.sh): one RS256 key, its public half as
JWKS, and a token endpoint that signs a token for whoever asks.

For local use only, like the service's demo mode: anyone who reaches it can mint any token. It
binds to 127.0.0.1. Unlike demo mode, every replica trusts the same key, so a token is accepted
by all of them and survives a replica's restart.

  GET  /jwks.json                  the public key (what AUTH_JWKS_URL points at)
  POST /token, POST /demo/token    {"user", "tenant"?, "agent"?, "scopes"?: [..] or "a b",
                                    "ttlSeconds"?} -> {"accessToken", "tokenType": "Bearer"}
                                   (/demo/token has the body of the service's demo endpoint, so
                                   demo-mode clients work through the cluster's load balancer)
  GET  /health                     200 "ok"

Python 3.8+ standard library only: the key is generated and used with plain integer arithmetic
(RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017), and kept in a JSON file so restarts keep it.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# DER prefix of a SHA-256 DigestInfo (RFC 8017, section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def int_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def probably_prime(n: int, rounds: int = 40) -> bool:
    if n < 2:
        return False
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = secrets.randbelow(n - 3) + 2
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(bits: int, e: int) -> int:
    while True:
        # Top two bits set, so that the product of two such primes has exactly 2 * bits bits.
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if probably_prime(candidate) and (candidate - 1) % e != 0:
            return candidate


def new_key(bits: int = 2048) -> dict:
    e = 65537
    while True:
        p, q = random_prime(bits // 2, e), random_prime(bits // 2, e)
        if p != q and (p * q).bit_length() == bits:
            break
    n = p * q
    d = pow(e, -1, (p - 1) * (q - 1))
    kid = "cluster-" + hashlib.sha256(int_bytes(n)).hexdigest()[:16]
    return {"kid": kid, "n": n, "e": e, "d": d, "p": p, "q": q}


def load_or_create_key(path: str) -> dict:
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        return {k: (int(v) if k != "kid" else v) for k, v in raw.items()}
    key = new_key()
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({k: (str(v) if k != "kid" else v) for k, v in key.items()}, f)
    os.replace(tmp, path)
    return key


def sign_rs256(key: dict, message: bytes) -> bytes:
    k = (key["n"].bit_length() + 7) // 8
    t = SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    m = int.from_bytes(em, "big")
    # Chinese remainder theorem: four times faster than pow(m, d, n).
    p, q, d = key["p"], key["q"], key["d"]
    m1, m2 = pow(m, d % (p - 1), p), pow(m, d % (q - 1), q)
    h = (pow(q, -1, p) * (m1 - m2)) % p
    s = m2 + h * q
    return s.to_bytes(k, "big")


def jwks(key: dict) -> dict:
    return {
        "keys": [
            {
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": key["kid"],
                "n": b64url(int_bytes(key["n"])),
                "e": b64url(int_bytes(key["e"])),
            }
        ]
    }


def token(key: dict, issuer: str, audience: str, request: dict) -> str:
    user = request.get("user")
    if not isinstance(user, str) or not user.strip():
        raise ValueError("'user' is required")
    scopes = request.get("scopes") or []
    if isinstance(scopes, str):
        scopes = scopes.split()
    ttl = int(request.get("ttlSeconds") or 3600)
    if not 1 <= ttl <= 86400:
        raise ValueError("'ttlSeconds' must be 1..86400")
    now = int(time.time())
    claims = {
        "sub": user,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now - 5,
        "exp": now + ttl,
        "jti": secrets.token_hex(8),
        "scope": " ".join(scopes),
    }
    if request.get("tenant"):
        claims["org_id"] = request["tenant"]
    if request.get("agent"):
        claims["act"] = {"sub": request["agent"]}
    header = {"alg": "RS256", "typ": "JWT", "kid": key["kid"]}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    return signing_input + "." + b64url(sign_rs256(key, signing_input.encode("ascii")))


def serve(args: argparse.Namespace) -> None:
    key = load_or_create_key(args.key)
    keys = json.dumps(jwks(key)).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path in ("/jwks.json", "/demo/jwks.json"):
                self.reply(200, keys)
            elif self.path == "/health":
                self.reply(200, b"ok", "text/plain")
            else:
                self.reply(404, b'{"error":"not found"}')

        def do_POST(self) -> None:  # noqa: N802
            if self.path not in ("/token", "/demo/token"):
                self.reply(404, b'{"error":"not found"}')
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
                if length > 65536:
                    raise ValueError("body too large")
                request = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(request, dict):
                    raise ValueError("the body must be a JSON object")
                signed = token(key, args.issuer, args.audience, request)
            except (ValueError, TypeError) as e:
                self.reply(400, json.dumps({"error": str(e)}).encode())
                return
            self.reply(200, json.dumps({"accessToken": signed, "tokenType": "Bearer"}).encode())

        def log_message(self, fmt: str, *fmt_args) -> None:
            if args.verbose:
                sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % fmt_args))

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"identity provider on http://127.0.0.1:{args.port} (key {key['kid']})", flush=True)
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True, help="JSON file of the RSA key (created when missing)")
    parser.add_argument("--issuer", default="clearance-cluster")
    parser.add_argument("--audience", default="clearance")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    serve(parser.parse_args())


if __name__ == "__main__":
    main()
