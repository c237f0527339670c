# Copyright (c) hosting.whm contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE: this file is internal to the hosting.whm collection. It may change without notice
# and is not part of the collection's public API.

"""AutoSSL: the provider (get_autossl_providers / set_autossl_provider), readiness checks, and
a check for one user that can be waited for (start_autossl_check_for_one_user, then
fetch_ssl_vhosts and get_autossl_problems_for_user until every domain has an answer)."""

from __future__ import annotations

import time
import typing as t

from ansible_collections.hosting.whm.plugins.module_utils._api import WhmApi
from ansible_collections.hosting.whm.plugins.module_utils._errors import WHMAPIError, WHMError, WHMInputError
from ansible_collections.hosting.whm.plugins.module_utils._result import Result
from ansible_collections.hosting.whm.plugins.module_utils._ssl import (
    covers,
    normalise_domain,
    vhost_certificate,
)

FEATURE = "autossl"


class WHMAutoSSLNotReady(WHMError):
    """AutoSSL cannot run for the user; the message says what is missing."""


class WHMAutoSSLTimeout(WHMError):
    """The AutoSSL check did not give an answer for every domain in time."""


def _truthy(value: t.Any) -> bool:
    return str(value if value is not None else "").strip().lower() not in ("", "0", "false", "no")


def provider_view(record: t.Mapping[str, t.Any]) -> t.Dict[str, t.Any]:
    tos = record.get("x_terms_of_service")
    return {
        "name": record.get("module_name"),
        "display_name": record.get("display_name"),
        "enabled": _truthy(record.get("enabled")),
        "terms_of_service": tos,
        "terms_of_service_accepted": terms_accepted(record),
    }


def terms_accepted(record: t.Mapping[str, t.Any]) -> bool:
    """Whether the provider's current terms are accepted (true when it publishes none).

    The accepted value is the URL of the accepted terms (dns_ssl_tokens.md 3.11), shown as
    1 in cPanel's documentation examples; a URL of older terms does not count.
    """
    tos = record.get("x_terms_of_service")
    if not tos:
        return True
    accepted = record.get("x_terms_of_service_accepted")
    if isinstance(accepted, str) and "://" in accepted:
        return accepted == tos
    return _truthy(accepted)


def read_providers(api: WhmApi) -> t.List[t.Dict[str, t.Any]]:
    return api.read("get_autossl_providers").records("payload")


def ensure_provider(
    api: WhmApi,
    providers: t.List[t.Dict[str, t.Any]],
    provider: str,
    accept_terms: bool,
    check_mode: bool,
) -> t.Tuple[bool, t.Dict[str, t.Any], t.Dict[str, t.Any]]:
    """Make ``provider`` the enabled one; returns (changed, before, after) views."""
    by_name = {str(record.get("module_name")): record for record in providers}
    record = by_name.get(provider)
    if record is None:
        available = ", ".join(sorted(by_name)) or "none"
        raise WHMInputError(f'Unknown AutoSSL provider "{provider}"; this server offers: {available}.')
    enabled = next((p for p in providers if _truthy(p.get("enabled"))), None)
    before = provider_view(enabled) if enabled else {}
    if _truthy(record.get("enabled")) and terms_accepted(record):
        return False, before, before
    tos = record.get("x_terms_of_service")
    params: t.Dict[str, t.Any] = {"provider": provider}
    if tos:
        if not accept_terms:
            raise WHMInputError(
                f'The AutoSSL provider "{provider}" requires accepting its terms of service ({tos}); '
                "read them and set accept_terms to true."
            )
        # Acceptance is the exact URL of the current terms (dns_ssl_tokens.md 3.11).
        params["x_terms_of_service_accepted"] = tos
    if not check_mode:
        api.write("set_autossl_provider", params)
    after = provider_view(dict(record, enabled=1, x_terms_of_service_accepted=tos or None))
    return True, before, after


def check_ready(api: WhmApi, providers: t.List[t.Dict[str, t.Any]], user: str) -> t.Dict[str, t.Any]:
    """Refuse to start a check that WHM would refuse, saying which condition is missing.

    start_autossl_check_for_one_user fails when no provider is enabled or the account lacks
    the ``autossl`` feature (dns_ssl_tokens.md 3.12), and its error names neither the package
    nor the feature list (users.md 15). The feature comes from the feature list of the
    account's package (accountsummary -> getpkginfo FEATURELIST -> get_featurelist_data); the
    ``disabled`` list switches a feature off for everybody (``is_disabled``).
    """
    if not any(_truthy(p.get("enabled")) for p in providers):
        raise WHMAutoSSLNotReady(
            "AutoSSL is disabled on this server: get_autossl_providers shows no enabled provider. "
            "Set provider (for example LetsEncrypt with accept_terms: true) to enable it."
        )
    accounts = api.read("accountsummary", {"user": user}).records("acct")
    if not accounts:
        raise WHMAutoSSLNotReady(f'accountsummary returned no account "{user}".')
    plan = str(accounts[0].get("plan") or "default")
    featurelist = "default"
    try:
        package = (api.read("getpkginfo", {"pkg": plan}).data or {}).get("pkg") or {}
        featurelist = str(package.get("FEATURELIST") or "default")
    except WHMAPIError:
        # The package is gone (WHM keeps such accounts): assume the default list. The account's
        # own copy of its feature list is not readable through WHM API 1, and
        # start_autossl_check_for_one_user still refuses with its own reason if it lacks the feature.
        featurelist = "default"
    features = api.read("get_featurelist_data", {"featurelist": featurelist}).records("features")
    entry = next((f for f in features if f.get("id") == FEATURE), None)
    readiness = {"user": user, "package": plan, "featurelist": featurelist}
    if entry is None:
        # A feature a list does not describe is allowed (verify_user_has_feature documentation).
        return readiness
    if not _truthy(entry.get("is_disabled")) and _truthy(entry.get("value")):
        return readiness
    # The lists say no. An account can still have the feature through its own overrides
    # (add_override_features_for_user), which no list shows; verify_user_has_feature answers for
    # the account itself, so ask it before refusing (cpanel-packages-api-openapi.yml).
    verdict = api.read("verify_user_has_feature", {"user": user, "feature": FEATURE}).data or {}
    if _truthy(verdict.get("has_feature")):
        readiness["feature_override"] = True
        return readiness
    if _truthy(entry.get("is_disabled")):
        raise WHMAutoSSLNotReady(
            f'The "{FEATURE}" feature is switched off for every account by the "disabled" feature list '
            f'(get_featurelist_data), so AutoSSL cannot run for "{user}". Remove it from the "disabled" list.'
        )
    if not _truthy(entry.get("value")):
        raise WHMAutoSSLNotReady(
            f'The account "{user}" does not have the "{FEATURE}" feature: its package "{plan}" uses the feature '
            f'list "{featurelist}", which does not enable it (get_featurelist_data). Enable AutoSSL in that '
            "feature list, or give the account a package whose list does."
        )
    return readiness


def user_domains(api: WhmApi, user: str) -> t.List[str]:
    """The account's domains (get_domain_info), the names AutoSSL tries to secure."""
    params = [
        ("api.filter.enable", "1"),
        ("api.filter.a.field", "user"),
        ("api.filter.a.type", "eq"),
        ("api.filter.a.arg0", user),
    ]
    records = api.read("get_domain_info", params).records("domains")
    names = {normalise_domain(str(r.get("domain"))) for r in records if r.get("user") == user and r.get("domain")}
    return sorted(names)


def _certificates_by_domain(api: WhmApi, user: str, domains: t.Sequence[str], now: float) -> t.Dict[str, t.Dict]:
    found: t.Dict[str, t.Dict] = {}
    for vhost in api.read("fetch_ssl_vhosts").records("vhosts"):
        if vhost.get("user") != user:
            continue
        certificate = vhost_certificate(vhost, now)
        for domain in domains:
            if domain not in found and covers(certificate["domains"], domain):
                found[domain] = certificate
    return found


def _problems(api: WhmApi, user: str) -> t.Dict[t.Tuple[str, str], str]:
    records = api.read("get_autossl_problems_for_user", {"username": user}).records("problems_by_domain")
    return {
        (normalise_domain(str(r.get("domain"))), str(r.get("time") or "")): str(r.get("problem") or "")
        for r in records
        if r.get("domain")
    }


def _usable(certificate: t.Mapping[str, t.Any]) -> bool:
    return not certificate.get("is_self_signed") and not certificate.get("expired")


def run_check(
    api: WhmApi,
    user: str,
    wait: bool,
    wait_timeout: float,
    poll_interval: float,
    sleep: t.Callable[[float], None],
    clock: t.Callable[[], float] = time.monotonic,
) -> t.Tuple[bool, t.Dict[str, t.Any]]:
    """Start AutoSSL for ``user``; with ``wait``, poll until each domain has a certificate or a
    new problem. Returns (changed, result)."""
    now = time.time()
    domains = user_domains(api, user)
    before_certs = _certificates_by_domain(api, user, domains, now) if wait else {}
    before_problems = _problems(api, user) if wait else {}
    response = api.write("start_autossl_check_for_one_user", {"username": user})
    pid = (response.data or {}).get("pid") if isinstance(response.data, dict) else None
    result: t.Dict[str, t.Any] = {"user": user, "pid": pid, "started": True, "finished": False, "domains": []}
    if not wait:
        return True, result

    deadline = clock() + wait_timeout
    while True:
        now = time.time()
        certs = _certificates_by_domain(api, user, domains, now)
        problems = _problems(api, user)
        new_problems: t.Dict[str, str] = {}
        for (domain, when), text in sorted(problems.items()):
            if (domain, when) not in before_problems:
                new_problems[domain] = text
        entries = []
        pending = []
        for domain in domains:
            certificate = certs.get(domain)
            previous = before_certs.get(domain)
            renewed = certificate is not None and (previous is None or previous.get("id") != certificate.get("id"))
            if certificate is not None and _usable(certificate) and (renewed or domain not in new_problems):
                entries.append(
                    {
                        "domain": domain,
                        "status": "installed",
                        "renewed": renewed,
                        "not_after": certificate.get("not_after"),
                        "days_to_expiry": certificate.get("days_to_expiry"),
                        "issuer": certificate.get("issuer_organization") or certificate.get("issuer_common_name"),
                    }
                )
            elif domain in new_problems:
                entries.append({"domain": domain, "status": "problem", "problem": new_problems[domain]})
            else:
                pending.append(domain)
        if not pending:
            changed = any(entry.get("renewed") for entry in entries)
            result.update(finished=True, domains=entries, problems=[e for e in entries if e["status"] == "problem"])
            return changed, result
        if clock() >= deadline:
            raise WHMAutoSSLTimeout(
                f'The AutoSSL check for "{user}" (start_autossl_check_for_one_user, pid {pid}) gave no certificate '
                f"and no problem within {wait_timeout:g} s for: {', '.join(pending)}.",
                domains=entries,
            )
        sleep(poll_interval)


def ensure_autossl(
    api: WhmApi,
    provider: t.Optional[str],
    accept_terms: bool,
    run_for: t.Optional[str],
    wait: bool,
    wait_timeout: float,
    poll_interval: float,
    check_mode: bool,
    sleep: t.Callable[[float], None],
) -> Result:
    providers = read_providers(api)
    changed = False
    enabled = next((p for p in providers if _truthy(p.get("enabled"))), None)
    before: t.Dict[str, t.Any] = {"provider": provider_view(enabled) if enabled else {}}
    after = dict(before)
    if provider:
        changed, provider_before, provider_after = ensure_provider(api, providers, provider, accept_terms, check_mode)
        before["provider"], after["provider"] = provider_before, provider_after
        if changed:
            # The enabled provider also has its terms accepted now, as RV(provider) says.
            providers = [
                dict(p, enabled=1, x_terms_of_service_accepted=p.get("x_terms_of_service") or None)
                if p.get("module_name") == provider
                else dict(p, enabled=0)
                for p in providers
            ]
    values: t.Dict[str, t.Any] = {"provider": after["provider"], "providers": [provider_view(p) for p in providers]}
    if run_for:
        if not run_for.strip() or run_for.strip() != run_for:
            raise WHMInputError(f'run_for "{run_for}" is not a valid user name.')
        values["readiness"] = check_ready(api, providers, run_for)
        if check_mode:
            values["check"] = {"user": run_for, "started": False, "finished": False, "domains": []}
        else:
            run_changed, check = run_check(api, run_for, wait, wait_timeout, poll_interval, sleep)
            changed = changed or run_changed
            values["check"] = check
    return Result(changed=changed, diff={"before": before, "after": after}, values=values)
