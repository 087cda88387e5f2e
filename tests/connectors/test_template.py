"""The Template action: rendering, clear errors, and a sandbox that fails safely."""

from __future__ import annotations

import pytest

from connectors import registry
from connectors.base import ActionContext, ConnectorError


def render(template: str, content=None, **extra):
    cls = registry.get("Template")
    inputs = cls.Inputs.model_validate({"template": template, "content": content, **extra})
    return cls().run(inputs, ActionContext())


def test_it_renders_text_from_workflow_data():
    out = render(
        "Hi {{ content.name }}: {% for o in data.orders %}{{ o.id }};{% endfor %}",
        {"name": "Ada", "orders": [{"id": 1}, {"id": 2}]},
    )
    assert out == "Hi Ada: 1;2;"


def test_it_renders_json_as_json():
    out = render(
        '{"ids": {{ content | map(attribute="id") | list | tojson }}, "n": {{ content|length }}}',
        [{"id": "a"}, {"id": "b"}],
        contentType="json",
    )
    assert out == {"ids": ["a", "b"], "n": 2}


def test_it_escapes_html():
    assert render("<p>{{ content }}</p>", "<script>x</script>", contentType="html") == (
        "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    )


def test_it_explains_syntax_errors_with_the_line():
    with pytest.raises(ConnectorError) as info:
        render("line one\n{% for x in %}")
    assert info.value.code == "InvalidTemplate" and "line 2" in info.value.message


def test_it_explains_invalid_json_output():
    with pytest.raises(ConnectorError) as info:
        render("{not json", contentType="json")
    assert info.value.code == "InvalidTemplateOutput"


def test_it_fails_on_undefined_only_when_strict():
    assert render("[{{ content.missing }}]", {}) == "[]"
    with pytest.raises(ConnectorError) as info:
        render("[{{ content.missing }}]", {}, strict=True)
    assert info.value.code == "TemplateFailed" and "missing" in info.value.message


def test_it_turns_runtime_errors_into_action_errors():
    with pytest.raises(ConnectorError) as info:
        render("{{ 1 / 0 }}")
    assert info.value.code == "TemplateFailed" and "ZeroDivisionError" in info.value.message


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ content.__class__.__mro__ }}",
        "{{ range.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ (content.keys).__self__ }}",
        "{{ ''.format.__func__ }}",
        "{{ content.__init__.__globals__ }}",
        "{% set f = content.update %}{{ f.__code__ }}",
    ],
)
def test_it_refuses_sandbox_escapes(template):
    try:
        out = render(template, {"a": 1})
    except ConnectorError as exc:
        assert exc.code in ("TemplateSecurityViolation", "TemplateFailed")
        return
    assert "class" not in out and "function" not in out and "uid=" not in out and out.strip() == ""


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in range(10**9) %}x{% endfor %}",
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
        "{{ 'x' * 1000000000 }}",
        "{{ [1] * 100000000 }}",
        "{{ 9 ** 9999999 }}",
    ],
)
def test_it_stops_resource_exhaustion(template):
    with pytest.raises(ConnectorError) as info:
        render(template)
    assert info.value.code == "TemplateSecurityViolation"
