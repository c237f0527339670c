"""The "dns" archive section: zones leave with the account and are rebuilt for the new server."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from conftest import Whm

from whm_emulator import archive
from whm_emulator.api.common import ARCHIVE_SECTIONS
from whm_emulator.registry import CallContext


def dump(whm: Whm, zone: str) -> List[Dict[str, Any]]:
    records = whm.ok("dumpzone", {"domain": zone})["data"]["zone"][0]["record"]
    return [r for r in records if r["type"] not in (":RAW", "$TTL")]


def test_export_and_restore_renamed_account(tmp_path: Path) -> None:
    source = Whm(tmp_path / "src", hostname="old.example.test", ip="198.51.100.5")
    dest = Whm(
        tmp_path / "dst",
        hostname="new.example.test",
        ip="203.0.113.9",
        settings={"dns.nameservers": "ns1.new.test,ns2.new.test,ns3.new.test"},
    )
    try:
        source.create("alice")
        zone = "alice.example.com"
        source.ok("addzonerecord", {"domain": zone, "name": "app", "type": "A", "address": "198.51.100.5"})
        source.ok("addzonerecord", {"domain": zone, "name": "ext", "type": "A", "address": "192.0.2.200"})
        source.ok("addzonerecord", {"domain": zone, "name": "spf", "type": "TXT", "txtdata": "v=spf1 +a -all"})
        source.ok("adddns", {"domain": "extra.test", "ip": "198.51.100.5", "trueowner": "alice"})

        with source.emulator.store.transaction(write=False) as db:
            data = archive.export_account(CallContext(db=db, emulator=source.emulator), "alice")
        section = data["sections"]["dns"]
        assert sorted(section["zones"]) == ["alice.example.com", "extra.test"]
        # The archive survives packing (what a transfer moves).
        data = archive.unpack(archive.pack(data))

        with dest.emulator.store.transaction(write=True) as db:
            archive.restore_account(CallContext(db=db, emulator=dest.emulator), data, "alice2", {})

        records = dump(dest, zone)
        soa = next(r for r in records if r["type"] == "SOA")
        assert soa["mname"] == "ns1.new.test"
        ns = sorted(r["nsdname"] for r in records if r["type"] == "NS")
        assert ns == ["ns1.new.test", "ns2.new.test", "ns3.new.test"]

        def address(name: str) -> str:
            return next(r["address"] for r in records if r["name"] == name and r["type"] == "A")

        assert address(f"{zone}.") == "203.0.113.9"
        assert address(f"app.{zone}.") == "203.0.113.9"
        assert address(f"ext.{zone}.") == "192.0.2.200"  # not the old IP: untouched
        assert next(r for r in records if r["type"] == "TXT")["txtdata"] == "v=spf1 +a -all"
        # The renamed account keeps its domains and owns the zones.
        zones = dest.ok("listzones")["data"]["zone"]
        assert sorted(z["domain"] for z in zones) == ["alice.example.com", "extra.test"]
        dest.ok("removeacct", {"username": "alice2"})
        assert "data" not in dest.ok("listzones")
    finally:
        source.close()
        dest.close()


def test_importer_keeps_the_old_ip_without_replaceip(tmp_path: Path) -> None:
    dest = Whm(tmp_path / "dst", ip="203.0.113.9")
    try:
        dest.create("bob")
        exporter, importer = ARCHIVE_SECTIONS["dns"]
        text = (
            "; cPanel first:11.110.0.1 latest:11.110.0.1\n$TTL 3600\n"
            "@ 86400 IN SOA ns1.old.test. root.old.test. ( 2020010100 3600 1800 1209600 86400 )\n"
            "bob.example.com. 86400 IN NS ns1.old.test.\nbob.example.com. IN A 198.51.100.5\n"
        )
        with dest.emulator.store.transaction(write=True) as db:
            ctx = CallContext(db=db, emulator=dest.emulator)
            account = {"user": "bob", "cpuser": {"IP": "203.0.113.9"}}
            importer(
                ctx,
                account,
                {"zones": {"bob.example.com": text}},
                {"replaceip": "none", "source_ip": "198.51.100.5", "ip": "203.0.113.9"},
            )
            exported = exporter(ctx, account)
        records = dump(dest, "bob.example.com")
        assert next(r for r in records if r["type"] == "A")["address"] == "198.51.100.5"
        soa = next(r for r in records if r["type"] == "SOA")
        assert soa["mname"] == "ns1.example.test"
        assert int(soa["serial"]) > 2020010100
        assert list(exported["zones"]) == ["bob.example.com"]
    finally:
        dest.close()
