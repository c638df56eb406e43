"""Admin views of the venue duplicate review: the next pair in the queue, the side-by-side comparison
with per-field choices and the decision buttons, the merge result with its undo button.

Reads come from entities.selectors, writes from entities.services: these views only translate forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from entities import selectors, services
from entities.models import CanonicalStatus, DuplicateStatus, EntityType, MergeRecord, Venue, VenueDuplicate
from entities.venue_fields import VENUE_CHOICES, venue_values_from

KEYS = [
    ("m", "merge (keep the chosen survivor and values)"),
    ("n", "not a duplicate"),
    ("r", "A is a room of B (B is a room of A: the button beside it)"),
    ("s", "skip for now"),
    ("j", "next pair"),
    ("k", "previous pair"),
    ("1-9", "choose the survivor A, B, …"),
    ("?", "show or hide this legend"),
]
MAX_COMPARED = 6


def _require(request: HttpRequest, *perms: str) -> None:
    if not request.user.has_perms(perms):
        raise PermissionDenied


def _review_url(pk: int | None) -> str | None:
    return reverse("admin:entities_venueduplicate_review", args=[pk]) if pk else None


def _queue_url() -> str:
    return reverse("admin:entities_pendingvenueduplicate_changelist")


def _next_or_queue(after: VenueDuplicate | None = None) -> str:
    queue = selectors.venue_duplicate_queue()
    if after is not None:
        _, following = selectors.venue_duplicate_neighbours(after)
        if following:
            return _review_url(following) or _queue_url()
    first = queue.values_list("pk", flat=True).first()
    return _review_url(first) or _queue_url()


def _chosen_values(request: HttpRequest, venues: list[Venue], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per choice the venue whose value survives ("auto": the sources decide, nothing is locked)."""
    by_pk = {str(v.pk): v for v in venues}
    values: dict[str, Any] = {}
    for row in rows:
        picked = request.POST.get(f"choice_{row['choice']}", "auto")
        if picked == "auto" or not row["differs"]:
            continue
        if picked not in by_pk:
            raise ValueError(f"{row['label']}: choose one of the venues, or automatic.")
        values |= venue_values_from(by_pk[picked], row["choice"])
    return values


def _merge(
    request: HttpRequest, venues: list[Venue], comparison: dict[str, Any], duplicate: VenueDuplicate | None
) -> list[MergeRecord]:
    _require(request, "entities.change_venue", "entities.change_venueduplicate")
    winner_pk = request.POST.get("winner", "")
    winner = next((v for v in venues if str(v.pk) == winner_pk), None)
    if winner is None:
        raise ValueError("Choose the venue that survives (keeps its ID).")
    chosen = _chosen_values(request, venues, comparison["rows"])
    return services.venue_merge_with_choices(
        winner=winner,
        losers=[v for v in venues if v.pk != winner.pk],
        chosen_values=chosen,
        by=request.user,
        reason=request.POST.get("reason", "").strip(),
        duplicate=duplicate,
    )


def _result_redirect(records: list[MergeRecord], duplicate: VenueDuplicate | None) -> HttpResponseRedirect:
    url = reverse("admin:entities_mergerecord_result") + "?records=" + ",".join(str(r.pk) for r in records)
    if duplicate is not None:
        url += f"&duplicate={duplicate.pk}"
    return HttpResponseRedirect(url)


def _context(
    request: HttpRequest, venues: list[Venue], duplicate: VenueDuplicate | None, **extra: Any
) -> dict[str, Any]:
    comparison = selectors.venue_comparison(venues, duplicate=duplicate)
    default_winner = services.venue_pick_winner([c["venue"] for c in comparison["columns"]])
    return {
        **admin.site.each_context(request),
        "opts": VenueDuplicate._meta,
        "venue_opts": Venue._meta,
        "duplicate": duplicate,
        "comparison": comparison,
        "default_winner": default_winner.pk,
        "choices": VENUE_CHOICES,
        "keys": KEYS,
        "queue_url": _queue_url(),
        "api_base": "/api/venues/",
        **extra,
    }


class ReviewNextView(View):
    """The first pair of the queue (or the queue itself, when it is empty)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_venueduplicate")
        url = _next_or_queue()
        if url == _queue_url():
            messages.info(request, "The review queue is empty.")
        return HttpResponseRedirect(url)


class ReviewDuplicateView(View):
    """One candidate pair side by side, with the decision buttons: merge, not a duplicate, skip."""

    model_admin: Any = None

    def _load(self, pk: int) -> tuple[VenueDuplicate, list[Venue]]:
        duplicate = get_object_or_404(VenueDuplicate.objects.select_related("venue_a", "venue_b"), pk=pk)
        return duplicate, [duplicate.venue_a, duplicate.venue_b]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, "entities.view_venueduplicate")
        duplicate, venues = self._load(pk)
        previous, following = selectors.venue_duplicate_neighbours(duplicate)
        queue = selectors.venue_duplicate_queue()
        merged = [v for v in venues if v.status == CanonicalStatus.MERGED]
        context = _context(
            request,
            venues,
            duplicate,
            title=f"Review: {duplicate.venue_a} ~ {duplicate.venue_b}",
            previous_url=_review_url(previous),
            next_url=_review_url(following),
            queue_count=queue.count(),
            decided=duplicate.status != DuplicateStatus.PENDING,
            merged_venues=merged,
            can_decide=request.user.has_perm("entities.change_venueduplicate"),
        )
        return TemplateResponse(request, "admin/entities/venueduplicate/review.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, "entities.change_venueduplicate")
        duplicate, venues = self._load(pk)
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        try:
            if decision == "merge":
                comparison = selectors.venue_comparison(venues, duplicate=duplicate)
                records = _merge(request, venues, comparison, duplicate)
                return _result_redirect(records, duplicate)
            if duplicate.status != DuplicateStatus.PENDING:
                raise ValueError(f"This pair was already decided ({duplicate.get_status_display()}).")
            if decision == "not_duplicate":
                services.venue_duplicate_reject(duplicate=duplicate, by=request.user, reason=reason)
                messages.success(
                    request, f"Recorded: {duplicate.venue_a} and {duplicate.venue_b} are different."
                )
            elif decision in ("room_of_a", "room_of_b"):
                room, complex_venue = venues if decision == "room_of_a" else venues[::-1]
                services.venue_duplicate_room_of(
                    duplicate=duplicate,
                    room=room,
                    complex_venue=complex_venue,
                    by=request.user,
                    reason=reason,
                )
                messages.success(request, f"Recorded: {room} is a room of {complex_venue}.")
            elif decision == "skip":
                services.venue_duplicate_skip(duplicate=duplicate, by=request.user, reason=reason)
                messages.info(request, f"Skipped {duplicate.venue_a} ~ {duplicate.venue_b}.")
            else:
                raise ValueError("Choose merge, not a duplicate, room of or skip.")
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_review_url(duplicate.pk) or _queue_url())
        return HttpResponseRedirect(_next_or_queue(after=duplicate))


class CompareVenuesView(View):
    """Two or more venues side by side (from the venue list's "compare" action), merged on request."""

    model_admin: Any = None

    def _venues(self, request: HttpRequest) -> list[Venue]:
        raw = request.GET.get("ids", "") or request.POST.get("ids", "")
        try:
            ids = [int(x) for x in raw.split(",") if x.strip()][:MAX_COMPARED]
        except ValueError as exc:
            raise Http404("ids: comma-separated venue numbers") from exc
        order = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)), output_field=IntegerField())
        venues = list(Venue.objects.filter(pk__in=ids).order_by(order)) if ids else []
        if len(venues) < 2:
            raise Http404("Compare needs two or more venues.")
        return venues

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_venue")
        venues = self._venues(request)
        context = _context(
            request,
            venues,
            None,
            title="Compare venues",
            ids=",".join(str(v.pk) for v in venues),
            merged_venues=[v for v in venues if v.status == CanonicalStatus.MERGED],
            can_decide=request.user.has_perm("entities.change_venue"),
        )
        return TemplateResponse(request, "admin/entities/venueduplicate/review.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        venues = self._venues(request)
        try:
            comparison = selectors.venue_comparison(venues)
            records = _merge(request, venues, comparison, None)
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(
                reverse("admin:entities_venue_compare") + "?ids=" + ",".join(str(v.pk) for v in venues)
            )
        return _result_redirect(records, None)


def _records(raw: str) -> list[MergeRecord]:
    try:
        ids = [int(x) for x in raw.split(",") if x.strip()]
    except ValueError as exc:
        raise Http404("records: comma-separated merge record numbers") from exc
    records = list(MergeRecord.objects.filter(pk__in=ids, entity_type=EntityType.VENUE).order_by("pk"))
    if not records:
        raise Http404("No such merge.")
    return records


class MergeResultView(View):
    """What a merge did, where the loser's ID now points, and the undo button."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_mergerecord")
        records = _records(request.GET.get("records", ""))
        winner = Venue.objects.filter(public_id=records[0].winner_public_id).first()
        losers = {
            v.public_id: v for v in Venue.objects.filter(public_id__in=[r.loser_public_id for r in records])
        }
        duplicate_id = request.GET.get("duplicate", "")
        duplicate = (
            VenueDuplicate.objects.filter(pk=int(duplicate_id)).first() if duplicate_id.isdigit() else None
        )
        context = {
            **admin.site.each_context(request),
            "title": "Merge result",
            "opts": MergeRecord._meta,
            "records": records,
            "rows": [{"record": r, "loser": losers.get(r.loser_public_id)} for r in records],
            "winner": winner,
            "duplicate": duplicate,
            "undone": all(r.undone_at for r in records),
            "locked": (records[0].moved.get("review") or {}).get("locked", {}),
            "next_url": _next_or_queue(after=duplicate) if duplicate else _next_or_queue(),
            "record_ids": ",".join(str(r.pk) for r in records),
            "can_undo": request.user.has_perm("entities.change_venue"),
        }
        return TemplateResponse(request, "admin/entities/mergerecord/result.html", context)


class MergeUndoView(View):
    """Undo the merges of one review (the button on the merge result)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.change_venue", "entities.change_venueduplicate")
        records = [r for r in _records(request.POST.get("records", "")) if r.undone_at is None]
        if not records:
            messages.warning(request, "Already undone.")
            return HttpResponseRedirect(_queue_url())
        try:
            winner = services.venue_review_undo(records=records, by=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_queue_url())
        messages.success(request, f"Undone: the merged venue(s) are separate again from {winner}.")
        duplicate_id = request.POST.get("duplicate", "")
        if duplicate_id.isdigit() and VenueDuplicate.objects.filter(pk=int(duplicate_id)).exists():
            return HttpResponseRedirect(_review_url(int(duplicate_id)) or _queue_url())
        return HttpResponseRedirect(reverse("admin:entities_venue_change", args=[winner.pk]))
