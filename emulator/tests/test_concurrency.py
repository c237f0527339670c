"""Many clients at once: no lost or duplicated accounts, no 5xx."""

from __future__ import annotations

import threading
from typing import List

import requests
from conftest import TOKEN, Whm


def test_twenty_concurrent_clients(whm: Whm) -> None:
    errors: List[str] = []
    created: List[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        s = requests.Session()
        s.verify = whm.ca
        s.trust_env = False
        s.headers["Authorization"] = f"whm root:{TOKEN}"
        for i in range(4):
            user = f"u{n:02d}x{i}"
            for fn, params in (
                ("createacct", {"username": user, "domain": f"{user}.example.com"}),
                ("createacct", {"username": "shared", "domain": f"shared{n}{i}.example.com"}),
                ("listaccts", {}),
            ):
                r = s.post(f"{whm.url}/json-api/{fn}", data={"api.version": 1, **params}, timeout=60)
                if r.status_code != 200:
                    errors.append(f"{fn} {r.status_code}")
                    continue
                if fn == "createacct" and r.json()["metadata"]["result"] == 1:
                    with lock:
                        created.append(params["username"])
                elif fn == "createacct" and params["username"] != "shared":
                    errors.append(r.json()["metadata"]["reason"])
            if i % 2:
                r = s.post(f"{whm.url}/json-api/removeacct", data={"api.version": 1, "username": user}, timeout=60)
                if r.status_code != 200 or r.json()["metadata"]["result"] != 1:
                    errors.append(f"removeacct {r.status_code} {r.text[:100]}")
                else:
                    with lock:
                        created.remove(user)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert created.count("shared") == 1  # exactly one of the racing creates won
    listed = [a["user"] for a in whm.ok("listaccts")["data"]["acct"]]
    assert sorted(listed) == sorted(created) and len(set(listed)) == len(listed)
    uids = [a["uid"] for a in whm.ok("listaccts")["data"]["acct"]]
    assert len(set(uids)) == len(uids)
