"""AutoSSL: providers, terms of service, checks with a delay, DCV failures, feature gating
(dns_ssl_tokens.md 3.10-3.14; Whostmgr/API/1/SSL.pm; Cpanel/SSL/Auto.pm)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from conftest import Whm, strip_xid
from cryptography import x509
from test_ssl_pki import self_signed

TOS = "https://letsencrypt.org/documents/LE-SA-v1.4-April-3-2024.pdf"


@pytest.fixture
def fast(tmp_path: Path) -> Iterator[Whm]:
    server = Whm(tmp_path / "s", settings={"autossl_delay": "0.2"})
    try:
        yield server
    finally:
        server.close()


def enable(whm: Whm) -> None:
    whm.ok("set_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS})


def vhost_cert(whm: Whm, servername: str) -> Optional[Dict[str, Any]]:
    for item in whm.ok("fetch_ssl_vhosts")["data"]["vhosts"]:
        if item["servername"] == servername:
            return dict(item["crt"])
    return None


def wait_for(whm: Whm, servername: str, timeout: float = 10.0) -> Dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        crt = vhost_cert(whm, servername)
        if crt is not None and crt["issuer.commonName"] == "whm_emulator AutoSSL CA":
            return crt
        time.sleep(0.1)
    raise AssertionError(f"no AutoSSL certificate for {servername}")


def test_providers_and_terms_of_service(whm: Whm) -> None:
    payload = whm.ok("get_autossl_providers")["data"]["payload"]
    assert [p["module_name"] for p in payload] == ["LetsEncrypt"]
    le = payload[0]
    assert le["enabled"] == 0 and le["x_terms_of_service"] == TOS and le["x_terms_of_service_accepted"] == ""
    assert le["specs"]["VALIDITY_PERIOD"] == 90 * 86400 and le["specs"]["DCV_METHODS"] == ["http", "dns"]

    reason = strip_xid(whm.fail("set_autossl_provider", {"provider": "LetsEncrypt"}))
    assert reason == (
        "API failure: (XID) In order to activate the “LetsEncrypt” AutoSSL provider, you must accept the current"
        f" terms of service ({TOS}) by passing the encoded url as the “x_terms_of_service_accepted” parameter."
        " The AutoSSL provider cannot be activated."
    )
    reason = strip_xid(
        whm.fail("set_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": "https://old"})
    )
    assert reason == f"API failure: (XID) You must accept the current terms of service ({TOS}) to proceed."
    assert strip_xid(whm.fail("set_autossl_provider", {})) == "API failure: (XID) Provide the “provider” parameter."
    assert whm.fail("set_autossl_provider", {"provider": "Nope"}).startswith("API failure: (XID ")

    enable(whm)
    le = whm.ok("get_autossl_providers")["data"]["payload"][0]
    assert le["enabled"] == 1 and le["x_terms_of_service_accepted"] == TOS
    assert le["x_account_id"].startswith("https://acme-v02.api.letsencrypt.org/acme/acct/")
    whm.ok("set_autossl_provider", {"provider": "LetsEncrypt"})  # terms already accepted: idempotent
    whm.ok("disable_autossl")
    assert whm.ok("get_autossl_providers")["data"]["payload"][0]["enabled"] == 0


def test_check_refused_when_disabled_or_without_feature(whm: Whm) -> None:
    whm.create("alice")
    assert strip_xid(whm.fail("start_autossl_check_for_one_user", {"username": "alice"})) == (
        "API failure: (XID) This system has AutoSSL disabled."
    )
    assert (
        strip_xid(whm.fail("start_autossl_check_for_all_users"))
        == "API failure: (XID) This system has AutoSSL disabled."
    )
    enable(whm)
    assert strip_xid(whm.fail("start_autossl_check_for_one_user", {"username": "ghost"})) == (
        "API failure: (XID) This system does not contain a user named “ghost”."
    )
    assert strip_xid(whm.fail("start_autossl_check_for_one_user", {})) == (
        "API failure: (XID) Provide the “username” parameter."
    )
    whm.ok("update_featurelist", {"featurelist": "default", "autossl": "0"})
    assert strip_xid(whm.fail("start_autossl_check_for_one_user", {"username": "alice"})) == (
        "API failure: (XID) The user “alice” does not have the AutoSSL feature enabled."
    )


def test_feature_follows_the_package_featurelist(whm: Whm) -> None:
    enable(whm)
    whm.ok("create_featurelist", {"featurelist": "Mail Only", "overwrite": "1", "webmail": "1"})  # no autossl
    whm.ok("addpkg", {"name": "mailpkg", "featurelist": "Mail Only"})
    whm.create("mailer", plan="mailpkg")
    whm.create("alice")
    assert "does not have the AutoSSL feature" in whm.fail("start_autossl_check_for_one_user", {"username": "mailer"})
    assert isinstance(whm.ok("start_autossl_check_for_one_user", {"username": "alice"})["data"]["pid"], int)


def test_check_installs_after_the_delay(tmp_path: Path) -> None:
    whm = Whm(tmp_path / "s", settings={"autossl_delay": "1"})
    try:
        whm.create("alice")
        crt, key = self_signed(["alice.example.com"])
        whm.ok("installssl", {"domain": "alice.example.com", "crt": crt, "key": key})
        enable(whm)
        started = time.time()
        pid = whm.ok("start_autossl_check_for_one_user", {"username": "alice"})["data"]["pid"]
        # Still running: a second start is refused with the pid of the first.
        reason = strip_xid(whm.fail("start_autossl_check_for_one_user", {"username": "alice"}))
        assert reason == (
            "API failure: (XID) The command already has an active PIDFile at “/var/cpanel/autossl_check_alice.pid”"
            f" and is running with the process ID: {pid}"
        )
        assert vhost_cert(whm, "alice.example.com")["is_self_signed"] == 1  # not yet replaced
        info = wait_for(whm, "alice.example.com")
        assert time.time() - started >= 0.9
        assert info["not_after"] - info["not_before"] == 90 * 86400
        assert info["validation_type"] == "dv"
        assert set(info["domains"]) >= {"alice.example.com", "www.alice.example.com", "mail.alice.example.com"}
        comp = whm.ok("fetch_vhost_ssl_components")["data"]["components"][0]
        cab = x509.load_pem_x509_certificate(comp["cabundle"].encode())
        leaf = x509.load_pem_x509_certificate(comp["certificate"].encode())
        leaf.verify_directly_issued_by(cab)
        assert whm.ok("get_autossl_problems_for_user", {"username": "alice"})["data"]["problems_by_domain"] == []
        # A finished check can be started again; a valid AutoSSL certificate is kept.
        whm.ok("start_autossl_check_for_one_user", {"username": "alice"})
        time.sleep(1.5)
        assert whm.ok("fetch_vhost_ssl_components")["data"]["components"][0]["certificate_id"] == comp["certificate_id"]
    finally:
        whm.close()


def test_dcv_failures_become_problems(tmp_path: Path) -> None:
    whm = Whm(tmp_path / "s", settings={"autossl_delay": "0.1", "autossl_dcv_fail": "www.*, *.bob.example.com"})
    try:
        whm.create("alice")
        whm.create("bob")
        enable(whm)
        whm.ok("start_autossl_check_for_one_user", {"username": "alice"})
        info = wait_for(whm, "alice.example.com")
        assert "www.alice.example.com" not in info["domains"] and "alice.example.com" in info["domains"]
        problems = whm.ok("get_autossl_problems_for_user", {"username": "alice"})["data"]["problems_by_domain"]
        assert [p["domain"] for p in problems] == ["www.alice.example.com"]
        problem = problems[0]
        assert problem["problem"] == "“www.alice.example.com” does not resolve to any IPv4 addresses on the internet."
        assert problem["time"].endswith("Z") and problem["log"].endswith("Z")

        # Every bob domain except the bare one fails: only bob.example.com is covered.
        whm.ok("start_autossl_check_for_one_user", {"username": "bob"})
        info = wait_for(whm, "bob.example.com")
        assert info["domains"] == ["bob.example.com"]
        assert len(whm.ok("get_autossl_problems_for_user", {"username": "bob"})["data"]["problems_by_domain"]) == 8

        # The rule changes: the next check covers the domains that pass now and forgets old problems.
        whm.admin("POST", "settings", {"autossl_dcv_fail": ""})
        whm.ok("start_autossl_check_for_one_user", {"username": "bob"})
        deadline = time.time() + 10
        while (
            time.time() < deadline
            and "www.bob.example.com" not in (vhost_cert(whm, "bob.example.com") or {})["domains"]
        ):
            time.sleep(0.1)
        assert "www.bob.example.com" in vhost_cert(whm, "bob.example.com")["domains"]
        assert whm.ok("get_autossl_problems_for_user", {"username": "bob"})["data"]["problems_by_domain"] == []
        assert strip_xid(whm.fail("get_autossl_problems_for_user", {"username": "ghost"})) == (
            "API failure: (XID) This system does not contain a user named “ghost”."
        )
    finally:
        whm.close()


def test_all_users_skips_accounts_without_the_feature(fast: Whm) -> None:
    fast.ok("create_featurelist", {"featurelist": "Mail Only", "overwrite": "1", "webmail": "1"})
    fast.ok("addpkg", {"name": "mailpkg", "featurelist": "Mail Only"})
    fast.create("alice")
    fast.create("bob", plan="mailpkg")
    enable(fast)
    pid = fast.ok("start_autossl_check_for_all_users")["data"]["pid"]
    assert strip_xid(fast.fail("start_autossl_check_for_all_users")).endswith(f"process ID: {pid}")
    wait_for(fast, "alice.example.com")
    time.sleep(0.3)
    assert vhost_cert(fast, "bob.example.com") is None


def test_disabling_before_the_check_runs_cancels_it(tmp_path: Path) -> None:
    whm = Whm(tmp_path / "s", settings={"autossl_delay": "0.5"})
    try:
        whm.create("alice")
        enable(whm)
        whm.ok("start_autossl_check_for_one_user", {"username": "alice"})
        whm.ok("disable_autossl")
        time.sleep(1.2)
        assert vhost_cert(whm, "alice.example.com") is None
    finally:
        whm.close()


def test_pending_check_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "s"
    whm = Whm(state, settings={"autossl_delay": "30"})
    try:
        whm.create("alice")
        enable(whm)
        whm.ok("start_autossl_check_for_one_user", {"username": "alice"})
        with whm.emulator.store.transaction(write=True) as db:
            db.execute("UPDATE autossl_checks SET due = 0")  # the deadline passed while stopped
    finally:
        whm.close()
    again = Whm(state, settings={"autossl_delay": "30"})
    try:
        wait_for(again, "alice.example.com")
    finally:
        again.close()


def test_every_domain_failing_leaves_the_vhost_alone(tmp_path: Path) -> None:
    whm = Whm(tmp_path / "s", settings={"autossl_delay": "0", "autossl_dcv_fail": "*"})
    try:
        whm.create("alice")
        enable(whm)
        whm.ok("start_autossl_check_for_one_user", {"username": "alice"})
        deadline = time.time() + 10
        problems: list = []
        while time.time() < deadline and not problems:
            problems = whm.ok("get_autossl_problems_for_user", {"username": "alice"})["data"]["problems_by_domain"]
            time.sleep(0.05)
        assert len(problems) == 9  # the domain, www., mail. and six service subdomains
        assert vhost_cert(whm, "alice.example.com") is None
    finally:
        whm.close()


def test_checks_and_installs_run_concurrently(fast: Whm) -> None:
    import threading

    users = [f"user{i}" for i in range(4)]
    for user in users + ["other"]:
        fast.create(user)
    enable(fast)
    errors: List[str] = []

    def start(user: str) -> None:
        envelope = fast.call("start_autossl_check_for_one_user", {"username": user})
        if envelope["metadata"]["result"] != 1:
            errors.append(envelope["metadata"]["reason"])

    threads = [threading.Thread(target=start, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    crt, key = self_signed(["other.example.com"])
    fast.ok("installssl", {"domain": "other.example.com", "crt": crt, "key": key})
    for thread in threads:
        thread.join()
    assert errors == []
    pids = {row[0] for row in fast.emulator.store._connection().execute("SELECT pid FROM autossl_checks")}
    assert len(pids) == len(users)
    for user in users:
        wait_for(fast, f"{user}.example.com")


def test_reset_autossl_provider_forgets_the_accepted_terms(whm: Whm) -> None:
    enable(whm)
    reason = strip_xid(whm.fail("reset_autossl_provider", {"provider": "LetsEncrypt"}))
    assert reason.startswith("API failure: (XID) In order to activate the “LetsEncrypt” AutoSSL provider")
    # The failed reset changed nothing; a reset with the terms accepted activates again.
    assert whm.ok("get_autossl_providers")["data"]["payload"][0]["x_terms_of_service_accepted"] == TOS
    whm.ok("reset_autossl_provider", {"provider": "LetsEncrypt", "x_terms_of_service_accepted": TOS})
    assert whm.ok("get_autossl_providers")["data"]["payload"][0]["enabled"] == 1
