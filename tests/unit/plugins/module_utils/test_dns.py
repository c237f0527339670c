# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64
import json
import typing as t
from urllib.parse import parse_qsl, urlencode

import pytest

from ansible_collections.hosting.whm.plugins.module_utils._dns import (
    Record,
    build_changes,
    data_for_value,
    desired_record_set,
    mass_edit_params,
    normalise_value,
    normalise_zone,
    parse_zone,
    plan_record_set,
    prune_outcomes,
    relative_name,
    value_from_data,
    zone_line,
)
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMInputError

# -- scripted parse_dns_zone payloads (shape from the parse_dns_zone OpenAPI schema and
#    dns_ssl_tokens.md 2.5: base64 fields, 0-based line_index, apex fully qualified) --------


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def rr(line: int, dname: str, ttl: int, rtype: str, *data: str) -> dict:
    return {
        "line_index": line,
        "type": "record",
        "dname_b64": b64(dname),
        "ttl": ttl,
        "record_type": rtype,
        "data_b64": [b64(item) for item in data],
    }


def control(line: int, text: str) -> dict:
    return {"line_index": line, "type": "control", "text_b64": b64(text)}


def comment(line: int, text: str) -> dict:
    return {"line_index": line, "type": "comment", "text_b64": b64(text)}


SERIAL = "2026112800"


def template_payload(zone: str = "example.com", serial: str = SERIAL, extra: t.Sequence[dict] = ()) -> t.List[dict]:
    """What WHM's standard template looks like through parse_dns_zone (dns_ssl_tokens.md 2.0)."""
    apex = zone + "."
    items = [
        comment(0, "; cPanel first:11.120.0.16 latest:11.120.0.16 Cpanel::ZoneFile::VERSION:1.3"),
        control(1, "$TTL 14400"),
        rr(
            2,
            apex,
            86400,
            "SOA",
            "ns1.example.net.",
            "hostmaster.example.net.",
            serial,
            "3600",
            "1800",
            "1209600",
            "86400",
        ),
        rr(9, apex, 86400, "NS", "ns1.example.net."),
        rr(10, apex, 86400, "NS", "ns2.example.net."),
        rr(11, apex, 14400, "A", "192.0.2.10"),
        rr(12, apex, 14400, "MX", "0", apex),
        rr(13, "mail", 14400, "CNAME", apex),
        rr(14, "www", 14400, "CNAME", apex),
        rr(15, apex, 14400, "TXT", "v=spf1 +a +mx -all"),
    ]
    return items + list(extra)


def zone_of(payload: t.Optional[t.List[dict]] = None, zone: str = "example.com"):
    return parse_zone(zone, payload if payload is not None else template_payload(zone))


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, relative",
    [
        ("", ""),
        ("@", ""),
        (None, ""),
        ("example.com", ""),
        ("example.com.", ""),
        ("EXAMPLE.com.", ""),
        ("www", "www"),
        ("WWW", "www"),
        ("www.example.com", "www"),
        ("www.example.com.", "www"),
        ("a.b", "a.b"),
        ("*.dev", "*.dev"),
        ("_dmarc", "_dmarc"),
        ("default._domainkey.Example.COM", "default._domainkey"),
        ("bücher", "xn--bcher-kva"),
    ],
)
def test_names_relative_to_the_zone(given, relative):
    assert relative_name(given, "example.com") == relative


@pytest.mark.parametrize(
    "given, message",
    [
        ("www.example.org.", "The record name 'www.example.org.' is outside the zone example.com."),
        ("-bad", "The record name '-bad' is not a valid DNS name"),
        ("a..b", "The record name 'a..b' is not a valid DNS name"),
        ("a.*", "The record name 'a.*' is not a valid DNS name"),
        ("x" * 64, "is not a valid DNS name"),
    ],
)
def test_bad_names(given, message):
    with pytest.raises(WHMInputError) as caught:
        relative_name(given, "example.com")
    assert message in caught.value.message


def test_zone_names_are_normalised_to_punycode():
    assert normalise_zone("Bücher.Example.") == "xn--bcher-kva.example"
    assert normalise_zone("EXAMPLE.com") == "example.com"
    with pytest.raises(WHMInputError):
        normalise_zone("localhost")
    with pytest.raises(WHMInputError):
        normalise_zone(" ")


# -- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rtype, given, canonical",
    [
        ("A", " 192.0.2.1 ", "192.0.2.1"),
        ("AAAA", "2001:DB8:0:0::1", "2001:db8::1"),
        ("CNAME", "Target.Example.com.", "target.example.com"),
        ("NS", "ns1.example.net", "ns1.example.net"),
        ("MX", "10  Mail.Example.com.", "10 mail.example.com"),
        ("MX", "0 example.com", "0 example.com"),
        ("SRV", "0 5 5060 sip.example.com.", "0 5 5060 sip.example.com"),
        ("SRV", "0 0 0 .", "0 0 0 ."),
        ("CAA", '0 issue "letsencrypt.org"', '0 issue "letsencrypt.org"'),
        ("CAA", "0 ISSUE letsencrypt.org", '0 issue "letsencrypt.org"'),
        ("CAA", '128 iodef "mailto:a@example.com"', '128 iodef "mailto:a@example.com"'),
        ("TXT", "v=DKIM1; k=rsa; p=MIIB+abc/def%20==", "v=DKIM1; k=rsa; p=MIIB+abc/def%20=="),
        ("TXT", "  spaces kept  ", "  spaces kept  "),
        ("PTR", "host.bücher.example", "host.xn--bcher-kva.example"),
    ],
)
def test_values_in_canonical_form(rtype, given, canonical):
    assert normalise_value(rtype, given) == canonical


@pytest.mark.parametrize(
    "rtype, given, message",
    [
        ("A", "2001:db8::1", "'2001:db8::1' is not a valid IPv4 address."),
        ("AAAA", "192.0.2.1", "'192.0.2.1' is not a valid IPv6 address."),
        ("MX", "mail.example.com", "An MX value is 'PREFERENCE HOST'"),
        ("MX", "70000 mail.example.com", "The MX preference must be a whole number from 0 to 65535"),
        ("SRV", "0 5 sip.example.com", "An SRV value is 'PRIORITY WEIGHT PORT TARGET'"),
        ("CAA", "0 issue", "A CAA value is 'FLAG TAG VALUE'"),
        ("CAA", "0 is-sue x", "The CAA tag 'is-sue' must be 1 to 15 letters or digits."),
        ("TXT", "caf\u00e9", "WHM accepts only printable ASCII characters in TXT data."),
        ("CNAME", "a b", "A CNAME value is one host name"),
    ],
)
def test_bad_values(rtype, given, message):
    with pytest.raises(WHMInputError) as caught:
        normalise_value(rtype, given)
    assert message in caught.value.message


def test_values_read_from_whm():
    assert value_from_data("MX", ["10", "Mail.Example.com."]) == "10 mail.example.com"
    assert value_from_data("SRV", ["0", "5", "5060", "sip.example.com."]) == "0 5 5060 sip.example.com"
    assert value_from_data("CAA", ["0", "issue", "letsencrypt.org"]) == '0 issue "letsencrypt.org"'
    assert value_from_data("TXT", ["a" * 255, "b" * 10]) == "a" * 255 + "b" * 10
    assert value_from_data("AAAA", ["2001:0db8::0001"]) == "2001:db8::1"
    assert value_from_data("SOA", ["ns1.", "h.", "1", "2", "3", "4", "5"]) == "ns1. h. 1 2 3 4 5"


def test_long_txt_is_split_into_255_character_strings_and_joined_back():
    value = "v=DKIM1; k=rsa; p=" + "A+b/%" * 120
    data = data_for_value("TXT", value)
    assert [len(item) for item in data] == [255, 255, 108]
    assert "".join(data) == value
    assert value_from_data("TXT", data) == value


def test_data_for_whm_uses_absolute_names():
    assert data_for_value("MX", "10 mail.example.com") == ["10", "mail.example.com."]
    assert data_for_value("SRV", "0 5 5060 sip.example.com") == ["0", "5", "5060", "sip.example.com."]
    assert data_for_value("SRV", "0 0 0 .") == ["0", "0", "0", "."]
    assert data_for_value("CAA", '0 issue "letsencrypt.org"') == ["0", "issue", "letsencrypt.org"]
    assert data_for_value("CNAME", "example.com") == ["example.com."]
    assert data_for_value("TXT", "") == [""]


# -- reading ---------------------------------------------------------------------------------


def test_parse_zone_normalises_names_and_finds_serial_and_default_ttl():
    zone = zone_of()
    assert zone.serial == SERIAL
    assert zone.default_ttl == 14400
    assert [(r.name, r.type, r.value, r.line_index) for r in zone.records if r.type != "SOA"] == [
        ("", "NS", "ns1.example.net", 9),
        ("", "NS", "ns2.example.net", 10),
        ("", "A", "192.0.2.10", 11),
        ("", "MX", "0 example.com", 12),
        ("mail", "CNAME", "example.com", 13),
        ("www", "CNAME", "example.com", 14),
        ("", "TXT", "v=spf1 +a +mx -all", 15),
    ]


def test_parse_zone_lowercases_names_and_keeps_odd_bytes_visible():
    payload = template_payload(
        extra=[
            rr(16, "WWW2", 300, "A", "192.0.2.20"),
            rr(17, "Sub.Example.Com.", 300, "A", "192.0.2.21"),
            {
                "line_index": 18,
                "type": "record",
                "dname_b64": b64("bin"),
                "ttl": 300,
                "record_type": "TXT",
                "data_b64": [base64.b64encode(b"\xff\xfe").decode()],
            },
        ]
    )
    zone = zone_of(payload)
    assert [(r.name, r.value) for r in zone.records[-3:]] == [
        ("www2", "192.0.2.20"),
        ("sub", "192.0.2.21"),
        ("bin", "\\xff\\xfe"),
    ]


# -- planning --------------------------------------------------------------------------------


def desired(name="www2", rtype="A", values=("192.0.2.20",), ttl=None, state="present", on_existing="replace"):
    return desired_record_set(
        "example.com", name, rtype, list(values) if values is not None else None, ttl, state, on_existing
    )


def test_new_record_set_is_added_with_the_zone_default_ttl():
    zone = zone_of()
    outcome = plan_record_set(zone, desired())
    changes, warnings = build_changes(zone, [outcome])
    assert warnings == []
    assert changes.add == [Record("www2", "A", 14400, "192.0.2.20")]
    assert changes.edit == [] and changes.remove == []


def test_matching_record_set_needs_nothing():
    zone = zone_of()
    outcome = plan_record_set(zone, desired("@", "NS", ["NS2.example.net.", "ns1.example.net"]))
    assert not outcome.changed
    outcome = plan_record_set(zone, desired("example.com.", "TXT", ["v=spf1 +a +mx -all"], ttl=14400))
    assert not outcome.changed


def test_replacing_values_edits_lines_in_place():
    zone = zone_of()
    outcome = plan_record_set(zone, desired("@", "NS", ["ns1.example.net", "ns3.example.net"]))
    changes, dummy = build_changes(zone, [outcome])
    assert changes.remove == [] and changes.add == []
    assert changes.edit == [(10, Record("", "NS", 86400, "ns3.example.net"))]


def test_ttl_change_keeps_the_record_on_its_line():
    zone = zone_of()
    outcome = plan_record_set(zone, desired("www", "CNAME", ["example.com."], ttl=300))
    changes, dummy = build_changes(zone, [outcome])
    assert changes.edit == [(14, Record("www", "CNAME", 300, "example.com"))]


def test_fewer_values_remove_lines_and_more_values_add():
    zone = zone_of()
    outcome = plan_record_set(zone, desired("@", "MX", ["10 mx1.example.net", "20 mx2.example.net"]))
    changes, dummy = build_changes(zone, [outcome])
    assert changes.edit == [(12, Record("", "MX", 14400, "10 mx1.example.net"))]
    assert changes.add == [Record("", "MX", 14400, "20 mx2.example.net")]


@pytest.mark.parametrize("on_existing", ["keep", "keep_and_warn"])
def test_keep_leaves_a_different_set_alone(on_existing):
    zone = zone_of()
    outcome = plan_record_set(zone, desired("www", "CNAME", ["other.example.net"], on_existing=on_existing))
    assert not outcome.changed
    if on_existing == "keep":
        assert outcome.warning is None
    else:
        assert outcome.warning == (
            "The CNAME record set www.example.com already exists with different values or TTL; "
            "set on_existing=replace to replace it. It was kept."
        )


def test_keep_and_fail_refuses_before_writing():
    with pytest.raises(WHMInputError) as caught:
        plan_record_set(zone_of(), desired("www", "CNAME", ["other.example.net"], on_existing="keep_and_fail"))
    assert caught.value.message == (
        "The CNAME record set www.example.com already exists with different values or TTL; "
        "set on_existing=replace to replace it."
    )


def test_keep_creates_a_missing_set():
    outcome = plan_record_set(zone_of(), desired("new", "A", ["192.0.2.1"], on_existing="keep"))
    assert outcome.create == [Record("new", "A", 14400, "192.0.2.1")]


def test_absent_with_replace_removes_whatever_the_values():
    zone = zone_of()
    outcome = plan_record_set(zone, desired("mail", "CNAME", None, state="absent"))
    changes, dummy = build_changes(zone, [outcome])
    assert changes.remove == [13]


def test_absent_with_keep_removes_only_a_matching_set():
    zone = zone_of()
    other = plan_record_set(zone, desired("mail", "CNAME", ["x.example.net"], state="absent", on_existing="keep"))
    assert not other.changed
    same = plan_record_set(zone, desired("mail", "CNAME", ["example.com"], state="absent", on_existing="keep"))
    assert [r.line_index for r in same.drop] == [13]


def test_removing_every_ns_record_is_refused_before_writing():
    zone = zone_of()
    outcome = plan_record_set(zone, desired("@", "NS", None, state="absent"))
    with pytest.raises(WHMInputError) as caught:
        build_changes(zone, [outcome])
    assert "would remove every NS record of the zone example.com" in caught.value.message


def test_prune_keeps_the_last_original_ns_and_never_the_soa():
    zone = zone_of()
    outcomes = prune_outcomes(zone, {("", "A")})
    changes, warnings = build_changes(zone, outcomes, protect_ns=True)
    assert sorted(changes.remove) == [10, 12, 13, 14, 15]
    assert warnings == [
        "Prune kept the NS record example.com. 86400 IN NS ns1.example.net: "
        "WHM refuses to remove every NS record of a zone."
    ]


def test_cname_beside_other_records_is_refused():
    zone = zone_of()
    outcome = plan_record_set(zone, desired("www", "A", ["192.0.2.1"]))
    with pytest.raises(WHMInputError) as caught:
        build_changes(zone, [outcome])
    assert caught.value.message == (
        "www.example.com would have a CNAME record and other records (A); a name with a CNAME may hold nothing else."
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"values": []}, "values must list at least one value when state is present."),
        ({"rtype": "SOA"}, "type must be one of A, AAAA, CAA, CNAME, MX, NS, PTR, SRV, TXT, not SOA."),
        ({"rtype": "CNAME", "values": ["a.example.net", "b.example.net"]}, "a CNAME record set holds exactly one"),
        ({"name": "@", "rtype": "CNAME", "values": ["a.example.net"]}, "the zone apex cannot have a CNAME"),
        ({"state": "absent", "values": None, "on_existing": "keep"}, "values must list the record set's values"),
        ({"ttl": -1}, "ttl must be a whole number of seconds, not -1."),
    ],
)
def test_bad_declarations(kwargs, message):
    with pytest.raises(WHMInputError) as caught:
        desired(**kwargs)
    assert message in caught.value.message


# -- the write -------------------------------------------------------------------------------


def test_mass_edit_payload_uses_the_zone_fqdn_for_the_apex_and_keeps_plus_and_percent():
    zone = zone_of()
    value = "v=spf1 +a +mx include:_spf.example.net ~all %{i}"
    outcome = plan_record_set(zone, desired("@", "TXT", [value]))
    changes, dummy = build_changes(zone, [outcome])
    params = mass_edit_params(zone, changes)
    assert params == [
        ("zone", "example.com"),
        ("serial", SERIAL),
        ("edit", ['{"line_index":15,"dname":"example.com.","ttl":14400,"record_type":"TXT","data":["' + value + '"]}']),
    ]
    # What the HTTP layer does with it: form encoding must bring "+" and "%" back unchanged.
    pairs = [("edit-0", params[2][1][0])]
    assert parse_qsl(urlencode(pairs)) == pairs
    assert json.loads(params[2][1][0])["data"] == [value]


def test_mass_edit_payload_lists():
    zone = zone_of()
    outcomes = [
        plan_record_set(zone, desired("www2", "A", ["192.0.2.20"], ttl=300)),
        plan_record_set(zone, desired("mail", "CNAME", None, state="absent")),
    ]
    changes, dummy = build_changes(zone, outcomes)
    assert mass_edit_params(zone, changes) == [
        ("zone", "example.com"),
        ("serial", SERIAL),
        ("add", ['{"dname":"www2","ttl":300,"record_type":"A","data":["192.0.2.20"]}']),
        ("remove", [13]),
    ]


def test_zone_line():
    assert zone_line(Record("", "TXT", 300, 'say "hi"'), "example.com") == 'example.com. 300 IN TXT "say \\"hi\\""'
    assert zone_line(Record("www", "A", 300, "192.0.2.1"), "example.com") == "www.example.com. 300 IN A 192.0.2.1"
