"""Each rule fires on its boilerplate and leaves a real sentence alone; no rule is slow on hostile input."""

from __future__ import annotations

import time

import pytest

from transforms.rules import RULES, RULES_BY_ID, LineRule, first_match

# rule id -> (lines it must match, real article sentences it must not match)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "paywall_limit": (
        [
            "You’ve reached your limit of {{free_limit}} free articles this month.",
            "You have reached your free article limit.",
            "Sie haben Ihr Limit an kostenlosen Artikeln erreicht.",
            "Vous avez atteint la limite d'articles gratuits.",
            "Has alcanzado el límite de artículos gratuitos.",
        ],
        [
            "You have reached the limit of what the bridge can carry, the engineer told the council.",
            "Sie haben die Grenze erreicht, sagte der Trainer nach dem Spiel.",
        ],
    ),
    "paywall_subscribe_to_read": (
        [
            "Subscribe to read the full story →",
            "This article is for subscribers only",
            "Dieser Artikel ist nur für Abonnenten",
            "Cet article est réservé aux abonnés",
            "Il vous reste 80% de cet article à lire",
            "Suscríbete para seguir leyendo",
        ],
        [
            "Subscribers to the service rose 10% last year.",
            "Readers who subscribe to read the paper online pay less, the company said in a statement.",
        ],
    ),
    "subscribe_prompt": (
        [
            "Subscribe now for unlimited access.",
            "Start your free trial",
            "Jetzt abonnieren",
            "Abonnez-vous",
            "Suscríbete",
        ],
        [
            "Subscribers to the service rose 10% last year.",
            "Subscription revenue rose 12% in the quarter as the company added 1.2 million new customers.",
        ],
    ),
    "plan_terms": (
        [
            "Renews automatically, cancel anytime",
            "Here’s what’s included in our digital subscription plans",
            "Jederzeit kündbar",
        ],
        ["Cancel anytime policies are under review by the regulator, which opened an inquiry in May."],
    ),
    "price_line": (
        ["₹900", "₹300/Month", "$4.99 per month", "9,99 € pro Monat", "₹2,700"],
        ["Prices rose to ₹900 a tonne in March, traders said.", "2 Years"],
    ),
    "login_prompt": (
        [
            "Already subscribed? Log in",
            "Sign in",
            "Log in / Register",
            "Bereits Abonnent? Anmelden",
            "Déjà abonné ? Se connecter",
            "¿Ya eres suscriptor? Inicia sesión",
        ],
        ["Already subscribed to the plan, he logged in to find his account emptied."],
    ),
    "newsletter_box": (
        [
            "Sign up for our daily newsletter",
            "Newsletter abonnieren",
            "Enter your email address",
            "Inscrivez-vous à notre newsletter",
            "Suscríbete a nuestro boletín",
        ],
        ["The newsletter, which has 40,000 readers, was sold to a rival publisher last week."],
    ),
    "cookie_notice": (
        [
            "We use cookies to improve your experience on our site.",
            "Diese Website verwendet Cookies.",
            "Ce site utilise des cookies",
            "Este sitio web utiliza cookies",
            "Accept all",
            "Alle akzeptieren",
        ],
        ["We use cookies as a reward, the dog trainer said, but only in small amounts."],
    ),
    "skip_link": (
        ["Skip to toolbar", "Skip to main content", "Zum Inhalt springen", "Aller au contenu"],
        ["Skip to the end of the story and you will find the twist."],
    ),
    "breadcrumb": (
        ["News \u00a0 / \u00a0 Syria", "Home > World > Europe", "Startseite › Politik › Ausland"],
        ["Syria hopes to have Turkey by its side", "The ratio was 3 / 4 of the total, officials said."],
    ),
    "read_more": (
        [
            "Read More:",
            "Related: Rich are paying more in taxes",
            "Lesen Sie auch",
            "Lire aussi :",
            "Lee también",
        ],
        ["Read more carefully, the teacher said, and the answer will become clear to you."],
    ),
    "share_widget": (
        ["shared on", "Share this article", "Facebook Twitter WhatsApp Email", "Teilen", "Partager"],
        ["Share prices fell on Facebook and Twitter after the earnings report."],
    ),
    "app_promo": (
        ["Press TV News Roku", "Download our app", "Get it on Google Play"],
        ["The company said the new Roku devices would ship in the autumn to 40 countries."],
    ),
    "alternate_address": (
        ["Press TV’s website can also be accessed at the following alternate addresses:"],
        ["The museum can also be visited on Sundays, when entry is free for children."],
    ),
    "copyright_footer": (
        ["© 2024 Example Media. All rights reserved.", "Copyright 2017 Reuters", "Alle Rechte vorbehalten."],
        ["The court ruled that copyright in the photograph belonged to the agency, not the paper."],
    ),
    "disclaimer": (
        [
            "Disclaimer: No Business Standard Journalist was involved in creation of this content",
            "(This story has not been edited by Business Standard staff and is auto-generated from a "
            "syndicated feed.)",
        ],
        ["The disclaimer on the label was found to be misleading by the consumer agency."],
    ),
    "template_placeholder": (
        ["You have {{free_limit}} articles left", "Hello ${name}", "{% if user %}"],
        ["The set {1, 2} was written with braces in the paper's appendix."],
    ),
    "photo_credit": (
        [
            "Putin meets Erdogan in Moscow on March 10, 2017. (Photo by Reuters)",
            "Militants are seen south of Aleppo. ©AFP",
            "Der Kanzler in Berlin. Foto: dpa",
            "Protesters march in Paris. Getty Images",
        ],
        ["The photo was taken by a Reuters photographer who was later detained by the police."],
    ),
    "caption_position": (
        ["Russian President Vladimir Putin (L) shakes hands with Recep Tayyip Erdogan in the Kremlin."],
        [
            "The left (L) and right (R) wings of the party disagree, he said.".replace(
                "(L)", "(Left wing)"
            ).replace("(R)", "(Right wing)")
        ],
    ),
    "caption_dated_scene": (
        ["Turkey's President Tayyip Erdogan attends a news conference in Sochi, Russia November 13, 2017."],
        [
            "The seventh round of Astana talks began on October 31 with the participation of representatives.",
            "“We will meet again,” Erdogan said at a news conference in Sochi on November 13, 2017.",
        ],
    ),
}


def test_every_rule_has_cases() -> None:
    assert set(CASES) == set(RULES_BY_ID)


@pytest.mark.parametrize(("rule_id", "line"), [(r, s) for r, (yes, _) in CASES.items() for s in yes])
def test_rule_fires(rule_id: str, line: str) -> None:
    assert RULES_BY_ID[rule_id].matches(line)


@pytest.mark.parametrize(("rule_id", "line"), [(r, s) for r, (_, no) in CASES.items() for s in no])
def test_rule_keeps_real_sentence(rule_id: str, line: str) -> None:
    assert not RULES_BY_ID[rule_id].matches(line)


@pytest.mark.parametrize(
    "sentence",
    [
        "Subscribers to the service rose 10% last year.",
        "Syria hopes to have Turkey by its side",
        "Russia and Turkey are on opposite sides of the Syrian conflict with Moscow flying a bombing campaign.",
        "Die Regierung will die Steuern senken, sagte der Minister am Montag in Berlin.",
        "Le gouvernement a annoncé une baisse des impôts lundi à Paris.",
        "El gobierno anunció el lunes una bajada de impuestos en Madrid.",
    ],
)
def test_no_rule_matches_article_sentences(sentence: str) -> None:
    assert first_match(sentence, RULES) is None


def test_first_match_follows_table_order() -> None:
    assert first_match("Subscribe to read the full story", RULES).id == "paywall_subscribe_to_read"


def test_rule_needs_exactly_one_matcher() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        LineRule("x", "d", "boilerplate")
    with pytest.raises(ValueError, match="kind"):
        LineRule("x", "d", "nonsense", pattern="a")


HOSTILE = [
    "a" * 1_000_000,
    ("{{ " * 20 + "x") * 30_000,
    ("News / " * 150_000),
    "(" * 1_000_000,
    "1" * 1_000_000,
    ("Photo: " + "a " * 60) * 8000,
]
SHORT = ["News / Syria / " + "x" * (i % 40) for i in range(50_000)] + [
    "{{" + " " * (i % 50) + "Subscribe to" for i in range(50_000)
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_fast_on_huge_line_and_many_lines(rule: LineRule) -> None:
    for line in HOSTILE:
        t = time.perf_counter()
        rule.matches(line)
        assert time.perf_counter() - t < 0.1, f"{rule.id} on a {len(line)}-char line"
    # the same hostile content, cut to the longest line the rule reads: the regex itself must be linear
    for line in HOSTILE:
        cut = line[: rule.max_chars]
        t = time.perf_counter()
        for _ in range(100):
            rule.matches(cut)
        assert time.perf_counter() - t < 0.1, f"{rule.id} on {rule.max_chars}-char hostile lines"
    best = float("inf")
    for _ in range(3):  # best of three: a shared CI core is noisy
        t = time.perf_counter()
        for line in SHORT:
            rule.matches(line)
        best = min(best, time.perf_counter() - t)
    assert best < 0.1, f"{rule.id} on 100,000 short lines: {best * 1000:.0f} ms"
