"""Company names as printed on cards: the abbreviated legal forms, written in full.

Cards print 株式会社 as (株), （株） or ㈱, before or after the name; a letter's 宛名 and
subject write it in full (株式会社サンプル商事, サンプル商事株式会社).
"""

import re
import unicodedata

# The legal forms a card abbreviates, by the character(s) in the parentheses.
LEGAL_FORMS = {
    "株": "株式会社",
    "有": "有限会社",
    "同": "合同会社",
    "資": "合資会社",
    "名": "合名会社",
    "一社": "一般社団法人",
    "一財": "一般財団法人",
    "公社": "公益社団法人",
    "公財": "公益財団法人",
    "社": "社団法人",
    "財": "財団法人",
    "特非": "特定非営利活動法人",
    "NPO": "特定非営利活動法人",
    "医": "医療法人",
    "学": "学校法人",
    "福": "社会福祉法人",
    "独": "独立行政法人",
    "宗": "宗教法人",
}
_ABBREVIATION = re.compile(
    r"\s*\(\s*("
    + "|".join(sorted(map(re.escape, LEGAL_FORMS), key=len, reverse=True))
    + r")\s*\)\s*"
)
# Enclosed forms such as ㈱ (U+3231) and the parentheses, in their half-width shapes.
_ENCLOSED = re.compile(r"[\u3200-\u32ff（）]")


def full_company_name(name: str) -> str:
    """name with an abbreviated legal form written in full: (株)サンプル → 株式会社サンプル."""
    plain = _ENCLOSED.sub(lambda match: unicodedata.normalize("NFKC", match[0]), name)
    if not _ABBREVIATION.search(plain):
        return name
    return _ABBREVIATION.sub(lambda match: LEGAL_FORMS[match[1]], plain).strip()


# How the name of an organizer that is not a person ends (or starts: a legal form).
_ORGANIZATION_ENDS = (
    "事務局",
    "委員会",
    "運営",
    "運営チーム",
    "実行委員会",
    "協会",
    "学会",
    "連盟",
    "研究会",
    "コミュニティ",
    "一同",
    "有志",
    "部",
    "課",
    "室",
    "センター",
    *LEGAL_FORMS.values(),
)


def is_organization(name: str) -> bool:
    """Whether an organizer's name is an organization (御中) rather than a person (様)."""
    full = full_company_name(name).strip()
    starts_legal = any(full.startswith(form) and " " not in full for form in LEGAL_FORMS.values())
    return starts_legal or full.endswith(_ORGANIZATION_ENDS)
