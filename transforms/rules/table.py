"""The table of line rules, one named rule per kind of boilerplate (the package docstring says how rules
are bounded and what each kind does)."""

from __future__ import annotations

from transforms.rules.core import LineRule
from transforms.rules.notices import NOTICE_RULES
from transforms.rules.predicates import _SHARE_CORE, _share_widget

__all__ = ["RULES", "RULES_BY_ID"]

_PRICE = r"(?:[$€£¥₹]|rs\.?|usd|eur|inr)"

RULES: tuple[LineRule, ...] = (
    # --- paywall markers (open a paywall block) ---
    LineRule(
        "paywall_limit",
        "Metered paywall: 'You've reached your limit of N free articles' (en/de/fr/es)",
        "paywall",
        r"^(?:you(?:'|’)ve|you have) (?:reached|hit|used)\b.{0,50}\b(?:free (?:articles?|stories|reads)|"
        r"article limit|"
        r"\{\{)"
        r"|^sie haben (?:ihr|das|die)\b.{0,60}\b(?:limit|kostenlosen? artikel|maximale anzahl)"
        r"|^vous avez (?:atteint|consulté)\b.{0,60}\b(?:limite|articles? gratuits?)"
        r"|^(?:has|ha) (?:alcanzado|llegado)\b.{0,60}\b(?:límite|artículos? gratuitos?)",
        max_chars=200,
    ),
    LineRule(
        "paywall_subscribe_to_read",
        "Hard paywall: 'Subscribe to read the full story', 'for subscribers only' (en/de/fr/es)",
        "paywall",
        r"^(?:please )?(?:subscribe|sign up|register|log ?in|sign in) (?:now )?(?:to|and) "
        r"(?:read|continue reading|keep reading|unlock|access|get full access)\b"
        r"|^(?:to )?continue reading,? (?:please )?(?:subscribe|sign in|log ?in|register)"
        r"|^(?:this (?:article|story|content) is )?(?:(?:only )?(?:available )?(?:exclusively )?for|"
        r"reserved for)"
        r" (?:premium |paying |digital )?(?:subscribers|members)(?: only)?\b"
        r"|^(?:dieser|der) (?:artikel|beitrag|inhalt) ist (?:nur |exklusiv )?für (?:abonnenten|abonnentinnen|"
        r"abonnierende|plus-|\w{1,20}\+?-?leser)"
        r"|^(?:jetzt )?(?:abonnieren|abo abschließen|testen) und (?:weiterlesen|weiter lesen)"
        r"|^(?:weiterlesen|lesen sie weiter) mit\b"
        r"|^(?:cet|l'|l’)\s?(?:article|contenu) (?:est )?(?:réservé|exclusivement réservé) aux abonnés"
        r"|^il vous reste \d{1,3} ?% de cet article"
        r"|^(?:abonnez-vous|inscrivez-vous) pour (?:lire|continuer)"
        r"|^(?:este|el) (?:contenido|artículo) es (?:exclusivo )?(?:para|solo para) (?:suscriptores|socios)"
        r"|^(?:suscríbete|suscribete|regístrate) (?:para|y) (?:seguir leyendo|leer|continuar)"
        r"|^to (?:view|read|access|see) (?:the|this) (?:full|entire|whole|rest of the) (?:story|article)\b"
        r"[^\n]{0,30}\b(?:subscribe|sign in|log ?in|register)"
        r"|^pour (?:lire la suite|accéder en illimité|accéder à la suite)\b",
        max_chars=200,
    ),
    # --- subscription, login, newsletter, cookie prompts ---
    LineRule(
        "subscribe_prompt",
        "Short subscription call to action: 'Subscribe now for unlimited access', 'Start your free trial'",
        "boilerplate",
        r"^(?:subscribe|subscription|start (?:your )?(?:free )?trial|try (?:it )?(?:for )?free|"
        r"get (?:unlimited|"
        r"full|digital) access|unlock (?:unlimited|full|this)|become a (?:subscriber|member)|support (?:our|"
        r"independent) journalism|jetzt (?:abonnieren|abo|testen|gratis testen|registrieren)|abonnieren sie|"
        r"abonnez-vous|je m'abonne|je m’abonne|s'abonner|suscríbete|suscribete|hazte (?:socio|suscriptor))\b"
        r"[^.!?]{0,80}[.!?→»]?\s*$"
        r"|^(?:enjoy unlimited digital access|(?:only|just) [$€£]\d{1,3}(?:[.,]\d\d)? for "
        r"(?:your |the )?first (?:month|week|year|\d{1,2} (?:weeks|months)))\W{0,3}$",
        max_chars=120,
    ),
    LineRule(
        "plan_terms",
        "Subscription plan terms: 'Renews automatically, cancel anytime', 'per month, billed annually'",
        "boilerplate",
        r"^(?:renews automatically|auto-?renews|cancel (?:at )?any ?time|billed (?:annually|monthly|yearly)|"
        r"jederzeit kündbar|monatlich kündbar|sans engagement|résiliable à tout moment|"
        r"cancela cuando quieras|"
        r"sin permanencia)\b[^.!?]{0,60}[.!]?$"
        r"|^here(?:'|’)s what(?:'|’)s included in\b",
        max_chars=120,
    ),
    LineRule(
        "price_line",
        "A price on its own: '₹900', '$4.99/month', '9,99 € pro Monat'",
        "boilerplate",
        rf"^(?:(?:only |just |nur |seulement |solo )?{_PRICE} ?\d{{1,6}}(?:[.,]\d{{1,3}}){{0,2}}|"
        rf"\d{{1,6}}(?:[.,]\d{{1,3}}){{0,2}} ?{_PRICE})"
        r"(?: ?(?:/|per|a|pro|par|al|por) ?(?:month|mo|year|yr|week|monat|jahr|woche|mois|an|semaine|mes|año|"
        r"semana))?\.?\*?$",
        max_chars=40,
    ),
    LineRule(
        "login_prompt",
        "Login nag: 'Already subscribed? Log in', 'Sign in', 'Bereits Abonnent? Anmelden' (en/de/fr/es)",
        "boilerplate",
        r"^(?:already (?:a )?(?:subscribed|subscriber|member|registered|have an account)\??|"
        r"have an account\?|"
        r"bereits (?:abonnent(?:in)?|registriert|kunde)\??|schon (?:abonnent|registriert)\??|"
        r"déjà (?:abonné|inscrit)(?:\s?\?)?|¿?ya (?:eres|estás) (?:suscriptor|registrado)\??)"
        r"\s*(?:[-–|]\s*)?(?:log ?in|sign ?in|login|anmelden|einloggen|hier anmelden|se connecter|"
        r"connectez-vous|"
        r"inicia sesión|iniciar sesión|entrar)?[.!→ ]{0,3}$"
        r"|^(?:log ?in|sign ?in|login|register|anmelden|einloggen|registrieren|se connecter|connexion|"
        r"s'inscrire|iniciar sesión|inicia sesión|registrarse)(?:\s?(?:/|\||or|oder|ou|o)\s?"
        r"(?:register|sign up|subscribe|registrieren|abonnieren|s'inscrire|s’abonner|registrarse|"
        r"suscribirse))?$",
        max_chars=80,
    ),
    LineRule(
        "newsletter_box",
        "Newsletter sign-up box: 'Sign up for our newsletter', 'Newsletter abonnieren' (en/de/fr/es)",
        "boilerplate",
        r"^(?:sign up|subscribe|register) (?:for|to) (?:our|the|a)\b.{0,40}\b(?:newsletter|briefing|email|"
        r"alerts?|digest)"
        r"|^(?:get|receive) (?:the|our) .{0,40}\b(?:newsletter|briefing|headlines)\b.{0,40}(?:inbox|email)"
        r"|^(?:enter your e-?mail(?: address)?|your e-?mail address|e-?mail address)\b.{0,30}$"
        r"|^newsletters?(?: (?:abonnieren|bestellen|anmelden))?$"
        r"|^(?:jetzt )?(?:zum |für den )?newsletter (?:anmelden|abonnieren|bestellen)"
        r"|^(?:inscrivez-vous|abonnez-vous) à (?:notre|la) (?:newsletter|lettre)"
        r"|^(?:suscríbete|suscribete|apúntate) a (?:nuestro|nuestra|la|el) (?:newsletter|boletín)"
        r"|^sign up (?:now |today |here )?to (?:get|receive)\b"
        r"|^never miss\b.{0,60}\b(?:newsletter|sign(?:ing)? up|subscrib)"
        r"|^get\b.{0,60}\bby e-?mail\b.{0,80}\b(?:sign up|subscribe)\W{0,3}$",
        max_chars=160,
    ),
    LineRule(
        "cookie_notice",
        "Cookie/consent banner: 'We use cookies…', 'Accept all' (en/de/fr/es)",
        "boilerplate",
        r"^(?:this (?:web)?site uses cookies|we (?:use|"
        r"and our partners use) cookies(?: and similar \w{1,15})?"
        r" (?:to|on|so|for)\b|by (?:continuing to "
        r"(?:use|browse)|using) (?:this|our) (?:site|website)\b.{0,40}\bcookies|"
        r"(?:diese|unsere) (?:website|webseite|seite) (?:verwendet|nutzt) cookies|wir (?:verwenden|nutzen|"
        r"setzen) cookies|"
        r"ce site (?:web )?utilise des cookies|nous utilisons des cookies|en poursuivant votre navigation|"
        r"(?:este|nuestro) sitio web (?:utiliza|usa) cookies|(?:utilizamos|usamos) cookies)"
        r"|^(?:accept|reject|allow|decline)(?: all)?(?: cookies)?$|^cookie (?:settings|policy|preferences)$"
        r"|^(?:alle )?(?:akzeptieren|ablehnen)$|^cookie-einstellungen$|^tout (?:accepter|refuser)$"
        r"|^(?:aceptar|rechazar)(?: todas?)?(?: las cookies)?$|^(?:manage|customi[sz]e) (?:cookies|consent|"
        r"preferences|options)$",
        max_chars=400,
    ),
    LineRule(
        "paywall_counter",
        "Metered-paywall counter: 'You've read 3 stories this month', '2 of 5 free articles' (en/de/fr/es)",
        "boilerplate",
        r"^(?:you(?:'|’)ve read|you have read|you have) (?:\d{1,3}|one|two|three|four|five)\b"
        r"[^.!?]{0,40}\b(?:articles?|stories|free|left|remaining)\b[^.!?,]{0,60}[.!?]?$"
        r"|^(?:this is )?your (?:\d{1,3}(?:st|nd|rd|th)|first|second|third|last) "
        r"free (?:article|story)\b.{0,60}$"
        r"|^\d{1,3} (?:of|/|von) \d{1,3} (?:free |kostenlosen? |gratuits? )?(?:articles?|stories|artikeln?)"
        r"\b.{0,60}$"
        r"|^(?:sie haben|du hast) (?:bereits |noch )?(?:\d{1,3}|einen?|zwei|drei)\b"
        r".{0,40}\b(?:artikeln?|beiträgen?)\b.{0,60}$"
        r"|^(?:thanks for reading[!.,]? )?you have (?:\d{1,3}|one|two|three) free (?:articles?|stories)"
        r" (?:left|remaining)(?: (?:this|for the) (?:month|week))?[.!]?$"
        r"|^free (?:articles?|stories) (?:left|remaining):? ?\d{1,3}\W{0,3}$"
        r"|^il vous reste \d{1,3} articles?\b.{0,60}$"
        r"|^(?:te|le) quedan? \d{1,3} (?:artículos?|noticias)\b.{0,60}$",
        max_chars=160,
    ),
    LineRule(
        "donation_prompt",
        "Donation/membership prompt: 'Help us deliver journalism…', 'Become a member from £4 a month'",
        "boilerplate",
        r"^(?:please )?(?:donate|give) (?:now|today|to (?:us|our|the)\b)[^\n]{0,80}$"
        r"|^(?:please )?support (?:us|our (?:work|journalism|newsroom|reporting)|independent journalism|"
        r"local (?:journalism|news)|quality journalism)\b[^\n]{0,160}$"
        r"|^help us (?:deliver|keep|fund|continue|produce|do)\b"
        r".{0,80}\b(?:journalism|reporting|news|coverage|newsroom)\b.{0,120}$"
        r"|^become a (?:sustaining |founding )?(?:member|supporter|patron|subscriber)"
        r"(?:\W{0,3}$|(?: today| now)?\s?(?:from|for|and|to|"
        r"—|-|–|:|,)\s[^.!?]{0,100}[.!?]?$)"
        r"|^(?:make a|your) (?:one-off |one-time |single |monthly |annual )?(?:contribution|donation|gift)\b"
        r".{0,80}$"
        r"|^your support (?:matters|makes (?:this|it|our \w{1,15}) possible|is (?:vital|crucial|essential))"
        r"(?: to (?:us|our \w{1,20}))?[.!]?(?: [^\n,]{0,120})?$"
        r"|^we (?:rely|depend) on (?:readers|supporters|donations|members|the support of)\b[^\n,]{0,80}"
        r"\b(?:you|your|our (?:journalism|reporting|work|newsroom|mission))\b[^\n,]{0,80}$"
        r"|^if you (?:value|appreciate|enjoy(?:ed)?|like(?:d)?) (?:our|this|what we do)(?: \w{1,20}){0,4},? "
        r"(?:please )?(?:consider |help |support |donat|contribut|subscrib|become)[^\n]{0,100}$"
        r"|^(?:contribute|donate) (?:now|today|to support (?:us|our|independent|local|quality|this))"
        r"[^\n,]{0,80}$"
        r"|^(?:choose|select|pick) (?:an|your) (?:amount|donation amount|contribution)\W{0,3}$"
        r"|^yes,? i(?:'|’)(?:ll| will| want to) (?:donate|give|contribute)\b[^\n,]{0,40}$"
        r"|^join (?:our (?:community|family) of|the \d[\d,.]{0,9}k?) (?:supporters|members|donors|readers)"
        r"\b[^\n,]{0,100}$"
        r"|^(?:jetzt |einfach )?spenden\b.{0,60}$|^unterstützen sie (?:uns|unsere arbeit|unabhängigen "
        r"journalismus|\w{1,20}\.\w{2,4})\b.{0,120}$|^werden sie (?:mitglied|unterstützer)\b.{0,80}$"
        r"|^soutenez(?:-nous| notre| le journalisme)\b.{0,100}$|^faire un don\b.{0,60}$"
        r"|^(?:hazte|hágase) (?:socio|miembro|mecenas)\b.{0,80}$|^apoya (?:nuestro|el) periodismo\b.{0,80}$",
        max_chars=300,
    ),
    LineRule(
        "signin_prompt",
        "Sign-in and visitor widgets: 'Sign in to comment', 'Create a free account', 'Welcome, guest'",
        "boilerplate",
        r"^(?:please )?(?:sign|log) ?(?:in|up) (?:to|or|with|for)\b[^.!?]{0,50}[.!?]?$"
        r"|^(?:create|open) (?:a |an |your )?(?:free )?account\b[^.!?]{0,40}[.!?]?$"
        r"|^register (?:for free|now|here)\b[^.!?]{0,40}[.!?]?$"
        r"|^(?:welcome|hello|hi),? (?:visitor|guest|reader)\b[^.!?]{0,40}[.!?]?$"
        r"|^you are (?:not )?(?:currently )?(?:logged|signed) (?:in|out)\b[^.!?]{0,40}[.!?]?$"
        r"|^if you(?:'|’)re\b.{0,40}\balready (?:a )?(?:subscriber|member)\b.{0,80}$"
        r"|^you (?:must|need to) be (?:logged|signed) in to (?:post a |leave a |write a )?comment\b.{0,40}$"
        r"|^um [^.!?]{1,60} kommentieren zu können,? (?:müssen|muss) (?:sie|du) "
        r"(?:eingeloggt|angemeldet) sein\W{0,3}$"
        r"|^(?:sie müssen|du musst) (?:eingeloggt|angemeldet) sein,? um\b.{0,60}\bkommentieren\b.{0,20}$"
        r"|^(?:continue|sign (?:in|up)|log ?in) with (?:google|facebook|apple|twitter|email|e-mail|x)\W{0,3}$"
        r"|^(?:forgot (?:your )?password\??|my account|my profile|keep me (?:logged|signed) in|"
        r"not a (?:member|subscriber)\?.{0,40}|"
        r"don(?:'|’)t have an account\?.{0,40}|need an account\?.{0,40}|anmelden oder registrieren|"
        r"(?:noch )?kein konto\?.{0,40}|mein konto|passwort vergessen\??|mon compte|mi cuenta)$",
        max_chars=160,
    ),
    LineRule(
        "weather_widget",
        "Weather and opening-hours widgets: '72°F Sunny', 'Mon-Fri: 9am - 5pm', 'Öffnungszeiten: …'",
        "boilerplate",
        r"^-?\d{1,3} ?°(?: ?[cf])?(?:\s?/\s?-?\d{1,3} ?°(?: ?[cf])?)?(?:\s[\w ,.-]{0,30})?$"
        r"|^(?:weather|wetter|météo|el tiempo|forecast)\b.{0,40}-?\d{1,3} ?°.{0,30}$"
        r"|^(?:sunny|cloudy|partly cloudy|mostly (?:sunny|cloudy)|rain|showers|clear|overcast|fog|snow|"
        r"thunderstorms?|sonnig|bewölkt|regen)\s?-?\d{1,3} ?°.{0,20}$"
        r"|^(?:opening hours|office hours|hours|öffnungszeiten|horaires(?: d'ouverture)?|horario)\s?:.{0,80}$"
        r"|^(?:partly (?:cloudy|sunny)|mostly (?:sunny|cloudy|clear)|scattered (?:showers|thunderstorms))$"
        r"|^(?:sunny|cloudy|partly (?:cloudy|sunny)|mostly (?:sunny|cloudy|clear)|clear|overcast|showers|"
        r"light rain|scattered (?:showers|thunderstorms)|thunderstorms|fair),? -?\d{1,3} ?°.{0,20}$"
        r"|^(?:\d{1,2}-day|hourly|extended) (?:weather )?forecast\W{0,3}$"
        r"|^(?:weather (?:alerts?|radar)|live radar|interactive radar)\W{0,3}$"
        r"|^(?:chance of (?:rain|snow|showers|precipitation)|precip(?:itation)?|humidity|wind|uv index|"
        r"feels like|dew point|visibility|sunrise|sunset)\s?:?\s?(?:[nsew]{1,3} )?-?\d{1,3}"
        r"(?:[:.]\d\d)?\s?(?:%|°[cf]?|mph|km/h|mi|am|pm|a\.m\.|p\.m\.)?(?: ?(?:am|pm))?$"
        r"|^(?:hi|high|h):? ?-?\d{1,3} ?°[cf]?\s?[|/,]?\s?(?:lo|low|l):? ?-?\d{1,3} ?°[cf]?$"
        r"|^open today (?:until|till) \d{1,2}(?:[:.]\d\d)? ?(?:a\.?m\.?|p\.?m\.?)$"
        r"|^(?:mon|tue|wed|thu|fri|sat|sun|mo|di|mi|do|fr|sa|so|lun|mar|mer|jeu|ven|sam|dim)[a-z.]{0,7}"
        r"(?:\s?[-–]\s?[a-z]{2,9}\.?)?\s?:?\s?\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm|uhr|h)?\s?[-–]\s?"
        r"\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm|uhr|h)?$",
        max_chars=120,
    ),
    LineRule(
        "newsletter_de",
        "German newsletter prompt: 'Melden Sie sich für unseren Newsletter an', 'Ihre E-Mail-Adresse'",
        "boilerplate",
        r"^(?:jetzt |hier )?(?:melden sie sich|registrieren sie sich|tragen sie sich) "
        r"(?:jetzt |hier |kostenlos )?(?:für|zu|zum|bei) (?:unseren?|den|dem|unserem) "
        r"[^.!?]{0,40}newsletter\b[^\n]{0,120}$"
        r"|^(?:abonnieren|bestellen) sie (?:jetzt |hier |kostenlos )?(?:unseren?|den) "
        r"[^.!?]{0,40}newsletter\b[^\n]{0,120}$"
        r"|^(?:hier |jetzt )?(?:zum|für den) [^.!?]{0,30}newsletter "
        r"(?:anmelden|abonnieren|registrieren)\b.{0,60}$"
        r"|^(?:jetzt )?(?:kostenlos(?:en)? )?(?:[\w-]{1,30}-)?newsletter(?: kostenlos)? "
        r"(?:abonnieren|bestellen|anmelden|erhalten)\b.{0,60}$"
        r"|^newsletter ?: ?(?:jetzt |hier )?(?:anmelden|abonnieren|bestellen|registrieren)\b.{0,80}$"
        r"|^(?:ja,? )?ich möchte (?:den|einen|unseren) [^.!?]{0,30}newsletter\b[^\n,]{0,80}$"
        r"|^mit (?:dem|unserem) [^.!?]{0,30}newsletter (?:nichts|keine \w{1,20}) (?:mehr )?verpassen\b"
        r".{0,60}$"
        r"|^hier (?:können sie sich|kannst du dich) (?:kostenlos )?für (?:den|unseren) [^.!?]{0,30}newsletter"
        r"\b.{0,80}$"
        r"|^[\w-]{0,30}newsletter-?(?:anmeldung|abo|bestellung)\W{0,3}$"
        r"|^mit (?:der|ihrer|deiner) (?:anmeldung|registrierung) (?:akzeptieren|bestätigen|stimmen) "
        r"(?:sie|du)\b[^\n,]{0,60}\b(?:datenschutz|nutzungsbedingungen|agb|einwilligung|newsletter)"
        r"[^\n]{0,60}$"
        r"|^(?:eine )?abmeldung (?:ist )?(?:jederzeit|immer) (?:möglich|kostenlos)[^\n,]{0,60}$"
        r"|^(?:ihre|deine) e-?mail-?adresse\b.{0,40}$"
        r"|^mit (?:unserem|dem kostenlosen) [^.!?]{0,30}newsletter\b.{0,100}$",
        max_chars=260,
        keywords=("newsletter", "mail", "anmeldung", "abmeldung", "registrierung"),
    ),
    LineRule(
        "ad_marker",
        "Ad and widget markers: 'Advertisement', 'Buy photo', 'Posted!', 'less', 'Now watching', '1 of 5'",
        "boilerplate",
        r"^(?:advertisement|advertising|advert|ad|ads|anzeige|werbung|publicité|publicidad|"
        r"sponsored(?: content)?|paid (?:content|post)|buy (?:this )?photo|posted!|less|more|"
        r"show (?:more|less)|read less|"
        r"view (?:photo|photos|gallery|comments?|image)|now (?:watching|playing)|up next|skip ad|close ad|"
        r"story continues below(?: advertisement)?|article continues below(?: advertisement)?|"
        r"continue reading (?:below|the main story)|"
        r"next video starts in\b.{0,20}|(?:photo|image|slide) \d{1,3} (?:of|/) \d{1,3}|"
        r"\d{1,3} (?:of|/) \d{1,3}|"
        r"\d{1,6} comments?|comments? \(\d{1,6}\)|(?:\d{1,6} )?(?:shares?|likes?|views?)|"
        r"video (?:ad )?feedback|report this ad|ad feedback|skip advertisement|"
        r"(?:article|story) continues (?:below|after) (?:this )?(?:ad|advertisement)|"
        r"scroll (?:down )?to continue(?: with content| reading)?|(?:hide|show|toggle) (?:caption|comments)|"
        r"enlarge this image|click to (?:expand|enlarge)|loading|replay(?: video)?|play video|watch now|"
        r"watch (?:the )?video|buy now|shop now|learn more|close|open in (?:app|new window))\W{0,3}$",
        max_chars=60,
    ),
    LineRule(
        "separator_line",
        "A separator: a line of '_', '*', '…', '=', '-' or bullets only ('* * *', '____', '……')",
        "boilerplate",
        r"^(?:[_*…=~\-–—•·.#+|/\\<>◆◇♦]\s?){2,200}$|^…$",
        max_chars=400,
    ),
    # --- navigation ---
    LineRule(
        "skip_link",
        "Accessibility/navigation links: 'Skip to content', 'Skip to toolbar', 'Zum Inhalt springen'",
        "boilerplate",
        r"^(?:skip to (?:main )?(?:content|navigation|toolbar|search|footer)|jump to (?:content|navigation)|"
        r"zum (?:inhalt|hauptinhalt|seitenanfang)(?: springen)?|aller au (?:contenu|menu)|"
        r"saltar al (?:contenido|menú)|back to top|nach oben|retour en haut|volver arriba|"
        r"inhaltsverzeichnis|(?:table of )?contents|sommaire|índice de contenidos?|spis treści)\W{0,3}$",
        max_chars=60,
    ),
    LineRule(
        "breadcrumb",
        "Breadcrumb trail: 'News / Syria', 'Home > World > Europe'",
        "boilerplate",
        # possessive word runs ({1,25}+): a separator never starts with a word character, so giving back
        # part of a word or of a phrase can never let the rest match; without them prose backtracks a lot
        r"^[\w&'’.-]{1,25}+(?:[ \u00a0][\w&'’.-]{1,25}+){0,3}+"
        r"(?:(?:[ \u00a0]{1,4}(?:/|>|\|)[ \u00a0]{1,4}|[ \u00a0]{0,4}[›»][ \u00a0]{0,4})"
        r"[\w&'’.-]{1,25}+(?:[ \u00a0][\w&'’.-]{1,25}+){0,3}+){1,6}$",
        max_chars=100,
    ),
    LineRule(
        "read_more",
        "Lead to another article: 'Read More:', 'Related:', 'Lesen Sie auch', 'Lire aussi', 'Lee también'",
        "boilerplate",
        r"^(?:read more|read also|also read|read next|more reading|related(?: articles?| stories| content| "
        r"news| coverage| posts| links| topics)?|see also|recommended(?: for you| stories)?|more (?:stories|"
        r"news)|"
        r"most (?:read|popular|viewed)|trending(?: now| stories)?|top stories|editor(?:'|’)s picks|"
        r"you may also like|around the web|from (?:our|the) partners|"
        r"(?:die )?meist(?:gelesenen?|geklickten?|kommentierten?) (?:artikel|beiträge|nachrichten|news)|"
        r"sponsored stories|"
        r"you might also like|lesen sie (?:auch|mehr)|mehr zum thema|auch interessant|das könnte sie auch "
        r"interessieren|weitere artikel|lire aussi|à lire aussi|a lire aussi|sur le même sujet|voir aussi|"
        r"lire la suite|lee también|leer más|te puede interesar|noticias relacionadas|más noticias|"
        r"continue reading|weiterlesen|more on this (?:story|topic)|more like this|related reading|"
        r"you may also be interested in|mehr themen|schon gelesen\??|empfohlene (?:beiträge|artikel)|"
        r"ähnliche (?:beiträge|artikel)|das könnte dich auch interessieren|"
        r"weitere (?:beiträge|artikel|meldungen|nachrichten)(?: [\w -]{1,40})?|à lire également|"
        r"sur le même thème|más sobre(?: [\w -]{1,40})?|te puede interesar también|"
        r"lea (?:también|además|más)|(?:le|te) (?:puede|podría) interesar|(?:también )?te puede interesar|"
        r"vea también|ve también|puedes ver|(?:notas|artículos|temas|noticias) relacionad[oa]s|"
        r"contenido relacionado|leia (?:também|mais)|veja (?:também|mais)|saiba mais|"
        r"(?:notícias|matérias) relacionadas|leggi anche|potrebbe interessarti|articoli correlati|"
        r"(?:czytaj|przeczytaj) (?:też|także|również|więcej)|zobacz (?:też|także|również)|"
        r"lees (?:ook|meer)|auch lesen|lies auch|lesen sie (?:hier|dazu)|"
        r"das thema könnte (?:dich|sie) auch interessieren)"
        r"(?:\s?[:»›>→|]\s?[^\n]{0,160}|\W{0,3})$"
        r"|^(?:lea|lee|mire|mira|vea|leia|veja|leggi|lees) ?: ?\w[^\n]{0,160}$"
        r"|^more (?:from|in) [\w'’ &.-]{1,40}$|^(?:latest|more) (?:headlines|videos)\W{0,3}$",
        max_chars=200,
    ),
    LineRule(
        "share_widget",
        "Share/print/comment widget text: 'Share this article', 'Facebook Twitter WhatsApp', 'shared on'",
        "boilerplate",
        predicate=_share_widget,
        max_chars=120,
        screen=tuple(sorted(_SHARE_CORE)),  # every word a share word, one of them a core one
    ),
    LineRule(
        "app_promo",
        "App/TV platform links: 'Press TV News Roku', 'Download our app on Google Play'",
        "boilerplate",
        r"^(?:download (?:our|the) app|get (?:our|the) app)\b"
        r"|^[^.!?]{0,50}\b(?:roku|app store|google play|apple tv|android tv|fire tv)$"
        r"|^(?:for (?:the latest|more|breaking)\b[^.!?\n]{0,80}? )?(?:download|get) (?:the|our) "
        r"[\w'’ -]{0,30}?apps? (?:for|on) (?:ios|android|iphone)\b",
        max_chars=160,
        keywords=("app", "roku", "google play", " tv"),
    ),
    *NOTICE_RULES,  # footers, notices, captions: transforms/rules/notices.py
)

RULES_BY_ID: dict[str, LineRule] = {r.id: r for r in RULES}
