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
from django.utils.http import urlencode
from django.views import View

from entities import review_selectors, selectors, services
from entities.models import (
    CanonicalStatus,
    DuplicateStatus,
    EntityType,
    MergeRecord,
    ReviewDecisionKind,
    Venue,
    VenueDuplicate,
)
from entities.review_kinds import VENUE_REVIEW, ReviewKind
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


def _next_or_queue(request: HttpRequest) -> str:
    """The next pair nobody else is reviewing (claimed for this reviewer), or the queue."""
    if request.user.has_perm("entities.change_venueduplicate"):
        pk = services.review_claim_next_pair(entity_type=EntityType.VENUE, by=request.user)
    else:
        pk = next(iter(review_selectors.next_pairs(VENUE_REVIEW, request.user, limit=1)), None)
    return _review_url(pk) or _queue_url()


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


def _winner(request: HttpRequest, venues: list[Venue]) -> Venue:
    winner_pk = request.POST.get("winner", "")
    winner = next((v for v in venues if str(v.pk) == winner_pk), None)
    if winner is None:
        raise ValueError("Choose the venue that survives (keeps its ID).")
    return winner


def _merge(request: HttpRequest, venues: list[Venue], comparison: dict[str, Any]) -> list[MergeRecord]:
    """Merge the compared venues (the compare page: venues picked from the list, not a filed pair)."""
    _require(request, "entities.change_venue", "entities.change_venueduplicate")
    winner = _winner(request, venues)
    chosen = _chosen_values(request, venues, comparison["rows"])
    return services.venue_merge_with_choices(
        winner=winner,
        losers=[v for v in venues if v.pk != winner.pk],
        chosen_values=chosen,
        by=request.user,
        reason=request.POST.get("reason", "").strip(),
    )


# A pair page's buttons as a review of the group of two (anchor A, candidate B).
PAIR_DECISIONS = {
    "not_duplicate": ReviewDecisionKind.DIFFERENT,
    "room_of_a": ReviewDecisionKind.CONTAINS,  # A is a room of B: B has A as a room
    "room_of_b": ReviewDecisionKind.ROOM_OF,
    "skip": ReviewDecisionKind.SKIPPED,
}


def _result_redirect(records: list[MergeRecord]) -> HttpResponseRedirect:
    url = reverse("admin:entities_mergerecord_result") + "?records=" + ",".join(str(r.pk) for r in records)
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
        "review_next_url": reverse("admin:entities_venueduplicate_review_next"),
        "api_base": "/api/venues/",
        **extra,
    }


class ReviewNextView(View):
    """The first pair of the queue nobody else is reviewing (or the queue itself, when there is none)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_venueduplicate")
        url = _next_or_queue(request)
        if url == _queue_url():
            messages.info(
                request, "No pair waits for you: the queue is empty or others are reviewing the rest."
            )
        return HttpResponseRedirect(url)


def pair_claim(request: HttpRequest, kind: ReviewKind, duplicate: Any, allowed: bool) -> dict[str, Any]:
    """Claim the pair for whoever may decide it; what the page says about the claim, and whether this
    reviewer may decide (not while someone else holds it). Shared by the venue and artist pair pages."""
    if not allowed or duplicate.status != DuplicateStatus.PENDING:
        return {"can_decide": allowed, "blocking": None, "claim_until": None}
    outcome = services.review_claim(
        entity_type=kind.entity_type, entity_ids=kind.pair_of(duplicate), by=request.user
    )
    if outcome.held:
        return {"can_decide": True, "blocking": None, "claim_until": outcome.expires_at}
    return {"can_decide": False, "blocking": outcome.blocking, "claim_until": None}


def pair_group_link(kind: ReviewKind, duplicate: Any) -> dict[str, Any]:
    """A link to the group of the pair's busier side, when it has more candidates than this pair."""
    anchor = review_selectors.group_anchor(kind, duplicate)
    size = review_selectors.review_pair_queue(kind).filter(kind.pairs_with(anchor)).count()
    url = reverse(kind.admin_name("group"), args=[anchor]) if size > 1 else ""
    return {"group_url": url, "group_size": size + 1}


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
        allowed = request.user.has_perm("entities.change_venueduplicate") and not merged
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
            **pair_claim(request, VENUE_REVIEW, duplicate, allowed),
            **pair_group_link(VENUE_REVIEW, duplicate),
        )
        return TemplateResponse(request, "admin/entities/venueduplicate/review.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, "entities.change_venueduplicate")
        duplicate, venues = self._load(pk)
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        anchor, other = duplicate.venue_a, duplicate.venue_b
        try:
            if decision == "merge":
                _require(request, "entities.change_venue")
                comparison = selectors.venue_comparison(venues, duplicate=duplicate)
                review = services.review_apply(
                    entity_type=EntityType.VENUE,
                    anchor_id=anchor.pk,
                    decisions={other.pk: ReviewDecisionKind.SAME},
                    survivor_id=_winner(request, venues).pk,
                    values=_chosen_values(request, venues, comparison["rows"]),
                    by=request.user,
                    reason=reason,
                )
                result = reverse("admin:entities_review_result", args=[review.pk])
                # An undo from the result comes back to this pair.
                return HttpResponseRedirect(f"{result}?{urlencode({'back': request.path})}")
            if decision not in PAIR_DECISIONS:
                raise ValueError("Choose merge, not a duplicate, room of or skip.")
            if duplicate.status != DuplicateStatus.PENDING:
                raise ValueError(f"This pair was already decided ({duplicate.get_status_display()}).")
            services.review_apply(
                entity_type=EntityType.VENUE,
                anchor_id=anchor.pk,
                decisions={other.pk: PAIR_DECISIONS[decision]},
                by=request.user,
                reason=reason,
            )
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_review_url(duplicate.pk) or _queue_url())
        done = {
            "not_duplicate": f"Recorded: {anchor} and {other} are different.",
            "room_of_a": f"Recorded: {anchor} is a room of {other}.",
            "room_of_b": f"Recorded: {other} is a room of {anchor}.",
            "skip": f"Skipped {anchor} ~ {other}.",
        }
        messages.success(request, done[decision])
        return HttpResponseRedirect(_next_or_queue(request))


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
            records = _merge(request, venues, comparison)
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(
                reverse("admin:entities_venue_compare") + "?ids=" + ",".join(str(v.pk) for v in venues)
            )
        return _result_redirect(records)


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
    """What a merge from the compare page did, where the merged IDs now point, and the undo (with a
    reason). Reviews of pairs and groups have their own result page (admin_group_review)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_mergerecord")
        records = _records(request.GET.get("records", ""))
        winner = Venue.objects.filter(public_id=records[0].winner_public_id).first()
        losers = {
            v.public_id: v for v in Venue.objects.filter(public_id__in=[r.loser_public_id for r in records])
        }
        undone = all(r.undone_at for r in records)
        context = {
            **admin.site.each_context(request),
            "title": "Merge result",
            "opts": MergeRecord._meta,
            "records": records,
            "rows": [{"record": r, "loser": losers.get(r.loser_public_id)} for r in records],
            "winner": winner,
            "undone": undone,
            "locked": (records[0].moved.get("review") or {}).get("locked", {}),
            "next_url": reverse("admin:entities_venueduplicate_review_next"),
            "record_ids": ",".join(str(r.pk) for r in records),
            "can_undo": request.user.has_perm("entities.change_venue") and not undone,
        }
        return TemplateResponse(request, "admin/entities/mergerecord/result.html", context)


class MergeUndoView(View):
    """Undo the merges of one compare-page merge (the button on its result), saying why."""

    def post(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.change_venue", "entities.change_venueduplicate")
        raw = request.POST.get("records", "")
        records = [r for r in _records(raw) if r.undone_at is None]
        result = reverse("admin:entities_mergerecord_result") + f"?records={raw}"
        if not records:
            messages.warning(request, "Already undone.")
            return HttpResponseRedirect(result)
        reason = request.POST.get("undo_reason", "").strip()
        if not reason:
            messages.error(request, "Say why you undo this merge: the reason is kept beside the merge's own.")
            return HttpResponseRedirect(result)
        try:
            winner = services.venue_review_undo(records=records, by=request.user, reason=reason)
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(result)
        messages.success(request, f"Undone: the merged venue(s) are separate again from {winner}.")
        return HttpResponseRedirect(result)
