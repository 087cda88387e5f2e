"""xml(), xpath() and the json(xml) helper, called directly."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.expressions.errors import ExpressionError
from workflows.expressions.functions.xml import XmlValue, xml, xml_to_json, xpath

ITEMS = (
    '<?xml version="1.0"?><produce><item><name>Gala</name><type>apple</type><count>20</count>'
    "</item><item><name>Honeycrisp</name><type>apple</type><count>10</count></item></produce>"
)
NAMESPACED = (
    '<?xml version="1.0"?><file xmlns="https://contoso.com"><location>Paris</location></file>'
)


def test_it_returns_a_str_subclass_holding_the_xml_text() -> None:
    value = xml("<name>Sophia Owen</name>")
    assert isinstance(value, XmlValue)
    assert isinstance(value, str)
    assert str(value) == "<name>Sophia Owen</name>"
    assert xml(value) is value


def test_it_builds_xml_from_json_like_newtonsoft() -> None:
    assert xml({"person": {"name": "Sophia Owen", "city": "Seattle"}}) == (
        "<person><name>Sophia Owen</name><city>Seattle</city></person>"
    )
    order = {"order": {"@id": 7, "line": [{"sku": "a"}, {"sku": "b"}], "note": None, "paid": True}}
    assert xml(order) == (
        '<order id="7"><line><sku>a</sku></line><line><sku>b</sku></line><note /><paid>true</paid>'
        "</order>"
    )


def test_it_accepts_json_text_and_xml_binary() -> None:
    assert xml('{ "name": "Sophia Owen" }') == "<name>Sophia Owen</name>"
    binary = {
        "$content-type": "application/xml",
        "$content": base64.b64encode(b"<a>1</a>").decode(),
    }
    assert xml(binary) == "<a>1</a>"


def test_it_writes_declaration_text_cdata_and_comments() -> None:
    value = {
        "?xml": {"@version": "1.0", "@encoding": "utf-8"},
        "a": {"#text": "x < y & z", "#cdata-section": "<raw>", "#comment": " c "},
    }
    assert xml(value) == (
        '<?xml version="1.0" encoding="utf-8"?><a>x &lt; y &amp; z<![CDATA[<raw>]]><!-- c --></a>'
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("<a><b></a>", "is not valid XML"),
        ("plain text", "expects XML text or a JSON object"),
        ("{not json", "neither XML nor a JSON object"),
        ({"a": 1, "b": 2}, "exactly one root property"),
        ({}, "exactly one root property"),
        ({"a": [1, 2]}, "can't be an array"),
        ({"1bad": "x"}, "not a valid XML element name"),
        (42, "The provided value is of type 'Integer'"),
        ({"$content-type": "application/xml", "$content": "!!"}, "not valid base64"),
    ],
)
def test_it_rejects_what_cannot_become_xml(value, message) -> None:
    with pytest.raises(ExpressionError, match=message):
        xml(value)


def test_it_does_not_resolve_external_entities() -> None:
    doc = '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'
    assert xml_to_json(doc) == {"a": None}


def test_it_refuses_entity_bombs() -> None:
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    with pytest.raises(ExpressionError, match="not valid XML"):
        xml_to_json(f"<!DOCTYPE a [{entities}]><a>&e9;</a>")


def test_it_converts_xml_to_json_like_newtonsoft() -> None:
    assert xml_to_json(ITEMS) == {
        "?xml": {"@version": "1.0"},
        "produce": {
            "item": [
                {"name": "Gala", "type": "apple", "count": "20"},
                {"name": "Honeycrisp", "type": "apple", "count": "10"},
            ]
        },
    }


def test_it_turns_attributes_mixed_content_and_namespaces_into_json() -> None:
    doc = (
        '<root a="1"><b>x</b><b/><c>t<d/>u</c><!-- hi -->'
        '<e xmlns:p="urn:p" p:z="2"><p:f>g</p:f></e><f k="v">text</f></root>'
    )
    assert xml_to_json(doc) == {
        "root": {
            "@a": "1",
            "b": ["x", None],
            "c": {"#text": ["t", "u"], "d": None},
            "#comment": " hi ",
            "e": {"@xmlns:p": "urn:p", "@p:z": "2", "p:f": "g"},
            "f": {"@k": "v", "#text": "text"},
        }
    }
    assert xml_to_json(NAMESPACED)["file"] == {"@xmlns": "https://contoso.com", "location": "Paris"}


def test_it_forces_arrays_with_the_newtonsoft_attribute() -> None:
    doc = '<r xmlns:json="http://james.newtonking.com/projects/json"><i json:Array="true">1</i></r>'
    assert xml_to_json(doc) == {"r": {"i": ["1"]}}


def test_it_ignores_whitespace_only_text_like_xmldocument() -> None:
    assert xml_to_json("<a>\n  <b>1</b>\n  <c>2</c>\n</a>") == {"a": {"b": "1", "c": "2"}}
    assert xml_to_json("<a>  </a>") == {"a": None}
    assert xml_to_json("<a>\x85</a>") == {"a": "\x85"}  # not XML white space
    assert xml_to_json("<a> x <b/></a>") == {"a": {"#text": " x ", "b": None}}


def test_it_ignores_the_declared_encoding_of_already_decoded_text() -> None:
    doc = '<?xml version="1.0" encoding="utf-16" standalone="yes"?><a>é</a>'
    assert xml_to_json(doc) == {
        "?xml": {"@version": "1.0", "@encoding": "utf-16", "@standalone": "yes"},
        "a": "é",
    }
    assert xpath(xml(doc), "string(/a)") == "é"


def test_it_keeps_processing_instructions_apart_from_the_declaration() -> None:
    assert xml_to_json('<?xml-stylesheet href="a.xsl"?><a>x</a>') == {
        "?xml-stylesheet": 'href="a.xsl"',
        "a": "x",
    }


def test_it_reads_xml_binary_for_json() -> None:
    binary = {"$content-type": "text/xml", "$content": base64.b64encode(b"<a>1</a>").decode()}
    assert xml_to_json(binary) == {"a": "1"}


_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
_LEAVES = st.text(st.characters(min_codepoint=33, max_codepoint=0x24F), min_size=1, max_size=8)
_TREES = st.recursive(
    _LEAVES, lambda kids: st.dictionaries(_NAMES, kids, min_size=1, max_size=3), max_leaves=8
)


@given(_NAMES, _TREES)
def test_it_round_trips_string_json_through_xml(root: str, tree) -> None:
    assert xml_to_json(xml({root: tree})) == {root: tree}


def test_it_returns_several_nodes_as_an_array_and_one_node_alone() -> None:
    assert xpath(xml(ITEMS), "/produce/item/name") == [
        "<name>Gala</name>",
        "<name>Honeycrisp</name>",
    ]
    assert xpath(xml(ITEMS), "(/produce/item/name)[last()]") == "<name>Honeycrisp</name>"
    assert xpath(xml(ITEMS), "//missing") == []
    assert all(isinstance(node, XmlValue) for node in xpath(ITEMS, "//item"))


def test_it_returns_text_and_attribute_nodes_as_strings() -> None:
    assert xpath(ITEMS, "/produce/item/name/text()") == ["Gala", "Honeycrisp"]
    doc = "<p><n price='12'>a</n><n price='40'>b</n></p>"
    assert xpath(doc, "//n/@price") == ["12", "40"]
    assert xpath(doc, "//n[@price>35]/text()") == "b"
    assert type(xpath(doc, "//n/@price")[0]) is str


def test_it_returns_scalars_for_xpath_functions() -> None:
    assert xpath(ITEMS, "sum(/produce/item/count)") == 30
    assert isinstance(xpath(ITEMS, "sum(/produce/item/count)"), int)
    assert xpath(ITEMS, "sum(/produce/item/count) div 4") == 7.5
    assert xpath(ITEMS, "count(//item)") == 2
    assert xpath(ITEMS, "boolean(//item[count > 15])") is True
    assert xpath(ITEMS, "string(//name)") == "Gala"
    assert xpath(ITEMS, "number('x')") is None


def test_it_queries_namespaced_documents_by_local_name() -> None:
    location = '<location xmlns="https://contoso.com">Paris</location>'
    by_name = '/*[name()="file"]/*[name()="location"]'
    by_local = '/*[local-name()="file" and namespace-uri()="https://contoso.com"]/*[local-name()="location"]'
    assert xpath(xml(NAMESPACED), by_name) == location
    assert xpath(xml(NAMESPACED), by_local) == location
    assert xpath(xml(NAMESPACED), f"string({by_name})") == "Paris"


def test_it_converts_json_before_querying() -> None:
    assert xpath({"a": {"b": ["1", "2"]}}, "sum(/a/b)") == 3


@pytest.mark.parametrize(
    ("document", "expression", "message"),
    [
        ("<a/>", "//[", "is not valid"),
        ("<a/>", "$undefined", "is not valid"),
        ("<a/>", 42, "XPath expression string"),
        ("not xml", "/a", "expects XML text or a JSON object"),
    ],
)
def test_it_rejects_bad_xpath_calls(document, expression, message) -> None:
    with pytest.raises(ExpressionError, match=message):
        xpath(document, expression)
