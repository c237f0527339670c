"""Facts two emulated areas both report must agree (accounts, DNS, SSL, feature lists, transfers)."""

from __future__ import annotations

from typing import Any, List

from conftest import Whm

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
