from __future__ import annotations

from transforms.extract import ExtractConfig, ensure_document, extract_article

PAGE = (
    "<html><head><title>Talks resume</title></head><body><nav><a href='/'>Home</a></nav><article>"
    + "".join(
        f"<p>Paragraph {i} says the talks between the two sides resumed on Monday in Geneva "
        f"after a pause of several weeks, officials said.</p>"
        for i in range(6)
    )
    + "</article><footer>© 2024 Example</footer></body></html>"
)


def test_defaults_chosen_on_measurement() -> None:
    assert ExtractConfig() == ExtractConfig(
        favor_precision=False, favor_recall=False, include_tables=True, include_comments=False
    )


def test_extract_article() -> None:
    art = extract_article(PAGE, "https://example.com/a")
    assert art is not None and art.title == "Talks resume"
    assert art.text.count("Paragraph") == 6 and "Home" not in art.text


def test_fragment_is_wrapped_and_empty_is_none() -> None:
    assert ensure_document("<p>x</p>") == "<html><body><p>x</p></body></html>"
    assert extract_article("<html><body></body></html>") is None
