"""The artist duplicate review in the admin: the side-by-side page with the explanation and the
decisions (merge, not a duplicate, skip), the merge result with its undo; the queue's admins are in
admin.py. It mirrors the venue review (admin_review.py) class for class, so that the two can be
generalised together; reads come from entities.selectors, writes from entities.services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from entities import selectors, services
from entities.models import (
    Artist,
    ArtistDuplicate,
    CanonicalStatus,
    DuplicateStatus,
    EntityType,
    MergeRecord,
)

ARTIST_KEYS = [
    ("m", "merge (keep the chosen survivor)"),
    ("n", "not a duplicate (two acts)"),
    ("s", "skip for now"),
    ("j", "next pair"),
    ("k", "previous pair"),
    ("1-2", "choose the survivor A, B"),
    ("?", "show or hide this legend"),
]


def _require(request: HttpRequest, *perms: str) -> None:
    if not request.user.has_perms(perms):
        raise PermissionDenied


def _review_url(pk: int | None) -> str | None:
    return reverse("admin:entities_artistduplicate_review", args=[pk]) if pk else None


def _queue_url() -> str:
    return reverse("admin:entities_pendingartistduplicate_changelist")


def _next_or_queue(after: ArtistDuplicate | None = None) -> str:
    if after is not None:
        _, following = selectors.artist_duplicate_neighbours(after)
        if following:
            return _review_url(following) or _queue_url()
    first = selectors.artist_duplicate_queue().values_list("pk", flat=True).first()
    return _review_url(first) or _queue_url()


class ArtistReviewNextView(View):
    """The first artist pair of the queue (or the queue itself, when it is empty)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_artistduplicate")
        url = _next_or_queue()
        if url == _queue_url():
            messages.info(request, "The artist review queue is empty.")
        return HttpResponseRedirect(url)


class ArtistReviewDuplicateView(View):
    """One artist pair side by side, with the decision buttons."""

    def _load(self, pk: int) -> ArtistDuplicate:
        return get_object_or_404(ArtistDuplicate.objects.select_related("artist_a", "artist_b"), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, "entities.view_artistduplicate")
        duplicate = self._load(pk)
        previous, following = selectors.artist_duplicate_neighbours(duplicate)
        artists = [duplicate.artist_a, duplicate.artist_b]
        context = {
            **admin.site.each_context(request),
            "title": f"Review: {duplicate.artist_a} ~ {duplicate.artist_b}",
            "opts": ArtistDuplicate._meta,
            "duplicate": duplicate,
            "comparison": selectors.artist_comparison(duplicate),
            "default_winner": services.artist_pick_winner(artists).pk,
            "keys": ARTIST_KEYS,
            "queue_url": _queue_url(),
            "previous_url": _review_url(previous),
            "next_url": _review_url(following),
            "queue_count": selectors.artist_duplicate_queue().count(),
            "decided": duplicate.status != DuplicateStatus.PENDING,
            "merged_artists": [a for a in artists if a.status == CanonicalStatus.MERGED],
            "can_decide": request.user.has_perm("entities.change_artistduplicate"),
        }
        return TemplateResponse(request, "admin/entities/artistduplicate/review.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, "entities.change_artistduplicate")
        duplicate = self._load(pk)
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        try:
            if decision == "merge":
                _require(request, "entities.change_artist")
                artists = {str(a.pk): a for a in (duplicate.artist_a, duplicate.artist_b)}
                winner = artists.get(request.POST.get("winner", ""))
                if winner is None:
                    raise ValueError("Choose the artist that survives (keeps its ID).")
                loser = next(a for key, a in artists.items() if key != str(winner.pk))
                record = services.artist_merge_reviewed(
                    winner=winner, loser=loser, by=request.user, reason=reason, duplicate=duplicate
                )
                return HttpResponseRedirect(
                    reverse("admin:entities_artistduplicate_result")
                    + f"?record={record.pk}&duplicate={duplicate.pk}"
                )
            if duplicate.status != DuplicateStatus.PENDING:
                raise ValueError(f"This pair was already decided ({duplicate.get_status_display()}).")
            if decision == "not_duplicate":
                services.artist_duplicate_reject(duplicate=duplicate, by=request.user, reason=reason)
                messages.success(
                    request, f"Recorded: {duplicate.artist_a} and {duplicate.artist_b} are two acts."
                )
            elif decision == "skip":
                services.artist_duplicate_skip(duplicate=duplicate, by=request.user, reason=reason)
                messages.info(request, f"Skipped {duplicate.artist_a} ~ {duplicate.artist_b}.")
            else:
                raise ValueError("Choose merge, not a duplicate or skip.")
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_review_url(duplicate.pk) or _queue_url())
        return HttpResponseRedirect(_next_or_queue(after=duplicate))


def _record(raw: str) -> MergeRecord:
    if not raw.isdigit():
        raise Http404("record: a merge record number")
    record = MergeRecord.objects.filter(pk=int(raw), entity_type=EntityType.ARTIST).first()
    if record is None:
        raise Http404("No such artist merge.")
    return record


def _duplicate(raw: str) -> ArtistDuplicate | None:
    return ArtistDuplicate.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


class ArtistMergeResultView(View):
    """What an artist merge did, where the loser's ID now points, and the undo button."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_mergerecord")
        record = _record(request.GET.get("record", ""))
        duplicate = _duplicate(request.GET.get("duplicate", ""))
        context = {
            **admin.site.each_context(request),
            "title": "Artist merge result",
            "opts": MergeRecord._meta,
            "record": record,
            "winner": Artist.objects.filter(public_id=record.winner_public_id).first(),
            "loser": Artist.objects.filter(public_id=record.loser_public_id).first(),
            "duplicate": duplicate,
            "undone": record.undone_at is not None,
            "next_url": _next_or_queue(after=duplicate),
            "can_undo": request.user.has_perm("entities.change_artist"),
        }
        return TemplateResponse(request, "admin/entities/artistduplicate/result.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        """Undo the merge (the button on the result page)."""
        _require(request, "entities.change_artist", "entities.change_artistduplicate")
        record = _record(request.POST.get("record", ""))
        duplicate = _duplicate(request.POST.get("duplicate", ""))
        try:
            services.merge_record_undo(record=record, by=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_queue_url())
        messages.success(request, "Undone: the two artists are separate again.")
        return HttpResponseRedirect((_review_url(duplicate.pk) if duplicate else None) or _queue_url())
