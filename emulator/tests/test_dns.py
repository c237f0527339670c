"""DNS zones: templates, the two record views, the legacy writers and the account hooks."""

from __future__ import annotations

import base64
import time
from typing import Any, Dict, List

from conftest import Whm, strip_xid

ZONE = "alice.example.com"


def today() -> str:
    return time.strftime("%Y%m%d", time.gmtime()) + "00"


def dump(whm: Whm, zone: str = ZONE) -> List[Dict[str, Any]]:
    return whm.ok("dumpzone", {"domain": zone})["data"]["zone"][0]["record"]


def records(whm: Whm, zone: str = ZONE) -> List[Dict[str, Any]]:
    return [r for r in dump(whm, zone) if r["type"] not in (":RAW", "$TTL")]


def find(whm: Whm, name: str, rtype: str, zone: str = ZONE) -> List[Dict[str, Any]]:
    return [r for r in records(whm, zone) if r["name"] == name and r["type"] == rtype]


def soa(whm: Whm, zone: str = ZONE) -> Dict[str, Any]:
    return find(whm, f"{zone}.", "SOA", zone)[0]


def b64(text: str) -> str:
    return base64.b64decode(text).decode("utf-8")


# ---------------------------------------------------------------------------------------
# account hooks and the template
# ---------------------------------------------------------------------------------------


def test_createacct_creates_the_zone_from_the_template(whm: Whm) -> None:
    whm.create("alice")
    zones = whm.ok("listzones")["data"]["zone"]
    assert zones == [{"domain": ZONE, "zonefile": f"{ZONE}.db"}]
    record = soa(whm)
    assert record["mname"] == "ns1.example.test"
    assert record["rname"] == "root.server.example.test"
    assert str(record["serial"]) == today()
    assert (record["refresh"], record["retry"], record["expire"], record["minimum"]) == (3600, 1800, 1209600, 86400)
    assert record["ttl"] == 86400
    assert record["Lines"] == 6
    ns = sorted(r["nsdname"] for r in find(whm, f"{ZONE}.", "NS"))
    assert ns == ["ns1.example.test", "ns2.example.test"]
    assert find(whm, f"{ZONE}.", "A")[0]["address"] == "192.0.2.10"
    mx = find(whm, f"{ZONE}.", "MX")[0]
    assert (mx["preference"], mx["exchange"]) == (0, ZONE)
    assert find(whm, f"www.{ZONE}.", "CNAME")[0]["cname"] == ZONE
    assert find(whm, f"mail.{ZONE}.", "CNAME")[0]["cname"] == ZONE
    # Shared IP: the standardvirtualftp template gives ftp an A record.
    assert find(whm, f"ftp.{ZONE}.", "A")[0]["address"] == "192.0.2.10"
    for sub in ("cpanel", "webmail", "webdisk", "autodiscover", "autoconfig"):
        assert find(whm, f"{sub}.{ZONE}.", "A")[0]["address"] == "192.0.2.10"


def test_zone_uses_the_configured_nameservers_and_contact(tmp_path: Any) -> None:
    settings = {
        "dns.nameservers": "ns1.host.test,ns2.host.test,ns3.host.test",
        "dns.contact_email": "dns.admin@host.test",
        "dns.service_subdomains": "0",
    }
    whm = Whm(tmp_path / "s", settings=settings)
    try:
        whm.create("alice")
        record = soa(whm)
        assert record["mname"] == "ns1.host.test"
        assert record["rname"] == "dns\\.admin.host.test"
        assert len(find(whm, f"{ZONE}.", "NS")) == 3
        assert find(whm, f"cpanel.{ZONE}.", "A") == []
        assert whm.ok("get_nameserver_config")["data"]["nameservers"] == [
            "ns1.host.test",
            "ns2.host.test",
            "ns3.host.test",
        ]
        whm.admin("POST", "settings", {"dns.nameservers": ""})
        reason = whm.fail("adddns", {"domain": "other.test", "ip": "192.0.2.1"})
        assert reason == "Sorry, you cannot create zones if you have not configured at least one nameserver."
    finally:
        whm.close()


def test_removeacct_removes_the_zone_unless_keepdns(whm: Whm) -> None:
    whm.create("alice")
    whm.create("bob")
    whm.ok("removeacct", {"username": "alice"})
    whm.ok("removeacct", {"username": "bob", "keepdns": "1"})
    zones = whm.ok("listzones")["data"]["zone"]
    assert [z["domain"] for z in zones] == ["bob.example.com"]


def test_listzones_without_zones_has_no_data(whm: Whm) -> None:
    envelope = whm.ok("listzones")
    assert "data" not in envelope
    assert envelope["metadata"]["reason"] == "OK"


# ---------------------------------------------------------------------------------------
# adddns / killdns
# ---------------------------------------------------------------------------------------


def test_adddns_creates_and_root_overwrites(whm: Whm) -> None:
    envelope = whm.ok("adddns", {"domain": "zone.test", "ip": "192.0.2.7"})
    # Root's zones belong to "system".
    assert envelope["metadata"]["reason"] == "Added zone.test ok belonging to user system"
    assert "data" not in envelope
    assert find(whm, "zone.test.", "A", "zone.test")[0]["address"] == "192.0.2.7"
    assert find(whm, "ftp.zone.test.", "CNAME", "zone.test")  # standard template
    whm.ok("addzonerecord", {"domain": "zone.test", "name": "custom", "type": "A", "address": "192.0.2.8"})
    assert find(whm, "custom.zone.test.", "A", "zone.test")
    # Root calling adddns again replaces the zone with a fresh template (owner already known).
    again = whm.ok("adddns", {"domain": "zone.test", "ip": "192.0.2.9"})
    assert again["metadata"]["reason"] == "Added zone.test ok"
    assert find(whm, "custom.zone.test.", "A", "zone.test") == []
    assert find(whm, "zone.test.", "A", "zone.test")[0]["address"] == "192.0.2.9"


def test_adddns_ipv6_trueowner_and_idn(whm: Whm) -> None:
    whm.create("alice")
    envelope = whm.ok(
        "adddns", {"domain": "extra.test", "ip": "192.0.2.7", "ipv6": "2001:db8::7", "trueowner": "alice"}
    )
    assert envelope["metadata"]["reason"] == "Added extra.test ok belonging to user alice"
    assert find(whm, "extra.test.", "AAAA", "extra.test")[0]["address"] == "2001:db8::7"
    assert find(whm, "ipv6.extra.test.", "AAAA", "extra.test")
    whm.ok("adddns", {"domain": "bücher.test", "ip": "192.0.2.7"})
    domains = [z["domain"] for z in whm.ok("listzones")["data"]["zone"]]
    assert "xn--bcher-kva.test" in domains
    # Every DNS function takes the Unicode or the punycode form of the name.
    assert whm.ok("dumpzone", {"domain": "bücher.test"})["data"]["zone"][0]["record"]
    assert whm.ok("parse_dns_zone", {"zone": "BÜCHER.test"})["data"]["payload"]
    whm.ok("addzonerecord", {"domain": "bücher.test", "name": "www2", "type": "A", "address": "192.0.2.8"})
    assert find(whm, "www2.xn--bcher-kva.test.", "A", "xn--bcher-kva.test")


def test_adddns_failures(whm: Whm) -> None:
    whm.create("alice")
    assert whm.fail("adddns", {"ip": "192.0.2.1"}) == "Sorry, you must enter a domain.  Please try again."
    assert whm.fail("adddns", {"domain": "a.test"}) == "Sorry, you must enter an ip.  Please try again."
    assert whm.fail("adddns", {"domain": "bad_domain", "ip": "192.0.2.1"}) == "Sorry, that's an invalid domain\n"
    assert whm.fail("adddns", {"domain": "a.test", "ip": "300.1.1.1"}) == "Sorry, the IP address appears to be invalid."
    assert (
        whm.fail("adddns", {"domain": "a.test", "ip": "192.0.2.1", "ipv6": "zz::1"})
        == "Sorry, that (zz::1) appears to be an invalid IPv6 address."
    )
    assert strip_xid(whm.fail("adddns", {"domain": "a.test", "ip": "192.0.2.1", "trueowner": "nobody1"})) == (
        "API failure: (XID) You do not have a user named “nobody1”."
    )
    whm.create("bob")
    assert (
        whm.fail("adddns", {"domain": ZONE, "ip": "192.0.2.1", "trueowner": "bob"})
        == f"Sorry, the domain {ZONE} is owned by another user (alice)"
    )
    assert whm.fail("adddns", {"domain": ZONE, "ip": "192.0.2.1"}) == (
        f"Sorry, the domain {ZONE} is owned by another user (alice)"
    )
    whm.ok("adddns", {"domain": "sys.test", "ip": "192.0.2.1"})
    assert whm.fail("adddns", {"domain": "sys.test", "ip": "192.0.2.1", "trueowner": "bob"}) == (
        "Sorry, the domain sys.test is owned by another user (system)"
    )
    assert whm.fail("adddns", {"domain": "t.test", "ip": "192.0.2.1", "template": "a\nb"}) == (
        "Sorry, template names cannot contain a newline.  Please try again."
    )
    assert whm.fail("adddns", {"domain": "t.test", "ip": "192.0.2.1", "template": "custom"}) == (
        "Sorry, An error occurred while generating the zone file."
    )
    assert whm.fail("adddns", {"domain": "192.0.2.1", "ip": "192.0.2.1"}) == "Sorry, that's an invalid domain\n"


def test_killdns(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("adddns", {"domain": "zone.test", "ip": "192.0.2.7"})
    envelope = whm.ok("killdns", {"domain": "zone.test"})
    assert envelope["metadata"]["reason"] == "OK"
    assert "zone.test" in envelope["metadata"]["output"]["raw"]
    # A missing (valid) zone is "removed" successfully.
    assert whm.ok("killdns", {"domain": "zone.test"})["metadata"]["result"] == 1
    assert whm.fail("killdns", {}) == "API failure: A domain is required.\n"
    assert strip_xid(whm.fail("killdns", {"domain": ZONE})) == (
        f"API failure: (XID) You cannot remove the domain “{ZONE}” because it is still configured for HTTP use on "
        "the “alice” account. Remove the domain from the account by deleting the subdomain, addon domain, parked "
        "domain, or the linked account."
    )
    assert [z["domain"] for z in whm.ok("listzones")["data"]["zone"]] == [ZONE]


# ---------------------------------------------------------------------------------------
# dumpzone / parse_dns_zone / getzonerecord
# ---------------------------------------------------------------------------------------


def test_dumpzone_legacy_view(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("addzonerecord", {"domain": ZONE, "name": "WWW2", "type": "A", "address": "192.0.2.3"})
    rows = dump(whm)
    assert rows[0]["Line"] == 1 and rows[0]["type"] == ":RAW" and rows[0]["raw"].startswith("; cPanel first:")
    assert rows[2] == {"Line": 3, "type": "$TTL", "ttl": 14400}
    assert [r["Line"] for r in rows] == sorted(r["Line"] for r in rows)
    # Owner names are lower-cased FQDNs with the trailing dot.
    assert find(whm, f"www2.{ZONE}.", "A")[0]["class"] == "IN"
    via_zone = whm.ok("dumpzone", {"zone": f"{ZONE}.db"})
    assert via_zone["metadata"]["reason"] == "Zone Serialized"
    assert via_zone["data"]["zone"][0]["record"] == dump(whm)
    assert whm.fail("dumpzone", {}) == "You must specify a zone to dump."
    assert whm.fail("dumpzone", {"domain": "missing.test"}) == "Zone does not exist."


def test_parse_dns_zone_new_view(whm: Whm) -> None:
    whm.create("alice")
    payload = whm.ok("parse_dns_zone", {"zone": ZONE})["data"]["payload"]
    legacy = {r["Line"]: r for r in dump(whm)}
    assert payload[0]["line_index"] == 0 and payload[0]["type"] == "comment"
    assert b64(payload[1]["text_b64"]) == f"; Zone file for {ZONE}"
    assert payload[2]["type"] == "control" and b64(payload[2]["text_b64"]) == "$TTL 14400"
    soa_item = payload[3]
    assert soa_item["record_type"] == "SOA" and soa_item["line_index"] == 3
    assert b64(soa_item["dname_b64"]) == f"{ZONE}."
    assert [b64(d) for d in soa_item["data_b64"]] == [
        "ns1.example.test.",
        "root.server.example.test.",
        today(),
        "3600",
        "1800",
        "1209600",
        "86400",
    ]
    for item in payload:
        assert legacy[item["line_index"] + 1]  # Line == line_index + 1
    by_name = {b64(i["dname_b64"]): i for i in payload if i["type"] == "record" and i["record_type"] == "CNAME"}
    assert [b64(d) for d in by_name["www"]["data_b64"]] == [f"{ZONE}."]
    mx = next(i for i in payload if i.get("record_type") == "MX")
    assert [b64(d) for d in mx["data_b64"]] == ["0", f"{ZONE}."]
    assert isinstance(mx["ttl"], int)


def test_parse_dns_zone_failures(whm: Whm) -> None:
    assert strip_xid(whm.fail("parse_dns_zone", {})) == "API failure: (XID) Provide the “zone” parameter."
    assert strip_xid(whm.fail("parse_dns_zone", {"zone": "missing.test"})) == (
        "API failure: (XID) This system does not have a domain named “missing.test”."
    )


def test_getzonerecord(whm: Whm) -> None:
    whm.create("alice")
    envelope = whm.ok("getzonerecord", {"domain": ZONE, "line": "20"})
    assert envelope["metadata"]["reason"] == "Record obtained."
    assert envelope["data"]["record"][0]["name"] == f"www.{ZONE}."
    assert whm.ok("getzonerecord", {"zone": f"{ZONE}.db", "Line": "4"})["data"]["record"][0]["type"] == "SOA"
    assert whm.fail("getzonerecord", {"domain": "missing.test", "line": "1"}) == "Zone does not exist."
    assert whm.fail("getzonerecord", {"domain": ZONE}) == "Must specify a record line."
    assert whm.fail("getzonerecord", {"domain": ZONE, "line": "10"}) == "No record available on selected line."


# ---------------------------------------------------------------------------------------
# legacy writers
# ---------------------------------------------------------------------------------------


def test_addzonerecord_appends_and_renumbers(whm: Whm) -> None:
    whm.create("alice")
    assert whm.ok("getzonerecord", {"domain": ZONE, "line": "20"})["data"]["record"][0]["name"] == f"www.{ZONE}."
    envelope = whm.ok("addzonerecord", {"domain": ZONE, "name": "new", "type": "A", "address": "010.000.002.001"})
    assert envelope["metadata"]["reason"] == f"Bind reloading on server using rndc zone: [{ZONE}]\n"
    assert "data" not in envelope
    rows = records(whm)
    assert rows[-1]["name"] == f"new.{ZONE}." and rows[-1]["address"] == "10.0.2.1"
    # The whole file was rewritten: blank lines are gone, the SOA kept its 6 lines, so www moved.
    www = find(whm, f"www.{ZONE}.", "CNAME")[0]
    assert www["Line"] == 15
    assert soa(whm)["Lines"] == 6
    assert str(soa(whm)["serial"]) == str(int(today()) + 1)
    # No duplicate protection; serialnum is ignored.
    whm.ok("addzonerecord", {"domain": ZONE, "name": "new", "type": "A", "address": "10.0.2.1", "serialnum": "1"})
    assert len(find(whm, f"new.{ZONE}.", "A")) == 2


def test_addzonerecord_types_and_names(whm: Whm) -> None:
    whm.create("alice")
    calls = [
        {"name": f"apex6.{ZONE}.", "type": "AAAA", "address": "2001:db8::1"},
        {"name": "alias", "type": "CNAME", "cname": "target.example.net"},
        {"name": "mx", "type": "MX", "exchange": "mail.example.net.", "preference": "10"},
        {"name": "_sip._tcp", "type": "SRV", "priority": "1", "weight": "2", "port": "5060", "target": "sip.test"},
        {"name": "sub", "type": "NS", "nsdname": "ns.example.net"},
        {"name": "ptr", "type": "PTR", "ptrdname": "host.example.net"},
        {"name": "caa", "type": "CAA", "flag": "0", "tag": "issue", "value": "letsencrypt.org"},
        {"name": "*", "type": "A", "address": "192.0.2.99", "ttl": "300"},
        {"name": "www.example.com", "type": "A", "address": "192.0.2.98"},
    ]
    for params in calls:
        whm.ok("addzonerecord", {"domain": ZONE, **params})
    assert find(whm, f"alias.{ZONE}.", "CNAME")[0]["cname"] == "target.example.net"
    assert find(whm, f"mx.{ZONE}.", "MX")[0]["exchange"] == "mail.example.net"
    srv = find(whm, f"_sip._tcp.{ZONE}.", "SRV")[0]
    assert (srv["priority"], srv["weight"], srv["port"], srv["target"]) == (1, 2, 5060, "sip.test")
    caa = find(whm, f"caa.{ZONE}.", "CAA")[0]
    assert (caa["flag"], caa["tag"], caa["value"]) == (0, "issue", "letsencrypt.org")
    assert find(whm, f"*.{ZONE}.", "A")[0]["ttl"] == 300
    # A name without a trailing dot is relative, even when it looks absolute.
    assert find(whm, f"www.example.com.{ZONE}.", "A")


def test_addzonerecord_failures(whm: Whm) -> None:
    whm.create("alice")

    def add(**params: str) -> str:
        return whm.fail("addzonerecord", {"domain": ZONE, **params})

    assert add(name="@", type="A", address="192.0.2.1") == "Invalid DNS record: Invalid name provided."
    assert add(name="a*b", type="A", address="192.0.2.1") == (
        "Invalid DNS record: Invalid name provided. Contains a malformed wildcard name."
    )
    assert add(name="x", type="A", address="192.0.2.1", ttl="1h") == "Invalid DNS record: Bad TTL provided."
    bad = "Invalid DNS record: "
    assert add(name="x", type="A", address="192.0.2.1", **{"class": "XX"}) == bad + "Invalid class specified."
    assert add(name="x", type="A", address="999.0.0.1") == bad + "Supplied address for A record is invalid"
    assert add(name="x", type="AAAA", address="1.2.3.4") == (
        "Invalid DNS record: Supplied address for AAAA record is invalid"
    )
    assert add(name="x", type="CNAME", cname="single") == "Invalid DNS record: Supplied CNAME is invalid."
    assert add(name="x", type="CNAME", cname="192.0.2.1") == bad + "CNAMEs can not point to an IPv4 address"
    assert add(name="x", type="MX", exchange="192.0.2.1", preference="1") == (
        "Invalid DNS record: IP addresses are not allowable exchange values."
    )
    assert add(name="x", type="MX", exchange="mx.test", preference="x") == (
        "Invalid DNS record: Supplied preference for MX record is invalid."
    )
    assert add(name="x", type="MX", exchange="mx.test", preference="70000") == (
        "Invalid DNS record: Supplied preference for MX record is out of range."
    )
    assert add(name="x", type="SRV", priority="1", weight="1", port="70000", target="t.test") == (
        "Invalid DNS record: Supplied port for SRV record is out of range."
    )
    assert add(name="x", type="TXT") == "Invalid DNS record: No value supplied for TXT record."
    assert add(name="x", type="CAA", flag="1", tag="issue", value="ca.test") == (
        "Invalid DNS record: Supplied “flag” value for CAA record is invalid"
    )
    assert add(name="x", type="CAA", flag="0", tag="iodef", value="mailto:bad") == (
        "Invalid DNS record: Supplied “iodef” value for CAA record is invalid"
    )
    assert add(name="x", type="NS", nsdname="single") == "Invalid DNS record: Supplied NS is invalid."
    assert add(name="www", type="A", address="192.0.2.1") == (
        f"www.{ZONE}. already has a CNAME record.\nYou may not mix CNAME records with other records (A)."
    )
    assert add(name="www", type="CNAME", cname="x.example.net") == (
        f"www.{ZONE}. already has a CNAME record.\nYou have multiple CNAME records."
    )
    assert add(name="ftp", type="CNAME", cname="x.example.net") == (
        f"ftp.{ZONE}. already has a A record.\nYou may not mix CNAME records with other records for the same name."
    )
    assert add(name="host.other.test.", type="A", address="192.0.2.1") == (
        f"host.other.test. is outside the current dns zone: {ZONE}."
    )
    assert whm.fail("addzonerecord", {"domain": "missing.test", "name": "a", "type": "A", "address": "192.0.2.1"}) == (
        "Unable to find SOA record."
    )
    assert whm.fail("addzonerecord", {"name": "a", "type": "A", "address": "192.0.2.1"}) == "Invalid domain specified."


def test_txt_encoding_legacy(whm: Whm) -> None:
    whm.create("alice")
    long_value = "v=DKIM1; k=rsa; p=" + "A+b/" * 100  # 418 bytes
    whm.ok("addzonerecord", {"domain": ZONE, "name": "dkim", "type": "TXT", "txtdata": long_value})
    record = find(whm, f"dkim.{ZONE}.", "TXT")[0]
    assert record["txtdata"] == long_value
    assert [len(s) for s in record["char_str_list"]] == [255, len(long_value) - 255]
    assert record["unencoded"] == 1
    # Already quoted: written verbatim (two strings).
    whm.ok("addzonerecord", {"domain": ZONE, "name": "two", "type": "TXT", "txtdata": '"a b" "c;d"'})
    assert find(whm, f"two.{ZONE}.", "TXT")[0]["char_str_list"] == ["a b", "c;d"]
    # unencoded=1 keeps the quotes as data; unencoded=0 is false (Perl truth).
    whm.ok("addzonerecord", {"domain": ZONE, "name": "raw", "type": "TXT", "txtdata": '"q"', "unencoded": "1"})
    assert find(whm, f"raw.{ZONE}.", "TXT")[0]["txtdata"] == '"q"'
    whm.ok("addzonerecord", {"domain": ZONE, "name": "raw0", "type": "TXT", "txtdata": '"q"', "unencoded": "0"})
    assert find(whm, f"raw0.{ZONE}.", "TXT")[0]["txtdata"] == "q"
    # Special characters survive byte for byte, in both views.
    tricky = 'spf + %41 "quoted" back\\slash @ \' ;'
    params = [("domain", ZONE), ("name", "tricky"), ("type", "TXT"), ("txtdata", tricky)]
    assert whm.call("addzonerecord", params, method="POST")["metadata"]["result"] == 1
    assert find(whm, f"tricky.{ZONE}.", "TXT")[0]["txtdata"] == tricky
    payload = whm.ok("parse_dns_zone", {"zone": ZONE})["data"]["payload"]
    item = next(i for i in payload if i["type"] == "record" and b64(i["dname_b64"]) == "tricky")
    assert [b64(d) for d in item["data_b64"]] == [tricky]


def test_editzonerecord_merges_fields(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("addzonerecord", {"domain": ZONE, "name": "host", "type": "A", "address": "192.0.2.1", "ttl": "600"})
    line = find(whm, f"host.{ZONE}.", "A")[0]["Line"]
    whm.ok("editzonerecord", {"domain": ZONE, "line": str(line), "address": "192.0.2.2"})
    record = find(whm, f"host.{ZONE}.", "A")[0]
    assert (record["address"], record["ttl"], record["Line"]) == ("192.0.2.2", 600, line)
    # Changing the type through the merge.
    whm.ok("editzonerecord", {"domain": ZONE, "Line": str(line), "type": "CNAME", "cname": "elsewhere.example.net"})
    assert find(whm, f"host.{ZONE}.", "CNAME")[0]["cname"] == "elsewhere.example.net"
    # A TXT edit treats txtdata as raw text (quotes become part of the data).
    whm.ok("addzonerecord", {"domain": ZONE, "name": "t", "type": "TXT", "txtdata": "one"})
    tline = find(whm, f"t.{ZONE}.", "TXT")[0]["Line"]
    whm.ok("editzonerecord", {"domain": ZONE, "line": str(tline), "txtdata": '"two"'})
    assert find(whm, f"t.{ZONE}.", "TXT")[0]["txtdata"] == '"two"'


def test_editzonerecord_failures_and_serial(whm: Whm) -> None:
    whm.create("alice")
    serial = str(soa(whm)["serial"])
    assert whm.fail("editzonerecord", {"domain": ZONE, "address": "192.0.2.1"}) == "Must specify a line to edit."
    assert whm.fail("editzonerecord", {"domain": ZONE, "line": "15", "serialnum": "1", "address": "192.0.2.1"}) == (
        "Zone file changed since last read."
    )
    whm.ok("editzonerecord", {"domain": ZONE, "line": "15", "serialnum": serial, "address": "192.0.2.1"})
    assert whm.fail("editzonerecord", {"domain": ZONE, "line": "500", "address": "192.0.2.1"}) == (
        "Failed to serialize record: unknown error"
    )
    line = find(whm, f"www.{ZONE}.", "CNAME")[0]["Line"]
    assert whm.fail("editzonerecord", {"domain": ZONE, "line": str(line), "cname": "bad"}) == (
        "Invalid DNS record: Supplied CNAME is invalid."
    )


def test_serial_rule(whm: Whm) -> None:
    whm.create("alice")
    assert str(soa(whm)["serial"]) == today()
    whm.ok("addzonerecord", {"domain": ZONE, "name": "a", "type": "A", "address": "192.0.2.1"})
    assert str(soa(whm)["serial"]) == str(int(today()) + 1)
    # A serial from the future only ever grows by one.
    line = soa(whm)["Line"]
    whm.ok("editzonerecord", {"domain": ZONE, "line": str(line), "serial": "2099010105"})
    assert soa(whm)["serial"] == 2099010106
    whm.ok("removezonerecord", {"zone": ZONE, "line": str(find(whm, f"a.{ZONE}.", "A")[0]["Line"])})
    assert soa(whm)["serial"] == 2099010107


def test_removezonerecord(whm: Whm) -> None:
    whm.create("alice")
    www = find(whm, f"www.{ZONE}.", "CNAME")[0]["Line"]
    envelope = whm.ok("removezonerecord", {"zone": ZONE, "line": str(www)})
    assert envelope["metadata"]["reason"].startswith("Bind reloading on server")
    assert find(whm, f"www.{ZONE}.", "CNAME") == []
    # The legacy rewrite renumbered everything after the SOA; ftp follows mail directly.
    mail = find(whm, f"mail.{ZONE}.", "CNAME")[0]["Line"]
    assert find(whm, f"ftp.{ZONE}.", "A")[0]["Line"] == mail + 1
    assert whm.fail("removezonerecord", {"zone": ZONE, "line": "4"}) == "You cannot remove the SOA record."
    assert whm.fail("removezonerecord", {"zone": ZONE, "line": "900"}) == (
        "Unable to find a record on specified line: 900"
    )
    assert whm.fail("removezonerecord", {"zone": ZONE, "line": str(mail), "serialnum": "123"}) == (
        "Zone file changed since last read."
    )
    assert whm.fail("removezonerecord", {"zone": "bad_zone..test", "line": "1"}) == "Invalid domain specified."
    assert whm.fail("listmxs", {"domain": "bad..test"}) == "Invalid domain specified."
    assert "data" not in whm.ok("listmxs", {"domain": "missing.test"})


def test_listmxs_and_savemxs(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("addzonerecord", {"domain": ZONE, "name": "sub", "type": "MX", "exchange": "mx.test", "preference": "5"})
    mxs = whm.ok("listmxs", {"domain": ZONE})
    assert mxs["metadata"]["reason"] == "Records obtained."
    assert sorted(r["name"] for r in mxs["data"]["record"]) == [f"{ZONE}.", f"sub.{ZONE}."]
    params = [
        ("domain", ZONE),
        ("name", f"{ZONE}."),
        ("exchange", "mx1.example.net"),
        ("preference", "10"),
        ("name-1", f"{ZONE}."),
        ("exchange-1", "mx2.example.net"),
        ("preference-1", "20"),
        ("ttl-1", "300"),
    ]
    whm.ok("savemxs", params)
    result = whm.ok("listmxs", {"domain": ZONE})["data"]["record"]
    assert [(r["name"], r["exchange"], r["preference"], r["ttl"]) for r in result] == [
        (f"{ZONE}.", "mx1.example.net", 10, 14400),
        (f"{ZONE}.", "mx2.example.net", 20, 300),
    ]
    assert whm.fail("savemxs", {"domain": ZONE, "name": f"{ZONE}.", "exchange": "mx.test"}) == (
        "Invalid DNS record: Supplied preference for MX record is invalid."
    )
    whm.ok("savemxs", {"domain": ZONE})  # no name keys: every MX goes
    envelope = whm.ok("listmxs", {"domain": ZONE})
    assert "data" not in envelope
    assert envelope["metadata"]["reason"] == "Records obtained."


def test_resetzone(whm: Whm) -> None:
    whm.create("alice")
    whm.ok("addzonerecord", {"domain": ZONE, "name": "spf", "type": "TXT", "txtdata": "v=spf1 +a -all"})
    whm.ok("addzonerecord", {"domain": ZONE, "name": "custom", "type": "A", "address": "192.0.2.50"})
    before = int(soa(whm)["serial"])
    assert whm.ok("resetzone", {"domain": ZONE})["metadata"]["reason"] == "OK"
    assert find(whm, f"custom.{ZONE}.", "A") == []
    assert find(whm, f"spf.{ZONE}.", "TXT")[0]["txtdata"] == "v=spf1 +a -all"
    assert int(soa(whm)["serial"]) == before + 1
    whm.ok("adddns", {"domain": "orphan.test", "ip": "192.0.2.1"})
    assert whm.fail("resetzone", {"zone": "orphan.test.db"}) == "Unable to determine the IP address for orphan.test"


def test_lookupnsip(whm: Whm) -> None:
    assert whm.ok("lookupnsip", {"host": "server.example.test"})["data"]["ip"] == "192.0.2.10"
    whm.ok("adddns", {"domain": "ns.test", "ip": "192.0.2.53"})
    whm.ok("addzonerecord", {"domain": "ns.test", "name": "ns1", "type": "A", "address": "192.0.2.54"})
    assert whm.ok("lookupnsip", {"host": "ns1.ns.test"})["data"]["ip"] == "192.0.2.54"
    assert whm.fail("lookupnsip", {"host": "ns9.unknown.test"}) == "Unable to determine IP address from nameserver."


def test_cname_flattening(whm: Whm) -> None:
    whm.create("alice")
    line = find(whm, f"{ZONE}.", "A")[0]["Line"]
    params = {"domain": ZONE, "line": str(line), "name": f"{ZONE}.", "type": "CNAME", "cname": "x.test", "flatten": "1"}
    whm.ok("editzonerecord", {**params, "flatten_to": "192.0.2.77"})
    assert find(whm, f"{ZONE}.", "A")[0]["address"] == "192.0.2.77"
    assert whm.fail("editzonerecord", {**params, "flatten_to": "nope"}) == (
        "Invalid flatten_to specified. Must be a valid IP address."
    )
    assert whm.fail("editzonerecord", params) == "Unable to resolve specified flatten address: “x.test”."


def test_dns_role_disabled(tmp_path: Any) -> None:
    whm = Whm(tmp_path / "s", settings={"dns.role_enabled": "0"})
    try:
        text = (
            "API failure: (XID) This functionality is not available because the “DNS” role is disabled on this server."
        )
        assert strip_xid(whm.fail("listzones")) == text
        assert strip_xid(whm.fail("adddns", {"domain": "a.test", "ip": "192.0.2.1"})) == text
        # Nameserver.pm functions need no role; accounts get no zone.
        whm.ok("get_nameserver_config")
        whm.create("alice")
        whm.admin("POST", "settings", {"dns.role_enabled": "1"})
        assert "data" not in whm.ok("listzones")
    finally:
        whm.close()
