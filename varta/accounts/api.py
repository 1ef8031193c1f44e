"""API: who am I, and my API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts import actions
from varta.accounts.models import ApiToken
from varta.accounts.permissions import ROLE_ACTIONS, Role
from varta.accounts.serializers import MeOut, TokenIn, TokenIssuedOut, TokenOut
from varta.core.api_views import VartaAPIView


class MeView(VartaAPIView):
    @extend_schema(responses=MeOut, summary="The authenticated user, memberships and the acting role's actions")
    def get(self, request: Request) -> Response:
        django_request = request._request
        membership = getattr(django_request, "membership", None)
        data = {
            "id": request.user.pk,
            "username": request.user.get_username(),
            "full_name": getattr(request.user, "full_name", ""),
            "language": getattr(request.user, "language", ""),
            "acting_membership": membership,
            "memberships": getattr(django_request, "memberships", []),
            "actions": sorted(ROLE_ACTIONS[Role(membership.role)]) if membership else [],
        }
        return Response(MeOut(data).data)


class TokenListView(VartaAPIView):
    @extend_schema(responses=TokenOut(many=True), summary="My API tokens (never the tokens themselves)")
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=self.user(request)).select_related("membership").order_by("-created_at")
        return Response(TokenOut(tokens, many=True).data)

    @extend_schema(request=TokenIn, responses={201: TokenIssuedOut},
                   summary="Issue a token for the acting organisation; the response shows it once")
    def post(self, request: Request) -> Response:
        membership = self.acting(request)
        payload = TokenIn(data=request.data)
        payload.is_valid(raise_exception=True)
        issued = actions.api_token_issue(
            actor=self.actor(request), membership=membership, name=payload.validated_data["name"],
            expires_at=timezone.now() + timedelta(days=payload.validated_data["days"]))
        data = TokenOut(issued.token).data | {"token": issued.raw}
        return Response(data, status=status.HTTP_201_CREATED)


class TokenRevokeView(VartaAPIView):
    @extend_schema(request=None, responses=TokenOut, summary="Revoke one of my tokens")
    def post(self, request: Request, token_id: int) -> Response:
        token = get_object_or_404(ApiToken.objects.select_related("membership"), pk=token_id, user=self.user(request))
        return Response(TokenOut(actions.api_token_revoke(actor=self.actor(request), token=token)).data)


urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("tokens/", TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
]
