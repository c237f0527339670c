"""Facts two emulated areas both report must agree (accounts, DNS, SSL, feature lists, transfers)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List

from conftest import Whm
from test_ssl_pki import Pki

from whm_emulator import transfer_engine

TOS = "https://letsencrypt.org/documents/LE-SA-v1.4-April-3-2024.pdf"


def _ns_records(whm: Whm, domain: str) -> List[str]:
    records = whm.ok("dumpzone", {"domain": domain})["data"]["zone"][0]["record"]
    return [r["nsdname"] for r in records if r["type"] == "NS" and r["name"] == f"{domain}."]


def test_createacct_reports_the_nameservers_its_zone_got(tmp_path: Any) -> None:
    # transfers_accounts.md 3.3 (createacct data.nameserver..4) and dns_ssl_tokens.md 2.0 (zone NS).
    whm = Whm(tmp_path / "s", settings={"dns.nameservers": "a.dns.test,b.dns.test,c.dns.test"})
    try:
        data = whm.create("alice")["data"]
        zone_ns = _ns_records(whm, "alice.example.com")
        assert zone_ns == ["a.dns.test", "b.dns.test", "c.dns.test"]
        assert [data["nameserver"], data["nameserver2"], data["nameserver3"]] == zone_ns
        assert data["nameserver4"] == ""
        assert whm.ok("get_nameserver_config")["data"]["nameservers"] == zone_ns
        # A change at run time is seen by both at once.
        whm.admin("POST", "settings", {"dns.nameservers": "ns.other.test"})
        data = whm.create("bob")["data"]
        assert _ns_records(whm, "bob.example.com") == ["ns.other.test"]
        assert [data[k] for k in ("nameserver", "nameserver2", "nameserver3", "nameserver4")] == [
            "ns.other.test",
            "",
            "",
            "",
        ]
    finally:
        whm.close()


def test_createacct_default_nameservers_match_the_zone(whm: Whm) -> None:
    data = whm.create("alice")["data"]
    assert [data["nameserver"], data["nameserver2"]] == _ns_records(whm, "alice.example.com")


def test_createacct_accepts_any_existing_feature_list(whm: Whm) -> None:
    # transfers_accounts.md 3.3: featurelist (default "default"); any list the features area has.
    whm.ok("create_featurelist", {"featurelist": "gold", "autossl": "1"})
    whm.create("alice", featurelist="gold")
    cpuser = whm.ok("modifyacct", {"user": "alice"})["data"]["cpuser"]
    assert cpuser["FEATURELIST"] == "gold"
    # The account's features now come from that list: AutoSSL is on, the Webmail feature is off.
    whm.ok("set_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS})
    whm.ok("start_autossl_check_for_one_user", {"username": "alice"})
    whm.ok("update_featurelist", {"featurelist": "gold", "autossl": "0"})
    reason = whm.fail("start_autossl_check_for_one_user", {"username": "alice"})
    assert reason.endswith("The user \u201calice\u201d does not have the AutoSSL feature enabled.")
    # A list that does not exist is still refused, and nothing is created.
    whm.fail("createacct", {"username": "bob", "domain": "bob.example.com", "featurelist": "nosuch"})
    assert whm.fail("accountsummary", {"user": "bob"}) == "Account does not exist."


def _records(whm: Whm, domain: str) -> List[Dict[str, Any]]:
    return whm.ok("dumpzone", {"domain": domain})["data"]["zone"][0]["record"]


def test_modifyacct_domain_change_moves_the_zone_and_the_ssl_vhost(whm: Whm) -> None:
    # transfers_accounts.md 3.4: DNS/domain renames the main domain (DNS wins).
    whm.create("alice")
    whm.ok("addzonerecord", {"domain": "alice.example.com", "name": "custom", "type": "A", "address": "192.0.2.77"})
    whm.ok(
        "addzonerecord",
        {"domain": "alice.example.com", "name": "al", "type": "CNAME", "cname": "www.alice.example.com"},
    )
    whm.ok(
        "addzonerecord", {"domain": "alice.example.com", "name": "ext", "type": "CNAME", "cname": "host.example.net"}
    )
    old_serial = next(r for r in _records(whm, "alice.example.com") if r["type"] == "SOA")["serial"]
    pki = Pki()
    crt, key = pki.leaf(["alice.example.com", "www.alice.example.com"])
    whm.ok("installssl", {"domain": "alice.example.com", "crt": crt, "key": key, "cab": pki.cab()})

    data = whm.ok("modifyacct", {"user": "alice", "domain": "ignored.example.org", "DNS": "alice.example.org"})["data"]
    assert data["domain"] == "alice.example.org"

    # The zone carries the new name: old zone gone, records (custom ones too) under the new name.
    zones = [z["domain"] for z in whm.ok("listzones")["data"]["zone"]]
    assert "alice.example.org" in zones and "alice.example.com" not in zones and "ignored.example.org" not in zones
    records = _records(whm, "alice.example.org")
    names = {r["name"] for r in records if r["type"] != ":RAW" and "name" in r}
    assert not any(n.endswith("alice.example.com.") for n in names)
    assert {"alice.example.org.", "www.alice.example.org.", "custom.alice.example.org."} <= names
    by_name = {(r["name"], r["type"]): r for r in records if "name" in r}
    assert by_name[("custom.alice.example.org.", "A")]["address"] == "192.0.2.77"
    assert by_name[("al.alice.example.org.", "CNAME")]["cname"] == "www.alice.example.org"
    assert by_name[("ext.alice.example.org.", "CNAME")]["cname"] == "host.example.net"
    assert by_name[("alice.example.org.", "MX")]["exchange"] == "alice.example.org"
    soa = by_name[("alice.example.org.", "SOA")]
    assert int(soa["serial"]) > int(old_serial)
    assert whm.ok("getdomainowner", {"domain": "alice.example.org"})["data"]["user"] == "alice"

    # The SSL vhost follows the main domain with its certificate.
    vhosts = whm.ok("fetch_ssl_vhosts")["data"]["vhosts"]
    assert [(v["servername"], v["user"]) for v in vhosts] == [("alice.example.org", "alice")]
    components = whm.ok("fetch_vhost_ssl_components")["data"]["components"]
    assert [c["servername"] for c in components] == ["alice.example.org"]
    assert components[0]["certificate"].strip() == crt.strip()
    message = whm.call("delete_ssl_vhost", {"host": "alice.example.com"})["data"]["message"]
    assert message == "No SSL certificate secures the website \u201calice.example.com\u201d."

    # removeacct cleans up under the new name (nothing left behind under either name).
    whm.ok("removeacct", {"username": "alice"})
    assert whm.ok("fetch_ssl_vhosts")["data"]["vhosts"] == []
    assert "data" not in whm.ok("listzones")


def test_modifyacct_domain_change_keeps_other_zones(whm: Whm) -> None:
    whm.create("alice")
    whm.create("bob")
    whm.ok("modifyacct", {"user": "alice", "domain": "alice.example.org"})
    bob = _records(whm, "bob.example.com")
    assert {r["name"] for r in bob if "name" in r} >= {"bob.example.com.", "www.bob.example.com."}
    assert not any("alice" in str(r.get("name", "")) for r in bob)


def test_state_reset_removes_transfer_files_and_stops_sessions(tmp_path: Path) -> None:
    whm = Whm(tmp_path / "s")
    state = Path(whm.state)
    try:
        whm.create("alice")
        response = whm.session.post(
            f"{whm.url}/__emulator__/internal/backup", json={"user": "alice", "type": "daily"}, timeout=30
        )
        assert response.status_code == 200, response.text
        backup_file = Path(response.json()["path"])
        whm.ok("removeacct", {"username": "alice"})
        sid = whm.ok("restoreaccount", {"user": "alice", "type": "daily"})["data"]["transfer_session_id"]
        _wait_session(whm, sid)
        home = state / "home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "cpmove-alice.tar.gz").write_bytes(b"left by a transfer")
        # A session still running when the reset comes.
        whm.admin("POST", "settings", {"transfer_seconds_per_item": "5"})
        running = whm.ok("restoreaccount", {"user": "alice", "type": "daily"})["data"]["transfer_session_id"]
        sessions = state / transfer_engine.SESSION_ROOT
        assert (sessions / sid).is_dir() and (sessions / running).is_dir() and backup_file.is_file()

        whm.admin("POST", "reset", {"state": True})

        assert not sessions.exists() and not home.exists() and not backup_file.exists()
        reason = whm.fail("get_transfer_session_state", {"transfer_session_id": running})
        assert reason.endswith(f"The session ID \u201c{running}\u201d does not exist.")
        time.sleep(0.3)
        assert not sessions.exists(), "a halted session must not write its logs again"
        assert "data" not in whm.ok("listaccts")
        # The server works as a fresh one: a new restore (of a new backup) runs and logs.
        whm.admin("POST", "settings", {"transfer_seconds_per_item": "0"})
        whm.create("bob")
        whm.session.post(f"{whm.url}/__emulator__/internal/backup", json={"user": "bob", "type": "daily"}, timeout=30)
        whm.ok("removeacct", {"username": "bob"})
        sid = whm.ok("restoreaccount", {"user": "bob", "type": "daily"})["data"]["transfer_session_id"]
        assert _wait_session(whm, sid) == "COMPLETED"
        assert (sessions / sid).is_dir()
        assert [a["user"] for a in whm.ok("listaccts")["data"]["acct"]] == ["bob"]
    finally:
        transfer_engine.halt(whm.emulator)
        whm.close()


def _wait_session(whm: Whm, sid: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = whm.ok("get_transfer_session_state", {"transfer_session_id": sid})["data"]["state_name"]
        if current in ("COMPLETED", "ABORTED", "FAILED"):
            return str(current)
        time.sleep(0.05)
    raise AssertionError(f"session {sid} did not finish")


def test_modifyacct_newuser_carries_zones_and_ssl_along(whm: Whm) -> None:
    # transfers_accounts.md 3.4: newuser renames the account.
    whm.create("alice")
    whm.ok("adddns", {"domain": "extra.test", "ip": "192.0.2.5", "trueowner": "alice"})
    pki = Pki()
    crt, key = pki.leaf(["alice.example.com"])
    whm.ok("installssl", {"domain": "alice.example.com", "crt": crt, "key": key, "cab": pki.cab()})
    assert len(whm.ok("listcrts", {"user": "alice"})["data"]["crt"]) == 1

    whm.ok("modifyacct", {"user": "alice", "newuser": "alice2"})

    # SSL: the vhost's user and the SSL storage follow the new name.
    assert [(v["servername"], v["user"]) for v in whm.ok("fetch_ssl_vhosts")["data"]["vhosts"]] == [
        ("alice.example.com", "alice2")
    ]
    assert [c["domain"] for c in whm.ok("listcrts", {"user": "alice2"})["data"]["crt"]] == ["alice.example.com"]
    # Removing the renamed account removes everything it owned, under any area.
    whm.ok("removeacct", {"username": "alice2"})
    assert "data" not in whm.ok("listzones"), "the zones the account owned go with it"
    assert whm.ok("fetch_ssl_vhosts")["data"]["vhosts"] == []
    with whm.emulator.store.transaction(write=False) as db:
        left = db.execute("SELECT COUNT(*) FROM ssl_storage WHERE user IN ('alice', 'alice2')").fetchone()[0]
    assert left == 0


def test_modifyacct_newuser_keeps_a_pending_autossl_check_and_its_problems(tmp_path: Path) -> None:
    whm = Whm(tmp_path / "s", settings={"autossl_delay": "0.3", "autossl_dcv_fail": "www.*"})
    try:
        whm.create("alice")
        whm.ok("set_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS})
        whm.ok("start_autossl_check_for_one_user", {"username": "alice"})
        whm.ok("modifyacct", {"user": "alice", "newuser": "alice2"})
        time.sleep(0.8)
        problems = whm.ok("get_autossl_problems_for_user", {"username": "alice2"})["data"]["problems_by_domain"]
        assert any(p["domain"] == "www.alice.example.com" for p in problems)
        installed = whm.ok("fetch_ssl_vhosts")["data"]["vhosts"]
        assert [(v["servername"], v["user"]) for v in installed] == [("alice.example.com", "alice2")]
    finally:
        whm.close()


def test_no_nameservers_account_without_zone(tmp_path: Path) -> None:
    # dns_ssl_tokens.md 2.1: no zone can be written without a nameserver.
    whm = Whm(tmp_path / "s", settings={"dns.nameservers": ""})
    try:
        data = whm.create("alice")["data"]
        assert [data[k] for k in ("nameserver", "nameserver2", "nameserver3", "nameserver4")] == ["", "", "", ""]
        assert "data" not in whm.ok("listzones")
        reason = whm.fail("resetzone", {"domain": "alice.example.com"})
        assert reason == "Sorry, you cannot create zones if you have not configured at least one nameserver."
        # Once nameservers are configured, resetzone writes the account's zone with them.
        whm.admin("POST", "settings", {"dns.nameservers": "ns1.dns.test"})
        whm.ok("resetzone", {"domain": "alice.example.com"})
        assert _ns_records(whm, "alice.example.com") == ["ns1.dns.test"]
    finally:
        whm.close()


ZONE_EXISTS = (
    "A DNS entry for \u201c{}\u201d already exists. You must remove this DNS entry from this server or all "
    "servers in the DNS cluster to proceed."
)


def test_an_existing_zone_blocks_a_new_main_domain_unless_forcedns(whm: Whm) -> None:
    # transfers_accounts.md 3.2: no existing DNS zone for a main domain unless forcedns=1.
    whm.ok("adddns", {"domain": "taken.example.com", "ip": "192.0.2.5"})
    whm.ok("addzonerecord", {"domain": "taken.example.com", "name": "keep", "type": "A", "address": "192.0.2.6"})
    assert whm.fail("createacct", {"username": "alice", "domain": "taken.example.com"}) == ZONE_EXISTS.format(
        "taken.example.com"
    )
    assert "data" not in whm.ok("listaccts")
    # modifyacct cannot move a main domain onto it either; nothing changes.
    whm.create("bob")
    assert whm.fail("modifyacct", {"user": "bob", "DNS": "taken.example.com"}) == ZONE_EXISTS.format(
        "taken.example.com"
    )
    assert whm.ok("accountsummary", {"user": "bob"})["data"]["acct"][0]["domain"] == "bob.example.com"
    assert {z["domain"] for z in whm.ok("listzones")["data"]["zone"]} == {"taken.example.com", "bob.example.com"}
    # forcedns=1: the account is created and its zone replaces the old one.
    whm.create("alice", domain="taken.example.com", forcedns="1")
    names = {r.get("name") for r in _records(whm, "taken.example.com")}
    assert "keep.taken.example.com." not in names and "www.taken.example.com." in names
    assert whm.ok("getdomainowner", {"domain": "taken.example.com"})["data"]["user"] == "alice"


def test_a_zone_kept_by_removeacct_keepdns_blocks_the_domain(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("removeacct", {"username": "alice", "keepdns": "1"})
    assert whm.fail("createacct", {"username": "alice", "domain": "alice.example.com"}) == ZONE_EXISTS.format(
        "alice.example.com"
    )
    whm.ok("killdns", {"domain": "alice.example.com"})
    whm.create("alice")


def test_modifyacct_newuser_and_domain_together(whm: Whm) -> None:
    whm.create("alice")
    pki = Pki()
    crt, key = pki.leaf(["alice.example.com"])
    whm.ok("installssl", {"domain": "alice.example.com", "crt": crt, "key": key, "cab": pki.cab()})
    data = whm.ok("modifyacct", {"user": "alice", "newuser": "carol", "DNS": "carol.example.com"})["data"]
    assert (data["user"], data["domain"]) == ("carol", "carol.example.com")
    assert [z["domain"] for z in whm.ok("listzones")["data"]["zone"]] == ["carol.example.com"]
    vhosts = whm.ok("fetch_ssl_vhosts")["data"]["vhosts"]
    assert [(v["servername"], v["user"]) for v in vhosts] == [("carol.example.com", "carol")]
    whm.ok("removeacct", {"username": "carol"})
    assert "data" not in whm.ok("listzones")
    assert whm.ok("fetch_ssl_vhosts")["data"]["vhosts"] == []


def test_restore_without_local_nameservers_keeps_the_zone_ns_records(tmp_path: Path) -> None:
    whm = Whm(tmp_path / "s", settings={"dns.nameservers": "ns1.old.test,ns2.old.test"})
    try:
        whm.create("alice")
        response = whm.session.post(
            f"{whm.url}/__emulator__/internal/backup", json={"user": "alice", "type": "daily"}, timeout=30
        )
        assert response.status_code == 200, response.text
        whm.ok("removeacct", {"username": "alice"})
        whm.admin("POST", "settings", {"dns.nameservers": ""})
        sid = whm.ok("restoreaccount", {"user": "alice", "type": "daily"})["data"]["transfer_session_id"]
        assert _wait_session(whm, sid) == "COMPLETED"
        # The SOA primary and the apex NS records agree: both stay as archived.
        assert _ns_records(whm, "alice.example.com") == ["ns1.old.test", "ns2.old.test"]
        soa = next(r for r in _records(whm, "alice.example.com") if r["type"] == "SOA")
        assert soa["mname"] == "ns1.old.test"
    finally:
        transfer_engine.halt(whm.emulator)
        whm.close()
