#!/usr/bin/env python3
"""Times the requirement list and roll-ups over HTTP (issue 4's targets: the filtered list page of
50 rows under 30 ms and the roll-ups under 50 ms at the median, on SQLite, with 20,000
requirements of 3 versions and 2 clarifications each).

Seed the data set first (about two minutes for 20,000):

    target/release/accord --database sqlite:///tmp/bench/scale.db --audit-key-file /tmp/bench/scale.key \\
        demo --seed-only --scale 20000

then:

    python3 bench/requirements_http.py target/release/accord sqlite:///tmp/bench/scale.db /tmp/bench/scale.key 200

It starts `accord serve` on that database, signs in as the QC laboratory's manager, and asks each
query N times over one kept-alive connection, printing the median and the 95th percentile in
milliseconds as a Markdown table. Only the standard library is used.
"""
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

EMAIL = "hannah.weber@northwind-bio.example"
PASSWORD = "accord-demo-2026"


def main():
    binary, db, key, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    server = subprocess.Popen(
        [binary, "--database", db, "--audit-key-file", key, "--rate-login-per-minute", "1000",
         "serve", "--bind", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        host, port = re.search(r"http://([\d.]+):(\d+)", line).groups()
        conn = http.client.HTTPConnection(host, int(port))

        def call(method, path, body=None, headers=None):
            h = dict(headers or {})
            if body is not None and "content-type" not in {k.lower() for k in h}:
                h["content-type"] = "application/json"
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return r.status, r.getheaders(), data

        st, _, data = call("POST", "/api/v1/auth/login", json.dumps({"email": EMAIL, "password": PASSWORD}))
        assert st == 200, data
        token = json.loads(data)["token"]
        auth = {"authorization": f"Bearer {token}"}
        st, _, data = call("GET", "/api/v1/engagements", headers=auth)
        eid = next(e["id"] for e in json.loads(data)["items"] if e["key"] == "NWB-SCALE")
        st, _, data = call("GET", "/api/v1/users?organisation_id=" + json.loads(
            call("GET", "/api/v1/me", headers=auth)[2])["organisation"]["id"], headers=auth)
        owner = next(u["id"] for u in json.loads(data)["items"] if u["email"] == EMAIL)

        # A browser session for the HTML page.
        st, headers, data = call("GET", "/login")
        cookie = next(v for k, v in headers if k.lower() == "set-cookie").split(";")[0]
        token_field = re.search(r'name="token" value="([0-9a-f]+)"', data.decode()).group(1)
        form = urllib.parse.urlencode({"token": token_field, "email": EMAIL, "password": PASSWORD, "next": "/engagements"})
        st, headers, data = call("POST", "/login", form, {"content-type": "application/x-www-form-urlencoded", "cookie": cookie,
                                                          "origin": f"http://{host}:{port}", "host": f"{host}:{port}"})
        assert st == 303, data
        session = next(v for k, v in headers if k.lower() == "set-cookie" and "session" in v).split(";")[0]
        page = {"cookie": session}

        filters = [
            ("status + text", "status=ready_for_review&q=sample"),
            ("priority + text", "priority=must_have&q=site%207"),
            ("area + text", "functional_area=Stability&q=pulls"),
            ("owner + text", f"owner_id={owner}&q=sample"),
        ]
        cases = []
        for name, q in filters:
            cases.append((f"API list, {name}", f"/api/v1/engagements/{eid}/requirements?{q}&limit=50", auth))
        for name, q in filters:
            cases.append((f"list page (HTML), {name}", f"/engagements/{eid}/requirements?{q}", page))
        cases.append(("API roll-ups", f"/api/v1/engagements/{eid}/requirements/rollup", auth))

        print(f"| query | rows | median ms | p95 ms |")
        print(f"|---|---|---|---|")
        for name, path, headers in cases:
            times = []
            rows = None
            for i in range(n + 5):
                t0 = time.perf_counter()
                st, _, data = call("GET", path, headers=headers)
                elapsed = (time.perf_counter() - t0) * 1000
                assert st == 200, (path, st, data[:300])
                if i >= 5:  # the first few warm the caches
                    times.append(elapsed)
                if rows is None and path.startswith("/api/") and "rollup" not in path:
                    rows = len(json.loads(data)["items"])
                elif rows is None and "rollup" not in path:
                    rows = data.decode().count('/requirements/')
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(f"| {name} | {rows if rows is not None else '-'} | {statistics.median(times):.1f} | {p95:.1f} |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
