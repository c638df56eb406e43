"""The group review in the admin, one set of views for venues and artists (entities.review_kinds): a group
is an anchor and every candidate filed against it; staff decide per member, pick or type values, see
past and upcoming shows with their line-up overlap, hold a claim while they work, read what a review did
and undo it with a reason, and read an entity's history.

Reads come from entities.review_selectors, writes from entities.services: these views translate forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from entities import review_selectors, services
from entities.models import CanonicalStatus, Review, ReviewDecisionKind, Venue
from entities.review_kinds import ReviewKind, review_kind

DECISION_LABELS = {
    ReviewDecisionKind.SAME: "Same as {anchor}",
    ReviewDecisionKind.ROOM_OF: "A room of {anchor}",
    ReviewDecisionKind.CONTAINS: "{anchor} is a room of it",
    ReviewDecisionKind.DIFFERENT: "Different",
    ReviewDecisionKind.SKIPPED: "Skip for now",
}


def can_view(request: HttpRequest, kind: ReviewKind) -> bool:
    return bool(request.user.has_perm(f"entities.view_{kind.duplicate_model._meta.model_name}"))


def can_decide(request: HttpRequest, kind: ReviewKind) -> bool:
    return bool(
        request.user.has_perms(
            [f"entities.change_{kind.duplicate_model._meta.model_name}", f"entities.change_{kind.noun}"]
        )
    )


def group_url(kind: ReviewKind, anchor_id: int) -> str:
    return reverse(kind.admin_name("group"), args=[anchor_id])


def queue_url(kind: ReviewKind) -> str:
    return reverse(f"admin:entities_pending{kind.duplicate_model._meta.model_name}_changelist")


def _values_from_post(
    kind: ReviewKind, request: HttpRequest, entities: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The values staff picked (a member's value) or typed, by field; with what was posted per choice
    and per typed field, to show the form again as it was sent."""
    values: dict[str, Any] = {}
    picks: dict[str, str] = {}
    typed: dict[str, str] = {}
    for choice in kind.choices:
        pick = request.POST.get(f"value_{choice}", "auto")
        picks[choice] = pick
        fields = kind.fields_of(choice)
        for name in fields:
            typed[name] = request.POST.get(f"typed_{name}", "")
        if pick == "auto":
            continue
        if pick == "typed":
            values |= {name: typed[name].strip() for name in fields}
        elif pick in entities:
            values |= {name: getattr(entities[pick], name) for name in fields}
        else:
            raise ValueError(f"{kind.label(choice)}: pick a value shown, type one, or leave it automatic.")
    return values, picks, typed


def _survivor(request: HttpRequest) -> int | None:
    raw = request.POST.get("survivor", "")
    return int(raw) if raw.isdigit() else None


class GroupReviewView(View):
    """One group: the anchor and its pending candidates side by side, decided member by member."""

    kind: ReviewKind | None = None

    def _kind(self) -> ReviewKind:
        assert self.kind is not None
        return self.kind

    def get(self, request: HttpRequest, anchor_id: int) -> HttpResponse:
        kind = self._kind()
        if not can_view(request, kind):
            raise PermissionDenied
        return self._render(request, anchor_id)

    def post(self, request: HttpRequest, anchor_id: int) -> HttpResponse:
        kind = self._kind()
        if not can_decide(request, kind):
            raise PermissionDenied
        anchor = get_object_or_404(kind.model, pk=anchor_id)
        # Every decision sent, also for a candidate decided by someone else meanwhile: the service
        # refuses it with a reason instead of it being dropped unseen.
        decisions = {
            int(key.removeprefix("decision_")): str(value)
            for key, value in request.POST.items()
            if key.startswith("decision_") and key.removeprefix("decision_").isdigit()
        }
        entities = {str(e.pk): e for e in kind.model.objects.filter(pk__in=[anchor.pk, *decisions])}
        posted: dict[str, Any] = {"decisions": decisions, "survivor": _survivor(request)}
        try:
            values, posted["picks"], posted["typed"] = _values_from_post(kind, request, entities)
            review = services.review_apply(
                entity_type=kind.entity_type,
                anchor_id=anchor.pk,
                decisions=decisions,
                survivor_id=posted["survivor"],
                values=values,
                by=request.user,
                reason=request.POST.get("reason", "").strip(),
            )
        except ValueError as exc:
            posted.setdefault("picks", {})
            posted.setdefault("typed", {})
            posted["reason"] = request.POST.get("reason", "")
            return self._render(request, anchor_id, error=str(exc), posted=posted, status=400)
        return HttpResponseRedirect(reverse("admin:entities_review_result", args=[review.pk]))

    def _render(
        self,
        request: HttpRequest,
        anchor_id: int,
        *,
        error: str = "",
        posted: dict[str, Any] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        kind = self._kind()
        anchor = get_object_or_404(kind.model, pk=anchor_id)
        pairs = (
            review_selectors.group_pairs(kind, anchor.pk) if anchor.status != CanonicalStatus.MERGED else []
        )
        group = review_selectors.review_group(kind, anchor, pairs=pairs)
        deciding = can_decide(request, kind) and bool(pairs)
        blocking = None
        claim_until = None
        if deciding:
            ids = [e.pk for e in [anchor, *group["members"]]]
            outcome = services.review_claim(entity_type=kind.entity_type, entity_ids=ids, by=request.user)
            if outcome.held:
                claim_until = outcome.expires_at
            else:
                blocking, deciding = outcome.blocking, False
        posted = posted or {}
        decisions = kind.decisions
        for column in group["columns"]:
            entity = column["entity"]
            column["selected"] = posted.get("decisions", {}).get(entity.pk, "")
            column["choices"] = [
                (d, DECISION_LABELS[ReviewDecisionKind(d)].format(anchor=group["columns"][0]["letter"]))
                for d in decisions
            ]
            column["history_url"] = reverse(kind.entity_admin_name("history"), args=[entity.pk])
            column["change_url"] = reverse(kind.entity_admin_name("change"), args=[entity.pk])
        for row in group["rows"]:
            row["selected"] = posted.get("picks", {}).get(row["choice"], "auto")
            for field in row["fields"]:
                typed = posted.get("typed", {}).get(field["name"])
                field["typed"] = typed if typed is not None else _as_text(field["value"])
                field["options"] = _options(kind, field["name"])
        survivor = posted.get("survivor") or anchor.pk
        merged_into = anchor.merged_into if anchor.status == CanonicalStatus.MERGED else None
        context = {
            **admin.site.each_context(request),
            "title": f"Review the group around {anchor}",
            "opts": kind.duplicate_model._meta,
            "kind": kind,
            "group": group,
            "anchor": anchor,
            "merged_into": merged_into,
            "merged_into_url": group_url(kind, merged_into.pk) if merged_into else "",
            "decided": review_selectors.group_decided_pairs(kind, anchor.pk),
            "survivor": survivor,
            "can_decide": deciding,
            "blocking": blocking,
            "claim_until": claim_until,
            "error": error,
            "reason": posted.get("reason", ""),
            "queue_url": queue_url(kind),
            "next_url": f"{reverse(kind.admin_name('group_next'))}?after={anchor.pk}",
            "anchor_history_url": reverse(kind.entity_admin_name("history"), args=[anchor.pk]),
            "is_venue": kind.model is Venue,
        }
        return TemplateResponse(request, "admin/entities/review/group.html", context, status=status)


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _options(kind: ReviewKind, name: str) -> list[tuple[str, str]]:
    choices = getattr(kind.model._meta.get_field(name), "choices", None)
    return [(str(v), str(label)) for v, label in choices] if choices else []


class GroupReviewNextView(View):
    """Claim and open the next group nobody else is reviewing."""

    kind: ReviewKind | None = None

    def get(self, request: HttpRequest) -> HttpResponse:
        kind = self.kind
        assert kind is not None
        if not can_view(request, kind):
            raise PermissionDenied
        if not can_decide(request, kind):
            first = review_selectors.next_anchors(kind, request.user, limit=1)
            if first:
                return HttpResponseRedirect(group_url(kind, first[0]))
            messages.info(request, "The review queue is empty.")
            return HttpResponseRedirect(queue_url(kind))
        after = request.GET.get("after", "")
        leaving = []
        if after.isdigit():
            # "Next" from a group: not that group again (its pairs stay in the queue for later).
            pairs = review_selectors.group_pairs(kind, int(after))
            leaving = [int(after), *(m for pair in pairs for m in kind.pair_of(pair))]
        anchor = services.review_claim_next_group(
            entity_type=kind.entity_type, by=request.user, leaving=leaving
        )
        if anchor is not None:
            return HttpResponseRedirect(group_url(kind, anchor))
        if review_selectors.review_pair_queue(kind).exists():
            messages.info(
                request, "Every waiting group is being reviewed by someone else; try again in a few minutes."
            )
        else:
            messages.info(request, "The review queue is empty.")
        return HttpResponseRedirect(queue_url(kind))


class ReviewResultView(View):
    """What one review did (per member, the values it locked), and its undo, which asks why."""

    def _load(self, request: HttpRequest, pk: int) -> tuple[Review, ReviewKind]:
        review = get_object_or_404(Review.objects.select_related("reviewed_by", "undone_by"), pk=pk)
        kind = review_kind(review.entity_type)
        if not can_view(request, kind):
            raise PermissionDenied
        return review, kind

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, kind = self._load(request, pk)
        return self._render(request, review, kind)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, kind = self._load(request, pk)
        if not can_decide(request, kind):
            raise PermissionDenied
        reason = request.POST.get("undo_reason", "")
        try:
            services.review_undo(review=review, by=request.user, reason=reason)
        except ValueError as exc:
            return self._render(request, review, kind, error=str(exc), undo_reason=reason, status=400)
        messages.success(
            request, "Undone: every decision of this review is taken back; both reasons are kept."
        )
        back = _back(request, request.POST.get("back", ""))
        if back:
            return HttpResponseRedirect(back)
        anchor = kind.model.objects.filter(public_id=review.anchor_public_id).first()
        target = group_url(kind, anchor.pk) if anchor is not None else queue_url(kind)
        return HttpResponseRedirect(target)

    def _render(
        self,
        request: HttpRequest,
        review: Review,
        kind: ReviewKind,
        *,
        error: str = "",
        undo_reason: str = "",
        status: int = 200,
    ) -> HttpResponse:
        decisions = list(review.decisions.select_related("merge_record", "undone_by").order_by("pk"))
        ids = {review.anchor_public_id, review.survivor_public_id} | {d.subject_public_id for d in decisions}
        entities = {e.public_id: e for e in kind.model.objects.filter(public_id__in=ids)}
        anchor = entities.get(review.anchor_public_id)
        rows = [
            {
                "decision": d,
                "subject": entities.get(d.subject_public_id),
                "label": DECISION_LABELS[ReviewDecisionKind(d.decision)].format(
                    anchor=str(anchor) if anchor else d.other_public_id
                ),
                "history_url": _entity_url(kind, entities.get(d.subject_public_id), "history"),
            }
            for d in decisions
        ]
        survivor = entities.get(review.survivor_public_id)
        context = {
            **admin.site.each_context(request),
            "title": f"Review #{review.pk}",
            "opts": Review._meta,
            "kind": kind,
            "review": review,
            "rows": rows,
            "anchor": anchor,
            "survivor": survivor,
            "anchor_url": _entity_url(kind, anchor, "change"),
            "survivor_url": _entity_url(kind, survivor, "change"),
            "values": [(kind.label(name), value) for name, value in review.values.items()],
            "merged_any": any(d.merge_record_id for d in decisions),
            "can_undo": review.undone_at is None and can_decide(request, kind),
            "back": _back(request, request.GET.get("back", "") or request.POST.get("back", "")),
            "error": error,
            "undo_reason": undo_reason,
            "next_url": reverse(kind.admin_name("group_next")),
            "group_url": group_url(kind, anchor.pk) if anchor is not None else "",
            "queue_url": queue_url(kind),
            "api_base": f"/api/{kind.noun}s/",
        }
        return TemplateResponse(request, "admin/entities/review/result.html", context, status=status)


def _back(request: HttpRequest, url: str) -> str:
    """Where the reviewer came from (a pair page), if it is one of ours: an undo goes back there."""
    ours = url.startswith("/admin/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}
    )
    return url if ours else ""


def _entity_url(kind: ReviewKind, entity: Any, view: str) -> str:
    return reverse(kind.entity_admin_name(view), args=[entity.pk]) if entity is not None else ""


def history_response(
    request: HttpRequest, kind: ReviewKind, entity: Any, extra: dict[str, Any]
) -> HttpResponse:
    """The entity's history page (the admin's "History" button): merges, review decisions, curated
    values and admin edits, with who, when and why, undone ones with their undo."""
    context = {
        **admin.site.each_context(request),
        **extra,
        "title": f"History of {entity}",
        "opts": kind.model._meta,
        "object": entity,
        "kind": kind,
        "events": review_selectors.entity_history(kind, entity),
        "group_url": group_url(kind, entity.pk),
        "pending": review_selectors.review_pair_queue(kind).filter(kind.pairs_with(entity.pk)).count(),
    }
    return TemplateResponse(request, "admin/entities/review/history.html", context)
