"""Hotline API: the consultation taxonomy — the terms an organisation sees, adding its own, editing, retiring."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.permissions import Action
from varta.core.api_views import VartaAPIView
from varta.hotline import actions, selectors
from varta.hotline.serializers import TopicCreateIn, TopicListQuery, TopicOut, TopicUpdateIn, tree_order

TAGS = ["hotline"]


class TopicListView(VartaAPIView):
    @extend_schema(tags=TAGS, parameters=[TopicListQuery], responses=TopicOut(many=True),
                   summary="The taxonomy: standard terms and your organisation's own",
                   description="Each category followed by its terms. Retired terms only with "
                   "`include_retired=1`.")
    def get(self, request: Request) -> Response:
        membership = self.acting(request)
        query = TopicListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        topics = selectors.topics_visible(membership.organisation_id,
                                          include_retired=query.validated_data["include_retired"])
        return Response(TopicOut(tree_order(topics), many=True).data)

    @extend_schema(tags=TAGS, request=TopicCreateIn, responses={201: TopicOut}, summary="Add a term",
                   description="An own term under a standard category (`taxonomy.manage`), or with "
                   "`standard: true` a standard term or category (`taxonomy.manage_standard`).")
    def post(self, request: Request) -> Response:
        membership = self.acting(request, Action.TAXONOMY_MANAGE)
        payload = TopicCreateIn(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                topic = actions.topic_create(actor=self.actor(request), membership=membership,
                                             **payload.validated_data)
        except IntegrityError:  # the same code, added twice at the same moment
            return Response({"code": [_("This code is taken.")]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(TopicOut(topic).data, status=status.HTTP_201_CREATED)


class TopicDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, request=TopicUpdateIn, responses=TopicOut,
                   summary="Rename, reorder, retire or bring back a term",
                   description="Fields left out keep their values. Standard terms need "
                   "`taxonomy.manage_standard`.")
    def patch(self, request: Request, topic_id: int) -> Response:
        membership = self.acting(request, Action.TAXONOMY_MANAGE)
        topic = selectors.access_topic(membership, topic_id)
        payload = TopicUpdateIn(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actor = self.actor(request)
        with transaction.atomic():
            # Always through topic_update: it checks who may edit this term even when only ``retired`` changes.
            actions.topic_update(actor=actor, membership=membership, topic=topic,
                                 name_en=data.get("name_en", topic.name_en), name_uk=data.get("name_uk", topic.name_uk),
                                 sort_order=data.get("sort_order", topic.sort_order))
            if "retired" in data and data["retired"] != (topic.retired_at is not None):
                actions.topic_set_retired(actor=actor, membership=membership, topic=topic, retired=data["retired"])
        return Response(TopicOut(topic).data)


urlpatterns = [
    path("topics/", TopicListView.as_view(), name="api-hotline-topics"),
    path("topics/<int:topic_id>/", TopicDetailView.as_view(), name="api-hotline-topic"),
]
