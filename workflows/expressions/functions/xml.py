"""WDL XML functions: `xml()`, `xpath()`, and `xml_to_json()` for `json(xml)`.

The XML value type is `XmlValue`, a `str` subclass whose text is the serialized XML.
Being a `str` means everything generic keeps working (`string(xml(...))`, `@{…}`
interpolation, JSON serialization of run outputs, `concat`), while functions that
care (`xpath`, `json`) recognise it with `isinstance(value, XmlValue)`.

Conventions follow Newtonsoft.Json, which Logic Apps uses for both directions:

* JSON → XML (`JsonConvert.DeserializeXmlNode`): the object needs exactly one root
  property (plus an optional `?xml` declaration); `@name` keys become attributes,
  `#text` text, `#cdata-section` CDATA, `#comment` comments; arrays become repeated
  elements; `null` becomes an empty element; `true`/`false` print lowercase.
* XML → JSON (`JsonConvert.SerializeXmlNode`): attributes become `@name` (namespace
  declarations `@xmlns`, `@xmlns:p`), repeated child elements become arrays, an
  element with only text becomes that string, an empty one `null`, text next to
  attributes or elements becomes `#text`; the declaration becomes `?xml`; an
  attribute `json:Array="true"` (namespace `http://james.newtonking.com/projects/json`)
  forces an array. Every value stays a string: XML has no number type.

`xpath(xml, expr)` evaluates XPath 1.0 with lxml (Logic Apps uses .NET's XPath 1.0
engine). Node-sets are returned as arrays even with a single match, as Logic Apps
does: elements as `XmlValue` (their outer XML, with in-scope namespace
declarations), text and attribute nodes as their string value. Numbers, strings and
booleans (`sum()`, `count()`, `string()`, `boolean()`) come back as scalars; an
integral number as an `int`. Namespaced documents are queried with `local-name()`,
`name()` and `namespace-uri()`, since there is no way to bind prefixes.

Parsing is hardened: no DTD loading, no entity resolution, no network access.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any

from lxml import etree

from workflows.expressions.errors import ExpressionError
from workflows.expressions.registry import function

JSON_NS = "http://james.newtonking.com/projects/json"
_XML_SPACE = " \t\r\n"  # XML white space; str.strip() would also eat U+0085 etc.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class XmlValue(str):
    """An XML document or node as Logic Apps' XML type; its text is the XML itself."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"XmlValue({str.__repr__(self)})"


# ------------------------------------------------------------------------ parsing


def _binary_text(value: dict[str, Any]) -> str:
    try:
        return base64.b64decode(str(value["$content"]), validate=True).decode("utf-8-sig")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ExpressionError("The binary content is not valid base64-encoded UTF-8 XML") from None


_DECLARATION = re.compile(r"^<\?xml\s[^>]*\?>")
_ENCODING = re.compile(r"""encoding\s*=\s*["'][^"']*["']""")


def parse_document(text: str) -> etree._ElementTree:
    """Parse XML text into an lxml tree; ExpressionError when it is not well-formed.

    The text is already decoded, so a declared encoding ("utf-16", "iso-8859-1") no
    longer applies: it is replaced by UTF-8, the encoding the parser is given.
    """
    text = text.lstrip("\ufeff").strip()
    declaration = _DECLARATION.match(text)
    if declaration:
        fixed = _ENCODING.sub('encoding="UTF-8"', declaration.group())
        text = fixed + text[declaration.end() :]
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ExpressionError(f"The provided value is not valid XML: {exc.msg}") from None
    return root.getroottree()


def _declaration(text: str) -> dict[str, str] | None:
    declaration = _DECLARATION.match(text.lstrip("\ufeff").lstrip())
    if declaration is None:
        return None
    pseudo = etree.fromstring(f"<d {declaration.group()[5:-2]}/>".encode(), _PARSER)
    return {f"@{k}": v for k, v in pseudo.attrib.items()}


# ------------------------------------------------------------------ xml() function


def to_xml(value: Any) -> XmlValue:
    """The `xml()` conversion: XML text, a JSON object (or its text), or XML binary."""
    if isinstance(value, XmlValue):
        return value
    if isinstance(value, dict) and "$content" in value:
        value = _binary_text(value)
    if isinstance(value, str):
        stripped = value.lstrip("\ufeff").strip()
        if stripped.startswith("<"):
            parse_document(stripped)
            return XmlValue(stripped)
        if stripped.startswith("{"):
            try:
                value = json.loads(stripped)
            except ValueError as exc:
                raise ExpressionError(
                    f"The provided value is neither XML nor a JSON object: {exc}"
                ) from None
        else:
            raise ExpressionError(
                "The template language function 'xml' expects XML text or a JSON object; "
                f"the provided string starts with '{stripped[:20]}'"
            )
    if isinstance(value, dict):
        return json_to_xml(value)
    kind = {bool: "Boolean", int: "Integer", float: "Float", list: "Array"}.get(type(value), "Null")
    raise ExpressionError(
        "The template language function 'xml' expects its parameter to be a string or an "
        f"object. The provided value is of type '{kind}'."
    )


def json_to_xml(value: dict[str, Any]) -> XmlValue:
    """`JsonConvert.DeserializeXmlNode` for a JSON object with a single root property."""
    roots = [k for k in value if k not in ("?xml", "$schema")]
    if len(roots) != 1:
        raise ExpressionError(
            "The JSON object must have exactly one root property to be converted to XML; "
            f"it has {len(roots)}"
        )
    name = roots[0]
    if isinstance(value[name], list):
        raise ExpressionError(
            "The root property of a JSON object converted to XML can't be an array"
        )
    parts: list[str] = []
    if isinstance(value.get("?xml"), dict):
        attrs = "".join(f' {k[1:]}="{_escape(_scalar(v), True)}"' for k, v in value["?xml"].items())
        parts.append(f"<?xml{attrs}?>")
    _write_element(parts, name, value[name])
    text = "".join(parts)
    parse_document(text)  # rejects names that are not XML names
    return XmlValue(text)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if attribute else text


def _check_name(name: str) -> None:
    try:
        etree.QName(name.split(":", 1)[-1])
    except ValueError:
        raise ExpressionError(
            f"The JSON property '{name}' is not a valid XML element name"
        ) from None


def _write_element(parts: list[str], name: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _write_element(parts, name, item)
        return
    _check_name(name)
    if not isinstance(value, dict):
        text = _escape(_scalar(value))
        parts.append(f"<{name}>{text}</{name}>" if text else f"<{name} />")
        return
    attrs = "".join(
        f' {k[1:]}="{_escape(_scalar(v), True)}"' for k, v in value.items() if k.startswith("@")
    )
    inner: list[str] = []
    for key, child in value.items():
        if key.startswith("@"):
            continue
        _write_child(inner, key, child)
    body = "".join(inner)
    parts.append(f"<{name}{attrs}>{body}</{name}>" if body else f"<{name}{attrs} />")


def _write_child(parts: list[str], key: str, child: Any) -> None:
    items = child if isinstance(child, list) else [child]
    if key == "#text":
        parts.extend(_escape(_scalar(i)) for i in items)
    elif key in ("#cdata-section", "#cdata"):
        parts.extend(f"<![CDATA[{_scalar(i)}]]>" for i in items)
    elif key == "#comment":
        parts.extend(f"<!--{_scalar(i)}-->" for i in items)
    elif key.startswith("?"):
        parts.extend(f"<{key} {_scalar(i)}?>" for i in items)
    else:
        _write_element(parts, key, child)


@function("xml", "xml(value: string)", min_args=1)
def xml(value: Any) -> XmlValue:
    return to_xml(value)


# -------------------------------------------------------------------- XML → JSON


def xml_to_json(value: Any) -> dict[str, Any]:
    """`JsonConvert.SerializeXmlNode`: the JSON object for an XML value, text or binary."""
    if isinstance(value, dict) and "$content" in value:
        value = _binary_text(value)
    if not isinstance(value, str):
        raise ExpressionError(f"Expected XML, got a value of type '{type(value).__name__}'")
    tree = parse_document(value)
    result: dict[str, Any] = {}
    declaration = _declaration(value)
    if declaration is not None:
        result["?xml"] = declaration
    members = _Members()
    for node in _siblings_before(tree.getroot()):
        members.add(*_misc_node(node))
    root = tree.getroot()
    members.add(_qualified(root), _element_value(root, {}))
    return members.into(result)


def _siblings_before(root: etree._Element) -> list[etree._Element]:
    nodes: list[etree._Element] = []
    node = root.getprevious()
    while node is not None:
        nodes.insert(0, node)
        node = node.getprevious()
    return nodes


def _misc_node(node: etree._Element) -> tuple[str, Any]:
    if isinstance(node, etree._Comment):
        return "#comment", node.text or ""
    return f"?{node.target}", node.text or ""  # processing instruction


def _qualified(el: etree._Element, name: str | None = None) -> str:
    qname = etree.QName(name or el.tag)
    if qname.namespace is None:
        return qname.localname
    prefix = next((p for p, uri in el.nsmap.items() if uri == qname.namespace and p), None)
    if name is None:
        prefix = el.prefix
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


class _Members:
    """Child members in first-seen order; a name seen twice (or forced) becomes an array."""

    def __init__(self) -> None:
        self.groups: dict[str, list[Any]] = {}
        self.forced: set[str] = set()

    def add(self, key: str, value: Any, force_array: bool = False) -> None:
        self.groups.setdefault(key, []).append(value)
        if force_array:
            self.forced.add(key)

    def into(self, out: dict[str, Any]) -> dict[str, Any]:
        for key, values in self.groups.items():
            out[key] = values if len(values) > 1 or key in self.forced else values[0]
        return out


def _namespace_attrs(el: etree._Element, parent_ns: dict[str | None, str]) -> dict[str, str]:
    attrs = {}
    for prefix, uri in el.nsmap.items():
        if parent_ns.get(prefix) != uri and uri != JSON_NS:
            attrs[f"@xmlns:{prefix}" if prefix else "@xmlns"] = uri
    return attrs


def _element_value(el: etree._Element, parent_ns: dict[str | None, str]) -> Any:
    attrs = _namespace_attrs(el, parent_ns)
    for name, val in el.attrib.items():
        if etree.QName(name).namespace != JSON_NS:
            attrs[f"@{_qualified(el, name)}"] = val
    texts = _texts(el)
    only_text = not attrs and all(isinstance(c, etree._Entity) for c in el)
    if only_text and len(texts) <= 1:
        return texts[0] if texts else None
    members = _Members()
    for text in texts:
        members.add("#text", text)
    for child in el:
        if isinstance(child.tag, str):
            forced = child.get(f"{{{JSON_NS}}}Array") == "true"
            members.add(_qualified(child), _element_value(child, dict(el.nsmap)), forced)
        elif isinstance(child, etree._Comment | etree._ProcessingInstruction):
            members.add(*_misc_node(child))
    return members.into(attrs)


def _texts(el: etree._Element) -> list[str]:
    """The element's own text nodes (lxml keeps CDATA content as plain text)."""
    texts = [el.text, *(child.tail for child in el)]
    # .NET's XmlDocument drops whitespace-only text ("insignificant whitespace").
    return [text for text in texts if text and text.strip(_XML_SPACE)]


# ------------------------------------------------------------------------- xpath


@function("xpath", "xpath(xml: any, xpath: any)", min_args=2)
def xpath(document: Any, expression: Any) -> Any:
    tree = parse_document(to_xml(document))
    if not isinstance(expression, str):
        raise ExpressionError(
            "The template language function 'xpath' expects its second parameter to be an "
            "XPath expression string"
        )
    try:
        result = tree.xpath(expression)
    except etree.XPathError as exc:
        raise ExpressionError(f"The XPath expression '{expression}' is not valid: {exc}") from None
    return _xpath_result(result)


def _xpath_result(result: Any) -> Any:
    if isinstance(result, bool):
        return result
    if isinstance(result, float):
        if math.isnan(result) or math.isinf(result):
            return None
        return int(result) if result.is_integer() else result
    if isinstance(result, list):
        # The function reference: "An XML node when only a single node matches …
        # an array with XML nodes or values that match" otherwise.
        values = [_node_value(node) for node in result]
        return values[0] if len(values) == 1 else values
    return str(result)


def _node_value(node: Any) -> Any:
    if isinstance(node, str):  # text, attribute and namespace values (smart strings)
        return str(node)
    if isinstance(node, tuple):  # namespace node: (prefix, uri)
        return node[1]
    return XmlValue(etree.tostring(node, encoding="unicode", with_tail=False))
