"""Fleet posture (controls per account, findings, "Fix") and the request simulator, in the browser."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from distributions import forms
from distributions.cloudfront.compliance import Finding, fix_inputs
from distributions.cloudfront.compliance.scope import SECURITY_HUB_CONTROLS
from distributions.errors import ServiceError
from distributions.models import ChangeRequest, PostureFinding
from distributions.roles import can, signed_in_user
from distributions.selectors import fleet as fleet_selectors
from distributions.selectors import posture as posture_selectors
from distributions.selectors.changes import simulatable_changes
from distributions.selectors.posture import ControlRow
from distributions.selectors.simulator import change_sample_urls, request_simulate
from distributions.selectors.traffic_ingest import http_requests_served
from distributions.services.guards import Actor
from distributions.services.posture import posture_reevaluation_request
from distributions.services.posture_fix import finding_fix, posture_fix_create
from distributions.views.common import filter_refusals, requires

FINDINGS_PAGE_SIZE = 50
TARGET_TABS = {"behavior": "behaviors", "origin": "origins"}


@dataclass(frozen=True)
class Bar:
    """A stacked bar's segments in percent (pass, fail, not applicable), for an SVG drawn without styles.

    Widths are preformatted: the CSP forbids style attributes, so the bars are SVG rects whose geometry
    is in attributes, and a locale must not turn their decimal point into a comma.
    """

    passing: str
    failing: str
    not_applicable: str
    failing_x: str
    not_applicable_x: str


def bar(counts) -> Bar:
    total = sum(counts.values()) or 1
    passing, failing = 100 * counts["pass"] / total, 100 * counts["fail"] / total
    rest = max(0.0, 100 - passing - failing)
    return Bar(*(f"{v:.2f}" for v in (passing, failing, rest, passing, passing + failing)))


def sparkline(values: Sequence[int], width: int = 120, height: int = 24) -> str:
    """SVG polyline points for a series (higher is worse); empty with fewer than two points."""
    if len(values) < 2:
        return ""
    top = max(values) or 1
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in enumerate(values))


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    key: str
    display_name: str
    account_name: str
    url: str
    target: str
    not_fixable: str


def _target_label(finding: Finding) -> str:
    t = finding.target
    if t.kind == "behavior":
        return "Default (*)" if t.path_pattern == "*" else t.path_pattern or ""
    return {"origin": t.origin_id, "alias": t.alias}.get(t.kind) or ""


def _finding_rows(stored: Sequence[PostureFinding]) -> list[FindingRow]:
    distributions = posture_selectors.page_distributions({row.distribution_key for row in stored})
    rows = []
    for row in stored:
        f = posture_selectors.finding_of(row)
        tab = TARGET_TABS.get(f.target.kind, "general")
        url = reverse("distribution-detail", args=[f.distribution_id]) + f"?tab={tab}"
        display_name, config = distributions[f.distribution_id]
        reason = "" if fix_inputs(f.control_id) else finding_fix(f, config).reason
        rows.append(FindingRow(f, row.key, display_name, row.account.name, url, _target_label(f), reason))
    return rows


@dataclass(frozen=True)
class MatrixCell:
    """One account's failing distributions for one control, in the accounts table."""

    account: str
    fail: int
    applicable: int  # passing + failing: 0 is "not applicable"


def account_matrix(
    controls: Sequence[ControlRow], by_account: dict[str, list[ControlRow]]
) -> list[tuple[ControlRow, list[MatrixCell]]]:
    """(control row, one cell per account in `by_account`'s order) per control: the table is built here,
    once, instead of the template scanning every account's rows for each cell (controls² × accounts)."""
    cells = {name: {row.control_id: row for row in rows} for name, rows in by_account.items()}
    matrix = []
    for control in controls:
        row = []
        for name in by_account:
            found = cells[name].get(control.control_id)
            counts = found.distributions if found is not None else Counter()
            row.append(MatrixCell(name, counts["fail"], counts["fail"] + counts["pass"]))
        matrix.append((control, row))
    return matrix


@requires("view")
def posture_page(request: HttpRequest) -> HttpResponse:
    """Every control per account, the trend per sync, and the findings with their Fix: all read from the
    counts and findings the worker stored, in a constant number of queries."""
    user = signed_in_user(request)
    accounts = list(fleet_selectors.accounts(user=user))
    form = forms.PostureFilterForm(request.GET or None, accounts=[a.name for a in accounts])
    refused = filter_refusals(form) if form.is_bound else []
    chosen = form.cleaned_data if form.is_bound else {}
    account = next((a for a in accounts if a.name == chosen.get("account")), None)
    overview = posture_selectors.posture_overview(user=user, account_id=account.pk if account else None)
    run = overview.run
    if overview.stale:
        # Counts computed under other controls (a deploy changed them): the worker re-evaluates.
        run = posture_reevaluation_request() or run
    trend = posture_selectors.posture_trend(user=user, account_id=account.pk if account else None)
    controls = [
        (row, bar(row.distributions), bar(row.targets), sparkline(trend.get(row.control_id, [])))
        for row in overview.controls
    ]
    findings = posture_selectors.findings(
        user=user,
        control=chosen.get("control"),
        account=chosen.get("account"),
        severity=chosen.get("severity"),
    )
    by_account = overview.by_account if not account else {}
    page = Paginator(findings, FINDINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(
        request,
        "posture/posture.html",
        {
            "form": form,
            "chosen": chosen,
            "controls": controls,
            "by_account": by_account,
            "account_matrix": account_matrix(overview.controls, by_account),
            "distribution_count": overview.distribution_count,
            "http_served": http_requests_served(user=user, account_id=account.pk if account else None),
            "failing_distributions": overview.failing_distributions,
            "finding_count": overview.finding_count,
            "page": page,
            "rows": (rows := _finding_rows(list(page.object_list))),
            # CloudFront.5's Fix needs the bucket (and prefix) the logs go to: asked above the findings.
            "asks_log_bucket": any("log_bucket" in fix_inputs(r.finding.control_id) for r in rows),
            "query": query,
            "evaluated_at": overview.evaluated_at,
            "stale": overview.stale,
            "run": run,
            "can_fix": can(request.user, "request"),
            "security_hub_controls": SECURITY_HUB_CONTROLS,
            "filter_refusals": refused,
        },
    )


@require_POST
@requires("request")
def posture_fix(request: HttpRequest) -> HttpResponse:
    """Open a draft change fixing the chosen findings (one row's Fix button, or the checked rows)."""
    keys = [request.POST["only"]] if request.POST.get("only") else request.POST.getlist("finding")
    # Re-encoded: the filters come back from the browser and must not smuggle anything into the header.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    back = reverse("posture") + (f"?{query}" if query else "")
    if not keys:
        messages.error(request, "Select at least one finding to fix.")
        return redirect(back)
    try:
        inputs = {name: request.POST.get(name, "")[:1024] for name in ("log_bucket", "log_prefix")}
        result = posture_fix_create(actor=Actor.from_request(request), finding_keys=keys, inputs=inputs)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        f"Draft change #{result.change_request.pk} fixes {len(result.fixed)} finding"
        f"{'s' if len(result.fixed) != 1 else ''}: review it, then submit it for approval.",
    )
    for finding, reason in result.skipped:
        messages.warning(request, f"Not fixed: {finding.control_id} on {finding.distribution_id}. {reason}")
    return redirect("change-detail", pk=result.change_request.pk)


def _preselected(request: HttpRequest) -> ChangeRequest | None:
    """The change named by `?change=` when the page opens without a URL (the change page's link)."""
    value = request.GET.get("change", "")
    change = None
    if value.isdigit() and len(value) < 19:
        change = simulatable_changes(signed_in_user(request)).filter(pk=int(value)).first()
    if value and change is None:
        messages.error(
            request,
            f"Change “{value}” cannot be simulated: choose one of your drafts, or a change awaiting "
            "approval or approved.",
        )
    return change


@requires("view")
def simulator(request: HttpRequest) -> HttpResponse:
    """What a viewer gets for a URL, method and HTTP version; before and after a change that is a draft
    of mine, or anyone's awaiting approval or approved (an approver tries the change they review)."""
    preselected = None if "url" in request.GET else _preselected(request)
    samples = change_sample_urls(preselected) if preselected else []
    form = forms.SimulatorForm(
        request.GET if "url" in request.GET else None,
        user=request.user,
        initial={"change": preselected.pk, "url": samples[0] if samples else ""} if preselected else None,
    )
    result = None
    if form.is_bound and form.is_valid():
        preselected = form.cleaned_data["change"]
        data = form.cleaned_data
        try:
            result = request_simulate(
                user=request.user,
                url=data["url"],
                method=data["method"],
                http_version=data["http_version"],
                change_request=data["change"],
            )
        except ServiceError as error:
            form.add_error("url" if error.field == "url" else None, error.message)
    if form.is_bound and preselected:
        samples = change_sample_urls(preselected)
    return render(
        request,
        "posture/simulator.html",
        {"form": form, "result": result, "chosen_change": preselected, "sample_urls": samples},
    )
