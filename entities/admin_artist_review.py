"""The artist pair page in the admin: the side-by-side page with the explanation and the decisions
(merge, not a duplicate, skip), which are reviews of a group of two (services.review_apply, as the
group page's); the result and its undo are the group review's (admin_group_review). The queue's admins
are in admin.py; reads come from entities.selectors, writes from entities.services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from entities import review_selectors, selectors, services
from entities.admin_review import pair_claim, pair_group_link
from entities.models import ArtistDuplicate, CanonicalStatus, DuplicateStatus, EntityType, ReviewDecisionKind
from entities.review_kinds import ARTIST_REVIEW

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


def _next_or_queue(request: HttpRequest) -> str:
    """The next artist pair nobody else is reviewing (claimed for this reviewer), or the queue."""
    if request.user.has_perm("entities.change_artistduplicate"):
        pk = services.review_claim_next_pair(entity_type=EntityType.ARTIST, by=request.user)
    else:
        pk = next(iter(review_selectors.next_pairs(ARTIST_REVIEW, request.user, limit=1)), None)
    return _review_url(pk) or _queue_url()


# The pair page's buttons as a review of the group of two (anchor A, candidate B).
PAIR_DECISIONS = {"not_duplicate": ReviewDecisionKind.DIFFERENT, "skip": ReviewDecisionKind.SKIPPED}


class ArtistReviewNextView(View):
    """The first artist pair of the queue (or the queue itself, when it is empty)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request, "entities.view_artistduplicate")
        url = _next_or_queue(request)
        if url == _queue_url():
            messages.info(
                request, "No artist pair waits for you: the queue is empty or others are reviewing the rest."
            )
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
        merged = [a for a in artists if a.status == CanonicalStatus.MERGED]
        allowed = request.user.has_perm("entities.change_artistduplicate") and not merged
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
            "merged_artists": merged,
            "review_next_url": reverse("admin:entities_artistduplicate_review_next"),
            **pair_claim(request, ARTIST_REVIEW, duplicate, allowed),
            **pair_group_link(ARTIST_REVIEW, duplicate),
        }
        return TemplateResponse(request, "admin/entities/artistduplicate/review.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, "entities.change_artistduplicate")
        duplicate = self._load(pk)
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "").strip()
        anchor, other = duplicate.artist_a, duplicate.artist_b
        try:
            if decision == "merge":
                _require(request, "entities.change_artist")
                winner = {str(a.pk): a for a in (anchor, other)}.get(request.POST.get("winner", ""))
                if winner is None:
                    raise ValueError("Choose the artist that survives (keeps its ID).")
                review = services.review_apply(
                    entity_type=EntityType.ARTIST,
                    anchor_id=anchor.pk,
                    decisions={other.pk: ReviewDecisionKind.SAME},
                    survivor_id=winner.pk,
                    by=request.user,
                    reason=reason,
                )
                result = reverse("admin:entities_review_result", args=[review.pk])
                # An undo from the result comes back to this pair.
                return HttpResponseRedirect(f"{result}?{urlencode({'back': request.path})}")
            if decision not in PAIR_DECISIONS:
                raise ValueError("Choose merge, not a duplicate or skip.")
            if duplicate.status != DuplicateStatus.PENDING:
                raise ValueError(f"This pair was already decided ({duplicate.get_status_display()}).")
            services.review_apply(
                entity_type=EntityType.ARTIST,
                anchor_id=anchor.pk,
                decisions={other.pk: PAIR_DECISIONS[decision]},
                by=request.user,
                reason=reason,
            )
        except ValueError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(_review_url(duplicate.pk) or _queue_url())
        if decision == "skip":
            messages.info(request, f"Skipped {anchor} ~ {other}.")
        else:
            messages.success(request, f"Recorded: {anchor} and {other} are two acts.")
        return HttpResponseRedirect(_next_or_queue(request))
