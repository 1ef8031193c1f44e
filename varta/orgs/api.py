"""API: organisations and the acting organisation's members. Same rules as the pages."""

from __future__ import annotations

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.permissions import Action
from varta.core.api_views import VartaAPIView
from varta.orgs import actions, selectors
from varta.orgs.models import Organisation
from varta.orgs.serializers import MemberCreateIn, MemberOut, MemberUpdateIn, OrganisationIn, OrganisationOut


class OrganisationListView(VartaAPIView):
    @extend_schema(responses=OrganisationOut(many=True),
                   summary="Organisations you may see: your acting organisation, or all for a system admin")
    def get(self, request: Request) -> Response:
        membership = self.acting(request, Action.ORG_VIEW)
        orgs = selectors.organisations_visible(membership).prefetch_related("areas")
        return Response(OrganisationOut(orgs, many=True).data)

    @extend_schema(request=OrganisationIn, responses={201: OrganisationOut}, summary="Create an organisation")
    def post(self, request: Request) -> Response:
        self.acting(request, Action.ORGS_MANAGE)
        payload = OrganisationIn(data=request.data)
        payload.is_valid(raise_exception=True)
        if Organisation.objects.filter(name__iexact=payload.validated_data["name"].strip()).exists():
            return Response({"name": ["An organisation with this name exists."]}, status=status.HTTP_400_BAD_REQUEST)
        org = actions.organisation_create(actor=self.actor(request), **payload.validated_data)
        return Response(OrganisationOut(org).data, status=status.HTTP_201_CREATED)


class OrganisationDetailView(VartaAPIView):
    @extend_schema(responses=OrganisationOut, summary="One organisation (404 if not yours to see)")
    def get(self, request: Request, organisation_id: int) -> Response:
        membership = self.acting(request, Action.ORG_VIEW)
        return Response(OrganisationOut(selectors.access_organisation(membership, organisation_id)).data)

    @extend_schema(request=OrganisationIn, responses=OrganisationOut, summary="Replace an organisation's profile")
    def put(self, request: Request, organisation_id: int) -> Response:
        membership = self.acting(request, Action.ORG_VIEW)
        org = selectors.access_organisation(membership, organisation_id)
        own = org.pk == membership.organisation_id
        self.acting(request, Action.ORG_EDIT if own else Action.ORGS_MANAGE)
        payload = OrganisationIn(data=request.data)
        payload.is_valid(raise_exception=True)
        actions.organisation_update(actor=self.actor(request), organisation=org, **payload.validated_data)
        return Response(OrganisationOut(org).data)


class MemberListView(VartaAPIView):
    @extend_schema(responses=MemberOut(many=True), summary="Members of the acting organisation")
    def get(self, request: Request) -> Response:
        membership = self.acting(request, Action.ORG_VIEW)
        return Response(MemberOut(selectors.members_of(membership), many=True).data)

    @extend_schema(request=MemberCreateIn, responses={201: MemberOut},
                   summary="Create a user as a member of the acting organisation")
    def post(self, request: Request) -> Response:
        membership = self.acting(request, Action.MEMBERS_MANAGE)
        payload = MemberCreateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        member = actions.member_create(actor=self.actor(request), acting=membership, **payload.validated_data)
        return Response(MemberOut(member).data, status=status.HTTP_201_CREATED)


class MemberDetailView(VartaAPIView):
    @extend_schema(responses=MemberOut, summary="One member of the acting organisation")
    def get(self, request: Request, member_id: int) -> Response:
        membership = self.acting(request, Action.ORG_VIEW)
        return Response(MemberOut(selectors.access_member(membership, member_id)).data)

    @extend_schema(request=MemberUpdateIn, responses=MemberOut, summary="Change a member's role or active state")
    def patch(self, request: Request, member_id: int) -> Response:
        membership = self.acting(request, Action.MEMBERS_MANAGE)
        member = selectors.access_member(membership, member_id)
        payload = MemberUpdateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        actor = self.actor(request)
        with transaction.atomic():
            if "role" in payload.validated_data:
                actions.membership_change_role(actor=actor, acting=membership, member=member,
                                               role=payload.validated_data["role"])
            if "is_active" in payload.validated_data:
                actions.membership_set_active(actor=actor, acting=membership, member=member,
                                              active=payload.validated_data["is_active"])
        return Response(MemberOut(member).data)


urlpatterns = [
    path("organisations/", OrganisationListView.as_view(), name="api-organisations"),
    path("organisations/<int:organisation_id>/", OrganisationDetailView.as_view(), name="api-organisation"),
    path("members/", MemberListView.as_view(), name="api-members"),
    path("members/<int:member_id>/", MemberDetailView.as_view(), name="api-member"),
]

