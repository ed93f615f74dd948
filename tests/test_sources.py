"""Source files: every URL form of an article maps to one identity."""

from __future__ import annotations

import pytest

from kommunalmonitor.crawler.sources import Source, SourceError, source_path

SOURCE = Source.load(source_path("leverkusen-com"))


@pytest.mark.parametrize("url", [
    "https://www.leverkusen.com/presse/db/presse.php?view=19631",
    "https://www.leverkusen.com/presse/db/presse.php?view=00019631",
    "https://www.leverkusen.com/presse/db/presse.php?view=00019631&stadtteil=44",
    "https://www.leverkusen.com/presse/db/presse.php?view=00019631&stadtteil=&kat=",
    "https://www.leverkusen.com/presse/db/presse.php?stadtteil=44&view=19631",
    "https://www.leverkusen.com/presse/integration-auf-gutem-weg-00019631.html",
])
def test_every_url_form_gives_the_same_id(url):
    assert SOURCE.article_id(url) == "19631"


@pytest.mark.parametrize("url", [
    "https://www.leverkusen.com/presse/db/liste.php?seite=2",
    "https://example.org/presse/db/presse.php?view=19631",
    "https://www.leverkusen.com/presse/db/presse.php?review=19631",
])
def test_non_articles_have_no_id(url):
    assert SOURCE.article_id(url) is None


def test_canonical_url_and_listing_recognition():
    assert SOURCE.canonical_url("19631") == "https://www.leverkusen.com/presse/db/presse.php?view=19631"
    assert SOURCE.is_listing("https://www.leverkusen.com/presse/db/liste.php?seite=12")
    assert not SOURCE.is_listing("https://www.leverkusen.com/presse/intern/liste.php?seite=1")


def test_broken_source_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="lacks the key"):
        Source.load(bad)
