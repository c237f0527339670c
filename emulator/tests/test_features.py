"""Feature lists (Whostmgr/API/1/FeatureLists.pm) and the feature_enabled helper."""

from __future__ import annotations

from conftest import Whm

from whm_emulator.api.common import load_account, save_cpuser
from whm_emulator.api.features import export_featurelist, feature_enabled, import_featurelist, restore_featurelist
from whm_emulator.registry import CallContext


def test_stock_lists(whm: Whm) -> None:
    assert whm.ok("get_featurelists")["data"]["featurelists"] == ["default", "disabled", "Mail Only"]
    data = whm.ok("get_featurelist_data", {"featurelist": "default"})["data"]
    assert data["featurelist"] == "default"
    autossl = next(f for f in data["features"] if f["id"] == "autossl")
    assert autossl == {"id": "autossl", "name": "AutoSSL", "value": 1, "is_disabled": 0, "dependencies": []}
    mail = whm.ok("read_featurelist", {"featurelist": "Mail Only"})["data"]["features"]
    assert mail["webmail"] == 1 and mail["zoneedit"] == 0


def test_create_update_delete(whm: Whm) -> None:
    assert whm.ok("create_featurelist", {"featurelist": "gold", "autossl": "1", "webmail": "1"})["data"] == {
        "featurelist": "gold"
    }
    features = whm.ok("read_featurelist", {"featurelist": "gold"})["data"]["features"]
    assert features["autossl"] == 1 and features["webmail"] == 1 and features["cron"] == 0  # unspecified = off
    assert whm.fail("create_featurelist", {"featurelist": "gold"}) == 'Featurelist by that name already exists: "gold"'
    whm.ok("create_featurelist", {"featurelist": "gold", "overwrite": "1", "cron": "1"})
    features = whm.ok("read_featurelist", {"featurelist": "gold"})["data"]["features"]
    assert (features["cron"], features["autossl"]) == (1, 0)

    data = whm.ok("update_featurelist", {"featurelist": "gold", "autossl": "1", "cron": "0", "teleport": "1"})["data"]
    assert data == {
        "featurelist": "gold",
        "updated_features": {"autossl": 1, "cron": 0},
        "invalid_features": ["teleport"],
    }
    features = whm.ok("read_featurelist", {"featurelist": "gold"})["data"]["features"]
    assert (features["cron"], features["autossl"]) == (0, 1)

    # update_featurelist creates a missing list with just the given features.
    whm.ok("update_featurelist", {"featurelist": "silver", "zoneedit": "0"})
    assert "silver" in whm.ok("get_featurelists")["data"]["featurelists"]
    features = whm.ok("read_featurelist", {"featurelist": "silver"})["data"]["features"]
    assert features["zoneedit"] == 0 and features["autossl"] == 1  # the rest follows default

    assert whm.ok("delete_featurelist", {"featurelist": "gold"})["data"] == {"deleted_featurelist": "gold"}
    assert whm.fail("get_featurelist_data", {"featurelist": "gold"}) == 'Specified featurelist does not exist: "gold"'
    assert whm.fail("delete_featurelist", {"featurelist": "gold"}) == 'Specified featurelist does not exist: "gold"'
    assert whm.fail("delete_featurelist", {"featurelist": "default"}) == "You cannot delete the “default” feature list."
    for function in ("create_featurelist", "update_featurelist", "delete_featurelist", "get_featurelist_data"):
        assert whm.fail(function, {}) == "No featurelist name specified."


def test_disabled_list_switches_features_off_everywhere(whm: Whm) -> None:
    whm.ok("update_featurelist", {"featurelist": "disabled", "autossl": "0"})
    data = whm.ok("get_featurelist_data", {"featurelist": "default"})["data"]
    autossl = next(f for f in data["features"] if f["id"] == "autossl")
    assert (autossl["value"], autossl["is_disabled"]) == (1, 1)
    whm.create("alice")
    with whm.emulator.store.transaction(write=False) as db:
        assert not feature_enabled(CallContext(db=db, emulator=whm.emulator), "alice", "autossl")


def test_feature_enabled_follows_package_and_cpuser(whm: Whm) -> None:
    whm.ok("create_featurelist", {"featurelist": "Mail Only", "overwrite": "1", "webmail": "1"})
    whm.ok("addpkg", {"name": "mailpkg", "featurelist": "Mail Only"})
    whm.create("mailer", plan="mailpkg")
    whm.create("alice")
    with whm.emulator.store.transaction(write=True) as db:
        ctx = CallContext(db=db, emulator=whm.emulator)
        assert feature_enabled(ctx, "alice", "autossl")
        assert not feature_enabled(ctx, "mailer", "autossl")
        assert feature_enabled(ctx, "mailer", "webmail")
        assert not feature_enabled(ctx, "ghost", "autossl")
        # A per-account override in the cpuser file wins over the list.
        account = load_account(ctx, "mailer")
        assert account is not None
        save_cpuser(ctx, "mailer", {**account["cpuser"], "FEATURE-AUTOSSL": "1"})
        assert feature_enabled(ctx, "mailer", "autossl")
    # The package's list is followed when changepackage moves the account.
    whm.ok("changepackage", {"user": "alice", "pkg": "mailpkg"})
    with whm.emulator.store.transaction(write=False) as db:
        assert not feature_enabled(CallContext(db=db, emulator=whm.emulator), "alice", "autossl")


def test_export_and_import_for_transfers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = Whm(tmp_path / "a")
    target = Whm(tmp_path / "b")
    try:
        source.ok("create_featurelist", {"featurelist": "gold", "autossl": "1"})
        with source.emulator.store.transaction(write=False) as db:
            exported = export_featurelist(CallContext(db=db, emulator=source.emulator), "gold")
            assert export_featurelist(CallContext(db=db, emulator=source.emulator), "nope") is None
        assert exported is not None and exported["features"]["autossl"] == 1
        with target.emulator.store.transaction(write=True) as db:
            ctx = CallContext(db=db, emulator=target.emulator)
            outcome = restore_featurelist(ctx, "gold", exported)
            assert outcome["log"] == ["Created the feature list “gold”."]
            assert restore_featurelist(ctx, "gold", exported)["skipped"] == [
                "The feature list “gold” already exists on this server."
            ]
            assert not import_featurelist(ctx, exported)
            assert import_featurelist(ctx, {"name": "gold", "features": {"autossl": "0"}}, overwrite=True)
        features = target.ok("read_featurelist", {"featurelist": "gold"})["data"]["features"]
        assert features["autossl"] == 0 and features["cron"] == 1
    finally:
        source.close()
        target.close()


def test_packages_name_existing_feature_lists(whm: Whm) -> None:
    assert (
        whm.fail("addpkg", {"name": "p1", "featurelist": "gold"})
        == "Invalid value “gold” for the “featurelist” setting."
    )
    whm.ok("create_featurelist", {"featurelist": "gold", "autossl": "1"})
    whm.ok("addpkg", {"name": "p1", "featurelist": "gold"})
    whm.ok("editpkg", {"name": "p1", "featurelist": "disabled"})
    assert whm.ok("getpkginfo", {"pkg": "p1"})["data"]["pkg"]["FEATURELIST"] == "disabled"


def test_verify_user_has_feature(whm: Whm) -> None:
    whm.ok("create_featurelist", {"featurelist": "gold", "webmail": "1"})
    whm.ok("addpkg", {"name": "goldpkg", "featurelist": "gold"})
    whm.create("alice", plan="goldpkg")

    def has(feature: str) -> object:
        data = whm.ok("verify_user_has_feature", {"user": "alice", "feature": feature})["data"]
        assert data["query_feature"] == feature
        return data["has_feature"]

    assert has("webmail") == 1
    assert has("autossl") == 0  # create_featurelist saved it off
    # Docs: a feature outside every feature list counts as enabled.
    assert has("no_such_feature") == 1
    # The disabled list wins over the account's list.
    whm.ok("update_featurelist", {"featurelist": "disabled", "webmail": "0"})
    assert has("webmail") == 0
    # Arguments are length-required (user first), then the account access check.
    reason = whm.fail("verify_user_has_feature", {"feature": "webmail"})
    assert reason.endswith("Provide the \u201cuser\u201d parameter.")
    reason = whm.fail("verify_user_has_feature", {"user": "alice", "feature": ""})
    assert reason.endswith("The value of \u201cfeature\u201d may not be empty.")
    reason = whm.fail("verify_user_has_feature", {"user": "ghost", "feature": "webmail"})
    assert reason.endswith("You do not have a user named \u201cghost\u201d.")
