import json

import pytest
from django import forms
from django.utils import translation

from varta.geo.forms import MAX_PCODES, PcodeField, PcodeListField
from varta.geo.models import AdminUnit

pytestmark = pytest.mark.usefixtures("geo_units")


class PlaceForm(forms.Form):
    place = PcodeField(label="Place", required=False)
    areas = PcodeListField(label="Areas", required=False)


def test_it_stores_the_unit_of_a_known_pcode(db):
    form = PlaceForm(data={"place": " ua2110023001 ", "areas": "UA21; UA2110,UA21\nMD001"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["place"] == AdminUnit.objects.get(pcode="UA2110023001")
    assert [u.pcode for u in form.cleaned_data["areas"]] == ["UA21", "UA2110", "MD001"]


def test_it_refuses_an_unknown_pcode_with_a_clear_message(db):
    form = PlaceForm(data={"place": "UA9999", "areas": "UA21, XX01, Uzhhorod"})
    assert not form.is_valid()
    assert form.errors["place"] == ["Unknown P-code: UA9999. Pick a place from the list."]
    assert form.errors["areas"] == ["Unknown P-code: XX01, UZHHOROD. Pick a place from the list."]
    assert form.has_error("place", "unknown_pcode")
    assert form.has_error("areas", "unknown_pcode")


def test_it_refuses_two_places_in_a_single_field(db):
    form = PlaceForm(data={"place": "UA21, UA2110"})
    assert not form.is_valid()
    assert form.has_error("place", "one_place")


def test_it_refuses_too_many_places(db):
    form = PlaceForm(data={"areas": ", ".join(f"UA{n}" for n in range(MAX_PCODES + 1))})
    assert not form.is_valid()
    assert form.has_error("areas", "too_many_places")


def test_it_accepts_empty_values_when_optional(db):
    form = PlaceForm(data={"place": "", "areas": " , "})
    assert form.is_valid()
    assert form.cleaned_data == {"place": None, "areas": []}


def _attrs(html: str, name: str) -> dict[str, str]:
    from html.parser import HTMLParser

    found: dict[str, str] = {}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "input" and values.get("name") == name:
                found.update({k: v or "" for k, v in values.items()})

    Parser().feed(html)
    return found


def test_it_renders_a_picker_with_search_url_messages_and_chosen_places(db):
    form = PlaceForm(initial={"place": AdminUnit.objects.get(pcode="UA2110023001"),
                              "areas": list(AdminUnit.objects.filter(pcode__in=["UA21", "MD002"]).order_by("pcode"))})
    place, areas = _attrs(str(form["place"]), "place"), _attrs(str(form["areas"]), "areas")
    assert place["value"] == "UA2110023001"
    assert place["data-pcode-picker"] == "single"
    assert areas["data-pcode-picker"] == "multiple"
    assert place["data-search-url"] == "/places/search.json"
    assert place["data-msg-empty"] == "No place found"
    assert "%(name)s" in place["data-msg-remove"]
    assert json.loads(place["data-selected"]) == [{"pcode": "UA2110023001", "name": "Uzhhorod"}]
    assert areas["value"] == "MD002, UA21"
    assert json.loads(areas["data-selected"]) == [{"pcode": "MD002", "name": "Balti"},
                                                  {"pcode": "UA21", "name": "Zakarpatska oblast"}]


def test_it_keeps_typed_codes_and_names_them_when_known(db):
    form = PlaceForm(data={"areas": "ua21, XX01"})
    form.is_valid()
    with translation.override("uk"):
        selected = json.loads(_attrs(str(form["areas"]), "areas")["data-selected"])
    assert selected[0]["pcode"] == "UA21"
    assert selected[0]["name"].startswith("Закарпатська")
    assert selected[1] == {"pcode": "XX01", "name": "XX01"}


def test_it_refuses_control_characters(db):
    form = PlaceForm(data={"place": "UA\x0021", "areas": "UA21, UA\x0121"})
    assert not form.is_valid()
    assert form.has_error("place", "null_characters_not_allowed")
    assert form.has_error("areas", "unknown_pcode")
