"""The second half of the line-rule table (``transforms.rules.table.RULES`` ends with it): footers,
notices and other page furniture around an article (copyright, disclosures, follow and contact lines,
embed placeholders), then the caption and photo-credit rules."""

from __future__ import annotations

from transforms.rules.core import LineRule
from transforms.rules.predicates import (
    _CREDIT_WORDS,
    _DISCLAIMER_SCREEN,
    _dated_scene_caption,
    _disclaimer,
    _photo_credit,
)

__all__ = ["NOTICE_RULES"]

NOTICE_RULES: tuple[LineRule, ...] = (
    # --- footers and notices ---
    LineRule(
        "alternate_address",
        "Site footer listing alternate addresses/mirrors of the site",
        "paywall",
        r"\b(?:can also be accessed at|alternate (?:addresses|domains)|mirror sites?)\b",
        max_chars=200,
        keywords=("accessed", "alternate", "mirror"),
    ),
    LineRule(
        "copyright_footer",
        "Copyright footer: '© 2024 Example Media. All rights reserved.'",
        "boilerplate",
        r"^(?:copyright|©|\(c\))\s?.{0,80}(?:\d{4}|rights reserved|alle rechte|tous droits|"
        r"todos los derechos)"
        r"|\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|"
        r"todos los derechos reservados)"
        r"\W{0,3}$"
        r"|^this (?:article|story|content|material) is (?:the )?copyrighted property of\b"
        r"|^(?:written )?permission must be obtained before (?:any )?(?:reprint|republication)"
        r"|^(?:copyright|©) ?: ?[^\n]{2,60}$",
        max_chars=200,
        keywords=(
            "copyright",
            "©",
            "(c)",
            "rights",
            "rechte",
            "droits",
            "derechos",
            "permission",
        ),
    ),
    LineRule(
        "footer_notice",
        "A copyright line that runs on into the site's legal notice: '© 2004-2019 All rights reserved. "
        "MNT is the registered trade mark of… Any medical information published on this website…'",
        "boilerplate",
        r"^(?:copyright|©|\(c\))\s?[^\n]{0,80}\b(?:all rights reserved|"
        r"alle rechte vorbehalten|tous droits réservés|todos los derechos reservados)\.\s[^\n]{0,320}$",
        max_chars=420,
    ),
    LineRule(  # anchored, no keywords: it joins the line-start dispatch (copyright_footer is a search)
        "reprint_notice",
        "Reprint/standards notice: 'Vervielfältigung nur mit Genehmigung', 'Materiał chroniony prawem…'",
        "boilerplate",
        r"^(?:materiał chroniony prawem autorskim|(?:vervielfältigung|nachdruck) nur mit (?:genehmigung|"
        r"zustimmung)|our standards: the thomson reuters trust principles)\b[^\n]{0,120}$",
        max_chars=200,
    ),
    LineRule(
        "disclaimer",
        "Syndication/auto-generation disclaimer: 'Disclaimer: No … journalist was involved…'",
        "boilerplate",
        predicate=_disclaimer,
        max_chars=400,
        screen=_DISCLAIMER_SCREEN,
    ),
    LineRule(
        "template_placeholder",
        "Unrendered template placeholder: '{{free_limit}}', '{% if %}', '${name}'",
        "boilerplate",
        r"\{\{ ?[\w.\-]{1,40} ?\}\}|\{% ?\w{1,20}|\$\{[\w.]{1,40}\}",
        max_chars=400,
        keywords=("{",),
    ),
    LineRule(
        "affiliate_disclosure",
        "Affiliate disclosure: 'We may receive compensation when you click…', 'erhalten wir eine Provision'",
        "boilerplate",
        r"\bwe (?:may )?(?:receive|earn|get|make) (?:a )?(?:small )?(?:compensation|commissions?|"
        r"affiliate commissions?)\b"
        r"|\b(?:erhalten|bekommen) wir (?:ggf\. |eventuell |unter umständen )?eine (?:kleine )?provision\b",
        max_chars=400,
        keywords=("compensation", "commission", "provision"),
    ),
    LineRule(
        "newsletter_prompt",
        "Newsletter box the sign-up rules miss: its heading ('PC Gamer Newsletter', 'GET THE BOING BOING "
        "NEWSLETTER'), its pitch ('… delivered to your inbox', '… direkt in dein Postfach!', 'No spam, we "
        "promise.')",
        "boilerplate",
        # a heading: at most five words before "newsletter", no sentence end ("The newsletter, which …" is
        # prose and stays)
        r"^(?:[\w'’&.+-]{1,30} ){0,5}[\w-]{0,30}newsletter$"
        r"|^(?:get|receive|join) (?:the|our|my) [^.!?\n]{0,60}\bnewsletter\b[^\n]{0,120}$"
        r"|^[^\n]{0,120}\b(?:delivered|straight|directly|right|sent) (?:to|in|into) your (?:e-?mail )?inbox\b"
        r"[^\n]{0,80}$"
        r"|^[^\n]{0,120}\bdirekt (?:in|ins) (?:dein|ihr|euer)e?[sn]? (?:e-mail-|mail-?)?postfach\b"
        r"[^\n]{0,40}$"
        r"|^no spam[,.!]",
        max_chars=240,
        keywords=("newsletter", "inbox", "postfach", "spam"),
    ),
    LineRule(
        "social_follow",
        "Follow prompt: 'Follow The Gleaner on Twitter…', 'Folgen Sie uns auf Facebook', 'Síguenos en'",
        "boilerplate",
        # "us", or a name followed by a handle or a second network ("Follow the money on Twitter, …" stays)
        r"^follow (?:us|me) on (?:twitter|facebook|instagram|linkedin|tiktok|youtube|threads|telegram)\b"
        r"[^\n]{0,240}$"
        r"|^follow (?:the )?[\w'’.&-]{1,30} on (?:twitter|facebook|instagram|linkedin|tiktok|youtube)\b"
        r"[^.!?\n]{0,60}?(?:@\w|\b(?:and|&|,) (?:on )?"
        r"(?:twitter|facebook|instagram|linkedin|tiktok|youtube)\b)"
        r"[^\n]{0,200}$"
        r"|^(?:folgen sie uns|folge uns|síguenos|siguenos|suivez-nous|seguici|siga-nos|obserwuj nas) "
        r"(?:auf|en|sur|su|no|na)\b[^\n]{0,200}$",
        max_chars=300,
    ),
    LineRule(
        "embed_consent",
        "Placeholder of a blocked embed or player: 'Klicken Sie auf den Button, um den Inhalt von X zu "
        "laden', 'Please enable JavaScript to view the comments'",
        "boilerplate",
        r"^(?:klicken sie auf den (?:unteren |folgenden )?button,? um (?:den )?inhalte? (?:von|aus) "
        r"[^\n]{1,80} zu laden|click (?:on )?the button (?:below )?to load the content (?:from|of) "
        r"[^\n]{1,80}|mit dem laden des inhalts akzeptieren sie\b[^\n]{0,120}|inhalt laden|load content|"
        r"(?:to view this (?:video|content|map) )?please (?:enable|turn on|activate) javascript\b"
        r"[^\n,]{0,120}|"
        r"(?:javascript|js) (?:is (?:disabled|required|not enabled)|must be enabled)(?: (?:in|on) your "
        r"browser)?(?:\.? (?:please )?enable it[^\n,]{0,40})?|"
        r"(?:your|this) browser does not support (?:the )?(?:video|audio|html5|iframes?)(?: tag| element| "
        r"playback)?|"
        r"bitte aktivieren sie javascript\b[^\n,]{0,120})"
        r"\W{0,3}$",
        max_chars=200,
    ),
    LineRule(
        "reading_time",
        "Reading-time line: '5 min read', 'Lesezeit: 3 Minuten', 'Ten tekst przeczytasz w 2 minuty'",
        "boilerplate",
        r"^(?:(?:lesezeit|lesedauer|reading time|read time|temps de lecture|tiempo de lectura|czas czytania)"
        r" ?:? ?(?:ca\. ?|about |circa )?\d{1,3} ?(?:min(?:ute)?[ns]?|minutos?)\.?"
        r"|\d{1,3} ?(?:min(?:ute)?s?\.?|minuten?|minutos?) (?:read|lesezeit|lesen|de lecture|de lectura)"
        r"|ten tekst przeczytasz w [^\n]{1,40})$",
        max_chars=80,
    ),
    LineRule(
        "letters_prompt",
        "Reader prompts: 'We want to hear what you think about this article', 'Submit a letter to…', "
        "'Was this article helpful?', 'Comments are moderated…', 'Tell us in the comments'",
        "boilerplate",
        r"^(?:we want to hear what you think about this (?:article|story)|submit (?:a |your )?letters? to "
        r"the editor)\b[^\n]{0,160}$"
        r"|^(?:was this (?:article|page|story|post|information) (?:helpful|useful)|"
        r"did you (?:find|like) this (?:article|story)(?: helpful| useful)?|"
        r"war (?:der|dieser|die|diese) (?:artikel|beitrag|seite|information) (?:hilfreich|nützlich)|"
        r"(?:möchten sie|willst du) (?:den|diesen) (?:artikel|beitrag) "
        r"teilen|cet article vous a-t-il (?:été utile|plu)|¿(?:te|le) (?:ha )?(?:resultado|sido) útil "
        r"(?:este|esta) (?:artículo|nota|información))\s?\??$"
        r"|^(?:(?:all |reader )?comments (?:are|will be) (?:moderated|pre-moderated|reviewed before "
        r"(?:they|being) (?:appear|publish|post)\w{0,4})|"
        r"please (?:understand|note) that (?:all )?comments\b|"
        r"some comments may be (?:republished|published|reprinted)\b|"
        r"(?:we|the editors?) reserve the right to (?:remove|edit|delete|reject) (?:any )?comments\b|"
        r"(?:para|pour) (?:comentar|commenter),? (?:debes|tienes que|es necesario|vous devez)\b|"
        r"kommentare werden (?:moderiert|vor der veröffentlichung geprüft)\b)[^\n,]{0,240}$"
        r"|^(?:tell|let) us (?:know )?(?:what you think )?(?:below |down )?in the comments"
        r"(?: below| section)?\W{0,3}$"
        r"|^(?:share|leave) (?:your (?:thoughts|comments|views)|a comment)(?: below| in the comments"
        r"(?: section)?)?\W{0,3}$",
        max_chars=300,
    ),
    LineRule(
        "notification_prompt",
        "Browser push-notification ask: 'POPSUGAR Would Like To Send You Push Notifications', 'Allow "
        "notifications'",
        "boilerplate",
        r"^[^\n]{1,40} would like to send you (?:push )?notifications\W{0,3}$"
        r"|^(?:allow|enable|turn on|get) (?:push |browser )?notifications\W{0,3}$",
        max_chars=100,
        keywords=("notifications",),  # its first branch may start anywhere: only lines with the word pay
    ),
    LineRule(
        "contact_line",
        "Contact block line: 'Telefon: +49 40 300 30', 'Fax: 030/1234', 'Pressekontakt:', 'Media contact'",
        "boilerplate",
        r"^(?:tel(?:efon|éfono|éphone|\.)?|phone|fax|mobil(?:e|telefon)?|handy|tél\.?) ?: ?"
        r"\+?[\d ()/+.–-]{6,30}$"
        r"|^(?:kontakt|contact|contacto|pressekontakt|medienkontakt|press contact|media contact|"
        r"ansprechpartner(?:in)?(?: zum thema)?) ?:?$",
        max_chars=60,
    ),
    # --- captions and photo credits ---
    LineRule(
        "photo_credit",
        "Caption ending in a photo credit: '(Photo by Reuters)', '©AFP', 'Foto: dpa', 'Getty Images'",
        "caption",
        predicate=_photo_credit,  # its own prefilters look at the tail it reads
        max_chars=500,
        screen=_CREDIT_WORDS,  # it needs one of them in the tail
    ),
    LineRule(
        "figure_caption",
        "Numbered figure caption or lead-image credit: 'Abbildung 4: …', 'Fig. 2.', 'Titelbild: dpa'",
        "caption",
        r"^(?:abbildung|abb\.|figure|fig\.|grafik|figura|gráfico|illustration) ?\d{1,3}[a-z]? ?[:.–-] ?"
        r"\S[^\n]{0,300}$"
        r"|^(?:titelbild|titelfoto|beitragsbild|aufmacherbild|headerbild|featured image|cover image|"
        r"header image|image illustrative) ?: ?[^\n]{1,100}$",
        max_chars=400,
    ),
    LineRule(
        "caption_position",
        "Caption with a position marker: 'Vladimir Putin (L) shakes hands…', '(l.)', '(à gauche)', '(izq.)'",
        "caption",
        r"\((?:l|r|c|left|right|centre|center|front|back|top|bottom|\d(?:st|nd|rd|th) (?:l|r|left|right)"
        r"|l to r|l-r"
        r"|l\.|r\.|m\.|links|rechts|mitte|v\. ?l\.(?: ?n\. ?r\.)?"  # de
        r"|à gauche|à droite|au centre|de g\. à d\."  # fr
        r"|izq\.|izda\.|der\.|dcha\.|centro|a la izquierda|a la derecha|de izq\. a dcha\.)\)",  # es
        max_chars=400,
        keywords=("(",),
    ),
    LineRule(
        "caption_dated_scene",
        "One present-tense scene sentence ending on a date (photo caption without credit, en/de/fr/es)",
        "caption",
        predicate=_dated_scene_caption,
        max_chars=400,
    ),
)
