"""Writes the organizer-mail corpus: realistic follow-up mails (and look-alikes) as .eml
files beside this script, and labels.toml saying what each one is.

Run: python tests/corpus/make_organizer_mail.py. The .eml files and the labels are
checked in; this script is how they were made, and how to add more. Each mail is built
with the stdlib's MIME classes in the encodings Japanese and English mailers use:
ISO-2022-JP, Shift_JIS, UTF-8 in base64 and quoted-printable, HTML-only, and
multipart with PDF attachments named in RFC 2231 or RFC 2047.
"""

from __future__ import annotations

import datetime as dt
import email.charset
import email.encoders
import email.utils
import html
import re
from dataclasses import dataclass
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import tomli_w

HERE = Path(__file__).resolve().parent / "organizer_mail"
JST = dt.timezone(dt.timedelta(hours=9))
ME = "hanako@example.jp"
URL = re.compile(r"https?://[^\s「」（）、。]+")

EVENTS = {
    "jaws": {
        "name": "JAWS-UG 札幌 #22",
        "series": "JAWS-UG 札幌",
        "start": dt.datetime(2026, 11, 21, 13, 0, tzinfo=JST),
    },
    "fec": {
        "name": "Frontend Conference Nagoya 2026",
        "start": dt.datetime(2026, 11, 28, 10, 0, tzinfo=JST),
        "organizer_email": "staff@fec-nagoya.jp",
    },
    "rust": {
        "name": "第12回 Tokyo Rust Meetup",
        "series": "Tokyo Rust Meetup",
        "start": dt.datetime(2026, 11, 20, 19, 0, tzinfo=JST),
        "organizer_email": "hello@tokyorust.org",
    },
    "kyotopy": {
        "name": "Kyoto.py #34",
        "series": "Kyoto.py",
        "start": dt.datetime(2026, 11, 14, 13, 0, tzinfo=JST),
        "organizer_email": "kyotopy.staff@gmail.com",
    },
    "devrel": {
        "name": "DevRel Summit Japan 2026",
        "start": dt.datetime(2026, 11, 7, 10, 0, tzinfo=JST),
        "organizer_email": "info@devrel-summit.jp",
    },
    "data": {
        "name": "データ分析勉強会 vol.8",
        "series": "データ分析勉強会",
        "start": dt.datetime(2026, 11, 18, 19, 30, tzinfo=JST),
    },
    "cnd": {
        "name": "Cloud Native Day Osaka 2026",
        "series": "Cloud Native Day",
        "start": dt.datetime(2026, 11, 26, 10, 0, tzinfo=JST),
        "organizer_email": "contact@cnd-osaka.jp",
    },
    "witt": {
        "name": "Women in Tech Tokyo: AI Night",
        "series": "Women in Tech Tokyo",
        "start": dt.datetime(2026, 11, 12, 18, 30, tzinfo=JST),
        "organizer_email": "team@womenintech.tokyo",
    },
}


@dataclass(frozen=True)
class Mail:
    """One mail of the corpus and its label."""

    file: str
    event: str
    kinds: tuple[str, ...]
    candidate: bool
    sender: str  # "Name <address>"
    subject: str
    sent: tuple[int, int, int, int]  # month, day, hour, minute in 2026 (JST); month 13 = 2027-01
    body: str
    encoding: str = "utf8"  # utf8 | qp | jis | sjis | ascii | html | alt
    attachments: tuple[str, ...] = ()
    attachment_names: str = "2231"  # how the file names are encoded: 2231 | 2047
    note: str = ""
    held_out: bool = False  # written after the classifier's rules were set, to check them


CONNPASS = "connpass <no-reply@connpass.com>"
PEATIX = "Peatix <noreply@peatix.com>"
DOORKEEPER = "Doorkeeper <no-reply@doorkeeper.jp>"
TECHPLAY = "TECH PLAY <noreply@techplay.jp>"
RUST = "Tokyo Rust Meetup 運営 <hello@tokyorust.org>"
KYOTOPY = "Kyoto.py スタッフ <kyotopy.staff@gmail.com>"
DEVREL = "DevRel Summit Japan 実行委員会 <info@devrel-summit.jp>"
CND = "Cloud Native Day Osaka 実行委員会 <contact@cnd-osaka.jp>"
WITT = "Women in Tech Tokyo <team@womenintech.tokyo>"

RUST_SIGN = "\n--\nTokyo Rust Meetup 運営チーム\nhttps://tokyorust.org/\n"
KYOTOPY_SIGN = "\n--\nKyoto.py スタッフ一同\n"
DEVREL_SIGN = "\n――――――――――\nDevRel Summit Japan 実行委員会\nhttps://devrel-summit.jp/\n"
CND_SIGN = "\n━━━━━━━━━━━━━━\nCloud Native Day Osaka 2026 実行委員会\ncontact@cnd-osaka.jp\n"
WITT_SIGN = "\n--\nWomen in Tech Tokyo organizing team\nhttps://womenintech.tokyo/\n"


def connpass_body(title: str, subject: str, text: str) -> str:
    """The body of a connpass message from an event's organizer."""
    return (
        f"「{title}」のイベント管理者からメッセージが届きました。\n\n"
        f"件名: {subject}\n\n{text}\n\n"
        "----\nこのメールは connpass に登録されたメールアドレスへお送りしています。\n"
        "https://connpass.com/settings/\n"
    )


def peatix_body(title: str, subject: str, text: str, english: bool = False) -> str:
    """The body of a Peatix message from an event's organizer."""
    if english:
        head = f"You have a message from the organizer of {title}.\n\nSubject: {subject}\n\n"
        foot = "\n\n---\nPeatix https://peatix.com/\nPlease do not reply to this email."
    else:
        head = f"「{title}」の主催者からメッセージが届いています。\n\n件名: {subject}\n\n"
        foot = "\n\n---\nPeatix https://peatix.com/\nこのメールは送信専用です。"
    return head + text + foot


def doorkeeper_body(text: str) -> str:
    """The body of a Doorkeeper community message."""
    return text + "\n\n--\nこのメールは Doorkeeper を通じてコミュニティから送信されました。\n"


def techplay_body(text: str) -> str:
    """The body of a TECH PLAY organizer notice."""
    return (
        text
        + "\n\n――――\nTECH PLAY https://techplay.jp/\n配信設定の変更はマイページから行えます。\n"
    )


MAILS: list[Mail] = [
    # --- 第12回 Tokyo Rust Meetup: the organizer's own domain -------------------------
    Mail(
        "rust-01-thanks-jis.eml",
        "rust",
        ("thanks",),
        True,
        RUST,
        "【ご参加御礼】第12回 Tokyo Rust Meetup",
        (11, 21, 10, 12),
        "皆さま\n\n昨日は第12回 Tokyo Rust Meetup にご参加いただき、誠にありがとうございました。\n"
        "おかげさまで60名を超える方にお越しいただき、懇親会も大変盛り上がりました。\n"
        "今後ともよろしくお願いいたします。" + RUST_SIGN,
        encoding="jis",
    ),
    Mail(
        "rust-02-survey.eml",
        "rust",
        ("survey",),
        True,
        RUST,
        "【アンケートのお願い】第12回 Tokyo Rust Meetup",
        (11, 22, 9, 0),
        "第12回 Tokyo Rust Meetup にご参加の皆さま\n\n"
        "今後の運営改善のため、アンケートへのご協力をお願いいたします（所要3分）。\n"
        "https://docs.google.com/forms/d/e/1FAIpQLSd9rust12/viewform\n"
        "回答期限: 11月30日（月）" + RUST_SIGN,
    ),
    Mail(
        "rust-03-thanks-survey.eml",
        "rust",
        ("thanks", "survey"),
        True,
        RUST,
        "第12回 Tokyo Rust Meetup ご参加ありがとうございました（アンケートのお願い）",
        (11, 20, 23, 40),
        "本日は第12回 Tokyo Rust Meetup にご参加いただきありがとうございました！\n\n"
        "簡単なアンケートを用意しました。ご感想をお聞かせください。\n"
        "https://forms.gle/Rs12xYzAbCdEf\n\n次回もお会いできるのを楽しみにしています。" + RUST_SIGN,
    ),
    Mail(
        "rust-04-report-qp.eml",
        "rust",
        ("report",),
        True,
        RUST,
        "【開催報告】第12回 Tokyo Rust Meetup",
        (11, 27, 12, 0),
        "第12回 Tokyo Rust Meetup の開催レポートを公開しました。\n"
        "https://note.com/tokyorust/n/n3f2a9c1b7d0e\n\n"
        "登壇者の発表資料はこちらです。\n"
        "・非同期ランタイムの中身: https://speakerdeck.com/kmori/async-runtime-internals\n"
        "・組込みRust入門: https://speakerdeck.com/ayamada/embedded-rust-101\n" + RUST_SIGN,
        encoding="qp",
    ),
    Mail(
        "rust-05-minutes-pdf.eml",
        "rust",
        ("report",),
        True,
        RUST,
        "第12回 Tokyo Rust Meetup 議事録の共有",
        (11, 24, 18, 30),
        "第12回 Tokyo Rust Meetup のパネルディスカッションの議事録を添付いたします。\n"
        "ご確認ください。" + RUST_SIGN,
        attachments=("第12回議事録.pdf",),
    ),
    Mail(
        "rust-06-invite-mentions-thanks.eml",
        "rust",
        ("invite",),
        True,
        RUST,
        "【次回のご案内】第13回 Tokyo Rust Meetup 12月18日開催",
        (11, 30, 12, 0),
        "前回はご参加ありがとうございました。\n"
        "次回、第13回 Tokyo Rust Meetup を12月18日（金）に開催します。\n"
        "テーマは「Rust と WebAssembly」です。お申し込みは connpass からどうぞ。\n"
        "https://tokyorust.connpass.com/event/305511/\n" + RUST_SIGN,
        note="an invitation that mentions thank you",
    ),
    Mail(
        "rust-07-newsletter.eml",
        "rust",
        (),
        True,
        RUST,
        "【Tokyo Rust通信】2026年12月号",
        (12, 1, 8, 0),
        "Tokyo Rust通信 2026年12月号\n\n"
        "■ 今月のトピック\nRust 1.91 がリリースされました。注目の変更点をまとめています。\n"
        "https://tokyorust.org/blog/rust-1-91\n\n"
        "■ コミュニティの動き\n先月のMeetupのレポートも公開中です。https://note.com/tokyorust/\n\n"
        "■ イベント\n12月18日 第13回 Tokyo Rust Meetup https://tokyorust.connpass.com/event/305511/\n\n"
        "配信停止はこちら: https://tokyorust.org/unsubscribe" + RUST_SIGN,
        note="a newsletter from the same organizer",
    ),
    Mail(
        "rust-08-reminder-before.eml",
        "rust",
        (),
        False,
        RUST,
        "【明日開催】第12回 Tokyo Rust Meetup 会場のご案内",
        (11, 19, 12, 0),
        "明日の第12回 Tokyo Rust Meetup の会場は渋谷のA社セミナールームです。\n"
        "受付は18:30からです。" + RUST_SIGN,
        note="before the event: outside the window",
    ),
    Mail(
        "rust-09-other-event-thanks.eml",
        "rust",
        (),
        True,
        RUST,
        "【ご参加御礼】Rust LT Night vol.3",
        (11, 29, 22, 0),
        "本日は Rust LT Night vol.3 にご参加いただき、ありがとうございました。\n"
        "LTの資料は後日まとめてお送りします。" + RUST_SIGN,
        note="the organizer thanks for another of its events",
    ),
    Mail(
        "rust-10-presentation-page.eml",
        "rust",
        ("report",),
        True,
        RUST,
        "第12回 Tokyo Rust Meetup 発表資料まとめ",
        (11, 23, 10, 0),
        "第12回 Tokyo Rust Meetup の発表資料を connpass の資料ページにまとめました。\n"
        "https://tokyorust.connpass.com/event/301234/presentation/\n" + RUST_SIGN,
    ),
    Mail(
        "rust-11-thanks-report-html.eml",
        "rust",
        ("thanks", "report"),
        True,
        RUST,
        "御礼と資料公開のお知らせ：第12回 Tokyo Rust Meetup",
        (11, 22, 20, 0),
        "第12回 Tokyo Rust Meetup にご参加いただいた皆さま、ありがとうございました。\n"
        "当日の発表資料と録画を公開しました。\n"
        "スライド: https://speakerdeck.com/tokyorust/meetup-12\n"
        "録画: https://www.youtube.com/watch?v=Rm12AbCdEfG\n" + RUST_SIGN,
        encoding="html",
    ),
    Mail(
        "rust-12-report-too-late.eml",
        "rust",
        ("report",),
        False,
        RUST,
        "【開催報告】第12回 Tokyo Rust Meetup（遅くなりました）",
        (13, 8, 12, 0),
        "大変遅くなりましたが、第12回 Tokyo Rust Meetup の開催レポートを公開しました。\n"
        "https://note.com/tokyorust/n/n8a8a8a8a8a8a\n" + RUST_SIGN,
        note="more than 30 days after the event",
    ),
    Mail(
        "rust-13-thanks-body-only.eml",
        "rust",
        ("thanks",),
        True,
        RUST,
        "第12回 Tokyo Rust Meetup",
        (11, 21, 7, 30),
        "皆さま、おはようございます。\n昨晩は第12回 Tokyo Rust Meetup にご参加いただき"
        "ありがとうございました。\n懇親会で出た話題は Discord で続けましょう。" + RUST_SIGN,
        note="the thank-you is only in the body",
    ),
    Mail(
        "rust-14-survey-subdomain.eml",
        "rust",
        ("survey",),
        True,
        "Tokyo Rust Meetup <forms@event.tokyorust.org>",
        "第12回 Tokyo Rust Meetup ご回答のお願い",
        (11, 25, 12, 0),
        "第12回 Tokyo Rust Meetup 参加者アンケートにまだご回答いただいていない方へ。\n"
        "https://forms.office.com/r/Tr12MsFormX\n" + RUST_SIGN,
        note="from a subdomain of the organizer's domain, Microsoft Forms",
    ),
    Mail(
        "rust-15-survey-questant-deadline.eml",
        "rust",
        ("survey",),
        True,
        RUST,
        "第12回 Tokyo Rust Meetup 満足度調査",
        (11, 23, 9, 0),
        "第12回 Tokyo Rust Meetup の満足度アンケートです。12月4日までにご回答ください。\n"
        "https://questant.jp/q/tokyorust12\n" + RUST_SIGN,
        encoding="jis",
    ),
    # --- Kyoto.py #34: connpass, and an organizer on free mail -------------------------
    Mail(
        "kyotopy-01-connpass-thanks.eml",
        "kyotopy",
        ("thanks",),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「Kyoto.py #34」",
        (11, 14, 21, 0),
        connpass_body(
            "Kyoto.py #34",
            "ご参加ありがとうございました",
            "本日は Kyoto.py #34 にご参加いただきありがとうございました。\n"
            "お気をつけてお帰りください。",
        ),
    ),
    Mail(
        "kyotopy-02-connpass-survey.eml",
        "kyotopy",
        ("survey",),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「Kyoto.py #34」",
        (11, 16, 10, 0),
        connpass_body(
            "Kyoto.py #34",
            "アンケートご協力のお願い",
            "Kyoto.py #34 のアンケートにご協力ください。\nhttps://questant.jp/q/kyotopy34",
        ),
        encoding="qp",
    ),
    Mail(
        "kyotopy-03-connpass-report.eml",
        "kyotopy",
        ("report",),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「Kyoto.py #34」",
        (11, 18, 19, 0),
        connpass_body(
            "Kyoto.py #34",
            "発表資料を公開しました",
            "Kyoto.py #34 の発表資料を公開しました。\n"
            "https://www.docswell.com/s/kyotopy/K34ABC-typing\n"
            "資料一覧: https://kyotopy.connpass.com/event/300101/presentation/",
        ),
    ),
    Mail(
        "kyotopy-04-connpass-other-event.eml",
        "kyotopy",
        (),
        False,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「Osaka.rb #90」",
        (11, 15, 21, 0),
        connpass_body(
            "Osaka.rb #90",
            "ご参加ありがとうございました",
            "本日は Osaka.rb #90 にご参加いただきありがとうございました。",
        ),
        note="a platform mail for another event",
    ),
    Mail(
        "kyotopy-05-connpass-invite.eml",
        "kyotopy",
        ("invite",),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「Kyoto.py #35」",
        (11, 28, 12, 0),
        connpass_body(
            "Kyoto.py #35",
            "Kyoto.py #35 参加者募集のお知らせ",
            "次回 Kyoto.py #35 を12月12日（土）に開催します。参加者募集を開始しました。\n"
            "https://kyotopy.connpass.com/event/306060/",
        ),
    ),
    Mail(
        "kyotopy-06-gmail-all-three.eml",
        "kyotopy",
        ("thanks", "survey", "report"),
        True,
        KYOTOPY,
        "Kyoto.py #34 お礼とアンケート、スライドのご案内",
        (11, 15, 9, 30),
        "Kyoto.py #34 に参加してくださった皆さん\n\n昨日はご参加ありがとうございました。\n"
        "アンケート: https://forms.gle/KyPy34SurveyQ\n"
        "スライド: https://speakerdeck.com/kyotopy/34-lightning-talks\n" + KYOTOPY_SIGN,
    ),
    Mail(
        "kyotopy-07-other-gmail.eml",
        "kyotopy",
        (),
        False,
        "田中 一郎 <ichiro.tanaka.dev@gmail.com>",
        "Kyoto.py #34 の感想",
        (11, 15, 11, 0),
        "昨日の Kyoto.py #34、楽しかったですね。また飲みに行きましょう。\n",
        note="another participant on the same free-mail domain",
    ),
    Mail(
        "kyotopy-08-connpass-materials-added.eml",
        "kyotopy",
        ("report",),
        True,
        CONNPASS,
        "【connpass】Kyoto.py #34 に資料が追加されました",
        (11, 17, 8, 0),
        "Kyoto.py #34 に新しい資料が追加されました。\n"
        "「型ヒント実践」 https://kyotopy.connpass.com/event/300101/presentation/\n"
        "----\nconnpass https://connpass.com/\n",
    ),
    Mail(
        "kyotopy-09-connpass-thanks-survey-jis.eml",
        "kyotopy",
        ("thanks", "survey"),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「Kyoto.py #34」",
        (11, 15, 20, 0),
        connpass_body(
            "Kyoto.py #34",
            "ご来場ありがとうございました／アンケートのお願い",
            "Kyoto.py #34 へのご来場ありがとうございました。\n"
            "次回の改善のため、ご意見をお聞かせください。\n"
            "https://docs.google.com/forms/d/e/1FAIpQLSkyotopy34/viewform",
        ),
        encoding="jis",
    ),
    Mail(
        "kyotopy-10-connpass-series-invite.eml",
        "kyotopy",
        ("invite",),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「Kyoto.py 忘年LT会 2026」",
        (12, 2, 12, 0),
        connpass_body(
            "Kyoto.py 忘年LT会 2026",
            "忘年LT会のご案内",
            "今年も Kyoto.py 忘年LT会を12月26日に開催します！LT枠・一般参加枠の申込受付を"
            "開始しました。\nhttps://kyotopy.connpass.com/event/307777/",
        ),
    ),
    # --- DevRel Summit Japan 2026: Peatix and the committee's own domain ------------------
    Mail(
        "devrel-01-peatix-thanks-survey.eml",
        "devrel",
        ("thanks", "survey"),
        True,
        PEATIX,
        "「DevRel Summit Japan 2026」主催者からのメッセージ",
        (11, 8, 17, 0),
        peatix_body(
            "DevRel Summit Japan 2026",
            "ご来場ありがとうございました",
            "昨日は DevRel Summit Japan 2026 にご来場いただき、誠にありがとうございました。\n"
            "参加者アンケートへのご回答をお願いいたします。\n"
            "https://devrelsummit.typeform.com/to/Ds2026fb",
        ),
    ),
    Mail(
        "devrel-02-peatix-english.eml",
        "devrel",
        ("thanks", "report"),
        True,
        PEATIX,
        "Message from the organizer of DevRel Summit Japan 2026",
        (11, 10, 9, 0),
        peatix_body(
            "DevRel Summit Japan 2026",
            "Thank you for attending!",
            "Thank you so much for attending DevRel Summit Japan 2026.\n"
            "The recordings of all sessions are now on YouTube:\n"
            "https://www.youtube.com/playlist?list=PLdevrel2026\n"
            "Slides: https://www.slideshare.net/devrelsummit/keynote-2026",
            english=True,
        ),
        encoding="ascii",
    ),
    Mail(
        "devrel-03-report-html.eml",
        "devrel",
        ("report",),
        True,
        DEVREL,
        "DevRel Summit Japan 2026 開催レポート",
        (11, 20, 12, 0),
        "DevRel Summit Japan 2026 の開催レポートを公開しました。\n"
        "当日の様子や登壇資料へのリンクをまとめています。\n"
        "https://note.com/devrelsummit/n/n2026report\n" + DEVREL_SIGN,
        encoding="html",
    ),
    Mail(
        "devrel-04-newsletter.eml",
        "devrel",
        (),
        True,
        DEVREL,
        "DevRel Japan ニュースレター 12月号",
        (12, 1, 8, 0),
        "DevRel Japan ニュースレター 12月号をお届けします。\n\n"
        "・DevRel Summit Japan 2026 のアンケート結果を公開しました "
        "https://note.com/devrelsummit/n/nsurvey\n"
        "・DevRel Meetup in Fukuoka 参加者募集中 https://peatix.com/event/4411223\n\n"
        "配信停止: https://devrel-summit.jp/unsubscribe" + DEVREL_SIGN,
        note="a newsletter from the same organizer",
    ),
    Mail(
        "devrel-05-peatix-other-event.eml",
        "devrel",
        (),
        False,
        PEATIX,
        "「DevOps Days Tokyo 2026」主催者からのメッセージ",
        (11, 12, 10, 0),
        peatix_body(
            "DevOps Days Tokyo 2026",
            "アンケートのお願い",
            "DevOps Days Tokyo 2026 のアンケートにご協力ください。\n"
            "https://docs.google.com/forms/d/e/1FAIpQLSdevopsdays/viewform",
        ),
        note="a platform mail for another event",
    ),
    Mail(
        "devrel-06-save-the-date-next-year.eml",
        "devrel",
        ("invite",),
        True,
        DEVREL,
        "Save the Date: DevRel Summit Japan 2027",
        (11, 30, 10, 0),
        "Save the date! DevRel Summit Japan 2027 will take place on November 6, 2027 in Tokyo.\n"
        "Registration opens in spring.\n" + DEVREL_SIGN,
        encoding="ascii",
        note="the next edition has another name and no series",
    ),
    Mail(
        "devrel-07-survey-reminder-msforms.eml",
        "devrel",
        ("survey",),
        True,
        DEVREL,
        "【リマインド】アンケートご回答のお願い（DevRel Summit Japan 2026）",
        (11, 14, 10, 0),
        "DevRel Summit Japan 2026 にご参加の皆さま\n\n"
        "アンケートの締切は11月21日です。まだの方はご回答をお願いします。\n"
        "https://forms.office.com/Pages/ResponsePage.aspx?id=DevRel2026\n" + DEVREL_SIGN,
        encoding="qp",
    ),
    Mail(
        "devrel-08-unrelated-survey.eml",
        "devrel",
        (),
        False,
        "イベント調査室 <research@event-research.co.jp>",
        "DevRel Summit Japan 2026 参加者アンケート（謝礼あり）",
        (11, 9, 12, 0),
        "DevRel Summit Japan 2026 に参加された方を対象に調査を行っています。\n"
        "https://www.surveymonkey.com/r/devrel-research\n",
        note="a survey from an unrelated sender",
    ),
    Mail(
        "devrel-09-sponsor-webinar.eml",
        "devrel",
        (),
        True,
        DEVREL,
        "【協賛企業からのお知らせ】開発者体験ウェビナーのご案内",
        (11, 19, 12, 0),
        "DevRel Summit Japan 2026 にご協賛いただいた株式会社サンプルテックより、"
        "ウェビナーのご案内です。\n12月9日（水）オンライン開催、申込受付開始しました。\n"
        "https://peatix.com/event/4419999\n" + DEVREL_SIGN,
        note="a sponsor's webinar, not the next summit",
    ),
    Mail(
        "devrel-10-thanks-plain.eml",
        "devrel",
        ("thanks",),
        True,
        DEVREL,
        "DevRel Summit Japan 2026 ご来場御礼",
        (11, 7, 21, 0),
        "本日は DevRel Summit Japan 2026 にご来場いただき、誠にありがとうございました。\n"
        "登壇資料は準備が整い次第お知らせいたします。" + DEVREL_SIGN,
        encoding="sjis",
    ),
    # --- データ分析勉強会 vol.8: Doorkeeper, no organizer address known -------------------
    Mail(
        "data-01-doorkeeper-thanks.eml",
        "data",
        ("thanks",),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.8 ご参加ありがとうございました",
        (11, 18, 22, 30),
        doorkeeper_body(
            "データ分析勉強会 vol.8 にご参加いただき、ありがとうございました。\n"
            "懇親会にも多くの方に残っていただき、運営一同うれしく思っています。"
        ),
    ),
    Mail(
        "data-02-doorkeeper-survey.eml",
        "data",
        ("survey",),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.8 アンケートのお願い",
        (11, 19, 12, 0),
        doorkeeper_body(
            "データ分析勉強会 vol.8 のアンケートです。今後のテーマ選びの参考にします。\n"
            "https://docs.google.com/forms/d/e/1FAIpQLSdata8/viewform"
        ),
        encoding="qp",
    ),
    Mail(
        "data-03-doorkeeper-report.eml",
        "data",
        ("report",),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.8 発表資料・アーカイブ動画公開",
        (11, 21, 12, 0),
        doorkeeper_body(
            "vol.8 の発表資料とアーカイブ動画を公開しました。\n"
            "資料: https://www.slideshare.net/datastudy/vol8-causal-inference\n"
            "動画: https://youtu.be/DaTa8ArChIv"
        ),
    ),
    Mail(
        "data-04-doorkeeper-invite.eml",
        "data",
        ("invite",),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.9 参加申込受付開始",
        (11, 28, 12, 0),
        doorkeeper_body(
            "次回 vol.9 は12月16日（水）19:30から開催します。テーマは時系列分析です。\n"
            "https://datastudy.doorkeeper.jp/events/178899"
        ),
    ),
    Mail(
        "data-05-doorkeeper-other-group.eml",
        "data",
        (),
        False,
        DOORKEEPER,
        "[機械学習もくもく会] #21 ご参加ありがとうございました",
        (11, 19, 22, 0),
        doorkeeper_body("機械学習もくもく会 #21 にご参加いただきありがとうございました。"),
        note="a platform mail for another community's event",
    ),
    Mail(
        "data-06-thanks-survey-html.eml",
        "data",
        ("thanks", "survey"),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.8 ご参加御礼とアンケートのお願い",
        (11, 19, 9, 0),
        doorkeeper_body(
            "データ分析勉強会 vol.8 にご参加いただきありがとうございました。\n"
            "アンケートへのご回答をお願いします。\n"
            "https://forms.gle/DaTa8SuRvEy"
        ),
        encoding="html",
    ),
    Mail(
        "data-07-doorkeeper-notice.eml",
        "data",
        (),
        False,
        DOORKEEPER,
        "Doorkeeper 利用規約改定のお知らせ",
        (11, 20, 12, 0),
        "Doorkeeper をご利用いただきありがとうございます。利用規約を改定いたします。\n",
        note="the platform's own notice",
    ),
    Mail(
        "data-08-report-pdf-2231.eml",
        "data",
        ("report",),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.8 開催報告",
        (11, 25, 12, 0),
        doorkeeper_body("vol.8 の開催報告書を添付します。参加者の皆さまの感想も掲載しています。"),
        attachments=("vol8_開催報告.pdf",),
    ),
    Mail(
        "data-09-thanks-jis.eml",
        "data",
        ("thanks",),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.8 御礼",
        (11, 19, 8, 0),
        doorkeeper_body("データ分析勉強会 vol.8 にご参加くださり、本当にありがとうございました。"),
        encoding="jis",
    ),
    # --- Cloud Native Day Osaka 2026: TECH PLAY and the committee -----------------------
    Mail(
        "cnd-01-techplay-thanks.eml",
        "cnd",
        ("thanks",),
        True,
        TECHPLAY,
        "【TECH PLAY】Cloud Native Day Osaka 2026 ご来場ありがとうございました",
        (11, 26, 20, 0),
        techplay_body(
            "Cloud Native Day Osaka 2026 にご来場いただきありがとうございました。\n"
            "主催者からのメッセージをお届けします。"
        ),
    ),
    Mail(
        "cnd-02-survey-questant.eml",
        "cnd",
        ("survey",),
        True,
        CND,
        "Cloud Native Day Osaka 2026 アンケートご回答のお願い",
        (11, 27, 10, 0),
        "Cloud Native Day Osaka 2026 のアンケートにご回答ください。\n"
        "https://questant.jp/q/cndosaka2026\n" + CND_SIGN,
        encoding="qp",
    ),
    Mail(
        "cnd-03-report-html.eml",
        "cnd",
        ("report",),
        True,
        CND,
        "Cloud Native Day Osaka 2026 講演資料・動画公開のお知らせ",
        (12, 3, 12, 0),
        "Cloud Native Day Osaka 2026 の講演資料とアーカイブ動画を公開しました。\n"
        "https://speakerdeck.com/cndosaka/keynote\n"
        "https://www.youtube.com/@cndosaka/videos\n" + CND_SIGN,
        encoding="html",
    ),
    Mail(
        "cnd-04-thanks-survey-report-pdf.eml",
        "cnd",
        ("thanks", "survey", "report"),
        True,
        CND,
        "【御礼】Cloud Native Day Osaka 2026 ご来場ありがとうございました",
        (11, 27, 18, 0),
        "Cloud Native Day Osaka 2026 にご来場いただき誠にありがとうございました。\n"
        "アンケート: https://docs.google.com/forms/d/e/1FAIpQLScnd26/viewform\n"
        "講演資料の一覧を添付いたします。" + CND_SIGN,
        encoding="alt",
        attachments=("講演資料一覧.pdf", "cnd-logo.png"),
        attachment_names="2047",
    ),
    Mail(
        "cnd-05-techplay-other-event.eml",
        "cnd",
        (),
        False,
        TECHPLAY,
        "【TECH PLAY】AWS 振り返り勉強会 ご参加ありがとうございました",
        (11, 28, 20, 0),
        techplay_body("AWS 振り返り勉強会にご参加いただきありがとうございました。"),
        note="a platform mail for another event",
    ),
    Mail(
        "cnd-06-next-tokyo.eml",
        "cnd",
        ("invite",),
        True,
        CND,
        "Cloud Native Day Tokyo 2027 開催決定・参加登録開始",
        (12, 10, 12, 0),
        "次回の Cloud Native Day は2027年3月12日に東京で開催します。参加登録を開始しました。\n"
        "https://techplay.jp/event/981234\n" + CND_SIGN,
    ),
    Mail(
        "cnd-07-newsletter.eml",
        "cnd",
        (),
        True,
        CND,
        "CND Osaka メールマガジン Vol.5",
        (12, 5, 8, 0),
        "CND Osaka メールマガジン Vol.5\n\n"
        "先日の Cloud Native Day Osaka 2026 にはご来場ありがとうございました。\n"
        "講演動画: https://www.youtube.com/@cndosaka/videos\n"
        "次回のイベント: https://techplay.jp/event/981234\n"
        "配信停止はこちら https://cnd-osaka.jp/unsubscribe" + CND_SIGN,
        note="a newsletter from the same organizer",
    ),
    Mail(
        "cnd-08-same-day-logistics.eml",
        "cnd",
        (),
        True,
        CND,
        "【本日】Cloud Native Day Osaka 2026 会場・クローク情報",
        (11, 26, 10, 30),
        "本日の Cloud Native Day Osaka 2026 のクロークは2階です。Wi-Fi: CND2026\n" + CND_SIGN,
        note="a mail on the day, about the day",
    ),
    Mail(
        "cnd-09-thanks-sjis.eml",
        "cnd",
        ("thanks",),
        True,
        CND,
        "ご来場御礼（Cloud Native Day Osaka 2026）",
        (11, 26, 22, 0),
        "本日は Cloud Native Day Osaka 2026 にご来場いただき、ありがとうございました。" + CND_SIGN,
        encoding="sjis",
    ),
    Mail(
        "cnd-10-techplay-slides-note.eml",
        "cnd",
        ("report",),
        True,
        TECHPLAY,
        "【TECH PLAY】Cloud Native Day Osaka 2026 イベントレポート公開",
        (12, 8, 12, 0),
        techplay_body(
            "Cloud Native Day Osaka 2026 のイベントレポートが公開されました。\n"
            "https://note.com/cndosaka/n/nreport2026"
        ),
    ),
    # --- Women in Tech Tokyo: AI Night, in English ------------------------------------
    Mail(
        "witt-01-thanks.eml",
        "witt",
        ("thanks",),
        True,
        WITT,
        "Thank you for joining Women in Tech Tokyo: AI Night!",
        (11, 13, 9, 0),
        "Hi everyone,\n\nThank you for joining Women in Tech Tokyo: AI Night last night. "
        "We had over 80 people and a lot of great conversations.\n" + WITT_SIGN,
        encoding="ascii",
    ),
    Mail(
        "witt-02-feedback.eml",
        "witt",
        ("survey",),
        True,
        WITT,
        "Women in Tech Tokyo: AI Night - we'd love your feedback",
        (11, 14, 9, 0),
        "Hi,\n\nCould you spare two minutes to tell us how AI Night went for you?\n"
        "https://witt.typeform.com/to/AiNightFb\n" + WITT_SIGN,
        encoding="ascii",
    ),
    Mail(
        "witt-03-recap.eml",
        "witt",
        ("report",),
        True,
        WITT,
        "Women in Tech Tokyo: AI Night recap, slides and recording",
        (11, 19, 9, 0),
        "Here is our recap of AI Night, with the speakers' slides and the recording.\n"
        "Recap: https://womenintech.tokyo/blog/ai-night-recap\n"
        "Slides: https://speakerdeck.com/witt/ai-night-panel\n"
        "Recording: https://www.youtube.com/watch?v=WiTtAiNight\n" + WITT_SIGN,
        encoding="qp",
    ),
    Mail(
        "witt-04-thanks-survey.eml",
        "witt",
        ("thanks", "survey"),
        True,
        WITT,
        "Thanks for coming + a 2-minute survey",
        (11, 13, 12, 0),
        "Thanks for coming to Women in Tech Tokyo: AI Night!\n"
        "Please fill in our short survey: https://forms.gle/WiTtSuRvEy2\n" + WITT_SIGN,
        encoding="ascii",
    ),
    Mail(
        "witt-05-save-the-date.eml",
        "witt",
        ("invite",),
        True,
        WITT,
        "Save the date: Women in Tech Tokyo - Security Night, December 10",
        (11, 20, 9, 0),
        "Our next event is Security Night on December 10 at the same venue.\n"
        "RSVP on Peatix: https://peatix.com/event/4455667\n" + WITT_SIGN,
        encoding="ascii",
    ),
    Mail(
        "witt-06-newsletter.eml",
        "witt",
        (),
        True,
        WITT,
        "Women in Tech Tokyo Newsletter - December",
        (12, 1, 9, 0),
        "Women in Tech Tokyo newsletter, December edition.\n\n"
        "Thank you to everyone who attended AI Night! Photos: https://womenintech.tokyo/photos\n"
        "Register for Security Night: https://peatix.com/event/4455667\n"
        "Unsubscribe: https://womenintech.tokyo/unsubscribe\n" + WITT_SIGN,
        encoding="ascii",
        note="a newsletter from the same organizer",
    ),
    Mail(
        "witt-07-invite-mentions-thanks.eml",
        "witt",
        ("invite",),
        True,
        WITT,
        "You're invited: Women in Tech Tokyo Holiday Mixer",
        (11, 25, 9, 0),
        "Thank you for joining us last time! You're invited to our Holiday Mixer on "
        "December 17.\nRegistration: https://peatix.com/event/4460001\n" + WITT_SIGN,
        encoding="ascii",
        note="an invitation that mentions thank you",
    ),
    Mail(
        "witt-08-vendor-survey.eml",
        "witt",
        (),
        False,
        "CloudVendor Events <marketing@cloudvendor-events.com>",
        "Feedback survey: AI tools for your team",
        (11, 13, 12, 0),
        "We value your feedback. Take our survey: https://www.surveymonkey.com/r/aitools\n",
        encoding="ascii",
        note="a survey from an unrelated sender",
    ),
    Mail(
        "witt-09-ticket-before.eml",
        "witt",
        (),
        False,
        PEATIX,
        "Your ticket for Women in Tech Tokyo: AI Night",
        (11, 10, 12, 0),
        "Your ticket for Women in Tech Tokyo: AI Night on November 12 is confirmed.\n",
        encoding="ascii",
        note="before the event: outside the window",
    ),
    Mail(
        "witt-10-thanks-report-html.eml",
        "witt",
        ("thanks", "report"),
        True,
        WITT,
        "Thank you! AI Night photos and slides",
        (11, 15, 9, 0),
        "Thank you for attending Women in Tech Tokyo: AI Night.\n"
        "The slides are here: https://www.slideshare.net/witt/ai-night\n" + WITT_SIGN,
        encoding="html",
    ),
    Mail(
        "witt-11-minutes-pdf.eml",
        "witt",
        ("report",),
        True,
        WITT,
        "Women in Tech Tokyo: AI Night panel minutes",
        (11, 18, 9, 0),
        "Attached are the minutes of the AI Night panel discussion.\n" + WITT_SIGN,
        encoding="ascii",
        attachments=("AI_Night_panel_minutes.pdf",),
    ),
    # --- held out: written after the rules were set, and measured once before any change --
    Mail(
        "held-jaws-01-connpass-thanks-survey.eml",
        "jaws",
        ("thanks", "survey"),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「JAWS-UG 札幌 #22」",
        (11, 21, 19, 0),
        connpass_body(
            "JAWS-UG 札幌 #22",
            "本日はありがとうございました＆アンケートのお願い",
            "JAWS-UG 札幌 #22 にお越しいただきありがとうございました。\n"
            "アンケートへのご協力をお願いします（5分程度）\nhttps://forms.gle/JawsSapporo22",
        ),
        held_out=True,
    ),
    Mail(
        "held-jaws-02-connpass-slides.eml",
        "jaws",
        ("report",),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「JAWS-UG 札幌 #22」",
        (11, 23, 12, 0),
        connpass_body(
            "JAWS-UG 札幌 #22",
            "登壇資料まとめ",
            "各登壇者のスライドは connpass の資料ページからご覧いただけます。\n"
            "https://jawsug-sapporo.connpass.com/event/310022/presentation/",
        ),
        held_out=True,
    ),
    Mail(
        "held-jaws-03-connpass-next.eml",
        "jaws",
        ("invite",),
        True,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「JAWS-UG 札幌 #23」",
        (12, 5, 12, 0),
        connpass_body(
            "JAWS-UG 札幌 #23",
            "次回 #23 のお知らせ",
            "#23 は2027年1月23日（土）に開催予定です。お申し込みはこちらから。\n"
            "https://jawsug-sapporo.connpass.com/event/312345/",
        ),
        held_out=True,
    ),
    Mail(
        "held-jaws-04-connpass-hakodate.eml",
        "jaws",
        (),
        False,
        CONNPASS,
        "connpass イベント管理者からのメッセージ「JAWS-UG 函館 #5」",
        (11, 22, 19, 0),
        connpass_body(
            "JAWS-UG 函館 #5",
            "ご参加ありがとうございました",
            "JAWS-UG 函館 #5 にご参加いただきありがとうございました。",
        ),
        note="a platform mail for another chapter's event",
        held_out=True,
    ),
    Mail(
        "held-fec-01-thanks.eml",
        "fec",
        ("thanks",),
        True,
        "FEC Nagoya 実行委員会 <staff@fec-nagoya.jp>",
        "【Frontend Conference Nagoya 2026】ご来場の御礼",
        (11, 30, 10, 0),
        "先日は Frontend Conference Nagoya 2026 にご来場いただき、心より御礼申し上げます。\n"
        "皆さまのおかげで、過去最多の参加者数となりました。\n--\nFEC Nagoya 実行委員会\n",
        encoding="jis",
        held_out=True,
    ),
    Mail(
        "held-fec-02-survey.eml",
        "fec",
        ("survey",),
        True,
        "FEC Nagoya 実行委員会 <staff@fec-nagoya.jp>",
        "Frontend Conference Nagoya 2026 参加者アンケートのお願い",
        (12, 1, 10, 0),
        "来年の開催に向けて、参加者アンケートへのご回答をお願いいたします。\n"
        "https://jp.surveymonkey.com/r/FECN2026\n--\nFEC Nagoya 実行委員会\n",
        encoding="qp",
        held_out=True,
    ),
    Mail(
        "held-fec-03-videos.eml",
        "fec",
        ("report",),
        True,
        "FEC Nagoya 実行委員会 <staff@fec-nagoya.jp>",
        "Frontend Conference Nagoya 2026 セッション動画を公開しました",
        (12, 10, 18, 0),
        "全セッションの動画を YouTube で公開しました。\n"
        "https://www.youtube.com/playlist?list=PLfecn2026\n"
        "各セッションのスライドはこちら: https://fec-nagoya.jp/2026/slides\n"
        "--\nFEC Nagoya 実行委員会\n",
        encoding="html",
        held_out=True,
    ),
    Mail(
        "held-fec-04-newsletter.eml",
        "fec",
        (),
        True,
        "FEC Nagoya 実行委員会 <staff@fec-nagoya.jp>",
        "FEC Nagoya ニュース 2026年12月号 — 動画公開・来年の日程",
        (12, 20, 8, 0),
        "FEC Nagoya ニュース 2026年12月号\n\n"
        "・Frontend Conference Nagoya 2026 のセッション動画を公開しました "
        "https://www.youtube.com/playlist?list=PLfecn2026\n"
        "・2027年は9月25日に開催予定です\n\n配信停止: https://fec-nagoya.jp/unsubscribe\n",
        note="a newsletter from the same organizer",
        held_out=True,
    ),
    Mail(
        "held-fec-05-sponsors-wanted.eml",
        "fec",
        (),
        True,
        "FEC Nagoya 実行委員会 <staff@fec-nagoya.jp>",
        "Frontend Conference Nagoya 2027 スポンサー募集開始",
        (12, 15, 10, 0),
        "Frontend Conference Nagoya 2027 のスポンサー募集を開始しました。2027年9月開催予定です。\n"
        "資料請求はこちら https://fec-nagoya.jp/2027/sponsors\n--\nFEC Nagoya 実行委員会\n",
        note="a call for sponsors, not an invitation to attend",
        held_out=True,
    ),
    Mail(
        "held-fec-06-news-site.eml",
        "fec",
        (),
        False,
        "名古屋ITニュース <info@nagoya-it-news.jp>",
        "Frontend Conference Nagoya 2026 レポート記事を掲載しました",
        (12, 2, 10, 0),
        "Frontend Conference Nagoya 2026 の取材レポートを掲載しました。\n"
        "https://nagoya-it-news.jp/articles/fecn2026\n",
        note="a report by someone else",
        held_out=True,
    ),
    Mail(
        "held-rust-01-english-slides-video.eml",
        "rust",
        ("report",),
        True,
        RUST,
        "Tokyo Rust Meetup #12 - slides & video",
        (11, 21, 12, 0),
        "Slides and the video from last night are up:\n"
        "https://speakerdeck.com/tokyorust/12-all\nhttps://youtu.be/TokyoRust12\n" + RUST_SIGN,
        encoding="ascii",
        held_out=True,
    ),
    Mail(
        "held-rust-02-lost-and-found.eml",
        "rust",
        (),
        True,
        RUST,
        "第12回 Tokyo Rust Meetup 忘れ物のお知らせ",
        (11, 21, 9, 0),
        "会場に傘の忘れ物がありました。お心当たりの方はご連絡ください。" + RUST_SIGN,
        note="about the event, but no follow-up",
        held_out=True,
    ),
    Mail(
        "held-witt-01-favour.eml",
        "witt",
        ("survey",),
        True,
        WITT,
        "A quick favour: tell us about AI Night",
        (11, 16, 9, 0),
        "Your answers help us plan 2027. It takes 3 minutes:\n"
        "https://forms.office.com/r/WittAI\n" + WITT_SIGN,
        encoding="ascii",
        held_out=True,
    ),
    Mail(
        "held-witt-02-vimeo.eml",
        "witt",
        ("report",),
        True,
        WITT,
        "Recording: Women in Tech Tokyo: AI Night panel",
        (11, 22, 9, 0),
        "Missed part of the panel? The full recording is now available on Vimeo:\n"
        "https://vimeo.com/912345678\n" + WITT_SIGN,
        encoding="ascii",
        held_out=True,
    ),
    Mail(
        "held-data-01-retro-and-next.eml",
        "data",
        ("report", "invite"),
        True,
        DOORKEEPER,
        "[データ分析勉強会] vol.8 の振り返りと次回予告",
        (11, 26, 12, 0),
        doorkeeper_body(
            "vol.8 の振り返りブログを書きました。\nhttps://zenn.dev/datastudy/articles/vol8-retro\n"
            "次回 vol.9 は12月16日です。申込: https://datastudy.doorkeeper.jp/events/178899"
        ),
        held_out=True,
    ),
    Mail(
        "held-cnd-01-thanks-results-pdf.eml",
        "cnd",
        ("thanks", "report"),
        True,
        CND,
        "Cloud Native Day Osaka 2026 当日のご参加ありがとうございました",
        (12, 12, 12, 0),
        "Cloud Native Day Osaka 2026 にご参加いただき、ありがとうございました。\n"
        "アンケートの集計結果を添付いたします。" + CND_SIGN,
        attachments=("CNDO2026_アンケート集計結果.pdf",),
        held_out=True,
    ),
    Mail(
        "held-cnd-02-techplay-survey.eml",
        "cnd",
        ("survey",),
        True,
        TECHPLAY,
        "【TECH PLAY】Cloud Native Day Osaka 2026 参加者アンケートにご協力ください",
        (11, 27, 12, 0),
        techplay_body(
            "Cloud Native Day Osaka 2026 にご参加いただいた皆様へ。\n"
            "アンケートはこちら https://techplay.jp/questionnaire/12345"
        ),
        held_out=True,
    ),
    Mail(
        "held-devrel-01-peatix-corrected-link.eml",
        "devrel",
        ("survey",),
        True,
        PEATIX,
        "「DevRel Summit Japan 2026」主催者からのメッセージ",
        (11, 9, 12, 0),
        peatix_body(
            "DevRel Summit Japan 2026",
            "【お詫び】アンケートURLの誤りについて",
            "先ほどお送りしたアンケートのURLに誤りがありました。正しくはこちらです。\n"
            "https://devrelsummit.typeform.com/to/Ds2026fb2",
        ),
        held_out=True,
    ),
]


def text_part(text: str, encoding: str) -> MIMEText:
    """The text of a mail in one of the corpus's encodings."""
    if encoding == "jis":
        return MIMEText(text, "plain", "iso-2022-jp")
    if encoding == "sjis":
        return MIMEText(text, "plain", shift_jis())
    if encoding == "ascii":
        return MIMEText(text, "plain", "us-ascii" if text.isascii() else "utf-8")
    if encoding == "qp":
        charset = email.charset.Charset("utf-8")
        charset.body_encoding = email.charset.QP
        return MIMEText(text, "plain", charset)
    return MIMEText(text, "plain", "utf-8")


def shift_jis() -> email.charset.Charset:
    """Shift_JIS in base64, as Windows mailers send it (the stdlib would send ISO-2022-JP)."""
    charset = email.charset.Charset("shift_jis")
    charset.output_charset = charset.output_codec = "shift_jis"
    charset.body_encoding = charset.header_encoding = email.charset.BASE64
    return charset


def as_html(text: str) -> str:
    """The text as an HTML mail writes it: paragraphs, and links behind link words."""
    word = "こちら" if not text.isascii() else "here"
    paragraphs = []
    for line in text.splitlines():
        escaped = html.escape(line)
        linked = URL.sub(lambda m: f'<a href="{m.group(0)}">{word}</a>', escaped)
        paragraphs.append(f"<p>{linked}</p>" if line.strip() else "<br>")
    style = "<style>p { margin: 0 0 8px; font-family: sans-serif; }</style>"
    return f"<html><head>{style}</head><body>\n" + "\n".join(paragraphs) + "\n</body></html>\n"


def attachment(name: str, names: str) -> MIMEBase:
    """An attached file under its name, encoded the RFC 2231 or the RFC 2047 way."""
    kind = "png" if name.endswith(".png") else "pdf"
    part: MIMEBase = MIMEApplication(b"%PDF-1.4\n% meishi corpus\n", kind)
    if kind == "png":
        part = MIMEBase("image", "png")
        part.set_payload(b"\x89PNG\r\n")
        email.encoders.encode_base64(part)
    if names == "2047" and not name.isascii():
        encoded = Header(name, "utf-8").encode()
        part.add_header("Content-Disposition", "attachment", filename=encoded)
    else:
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
    return part


def body_of(mail: Mail) -> MIMEBase:
    """The mail's body: plain, HTML only, or both, with its attachments."""
    if mail.encoding == "html":
        body: MIMEBase = MIMEText(as_html(mail.body), "html", "utf-8")
    elif mail.encoding == "alt":
        body = MIMEMultipart("alternative")
        body.attach(text_part(mail.body, "qp"))
        body.attach(MIMEText(as_html(mail.body), "html", "utf-8"))
    else:
        body = text_part(mail.body, mail.encoding)
    if not mail.attachments:
        return body
    mixed = MIMEMultipart("mixed")
    mixed.attach(body)
    for name in mail.attachments:
        mixed.attach(attachment(name, mail.attachment_names))
    return mixed


def message(mail: Mail, number: int) -> bytes:
    """The whole message, headers encoded as the body's charset suggests."""
    charset = {"jis": "iso-2022-jp", "sjis": shift_jis()}.get(mail.encoding, "utf-8")
    built = body_of(mail)
    name, address = email.utils.parseaddr(mail.sender)
    built["From"] = email.utils.formataddr((name, address), charset="utf-8")
    if charset == "iso-2022-jp" and not name.isascii():
        built.replace_header("From", f"{Header(name, charset).encode()} <{address}>")
    built["To"] = ME
    built["Subject"] = Header(mail.subject, charset if not mail.subject.isascii() else "us-ascii")
    built["Date"] = email.utils.format_datetime(sent_at(mail.sent))
    built["Message-ID"] = f"<corpus-{number:03d}.{mail.file.removesuffix('.eml')}@mail.example>"
    built["MIME-Version"] = "1.0"
    for index, part in enumerate(built.walk()):
        if part.is_multipart():  # fixed boundaries, so that writing again changes nothing
            part.set_boundary(f"=_corpus_{number:03d}_{index}")
    return built.as_bytes()


def sent_at(sent: tuple[int, int, int, int]) -> dt.datetime:
    """The sending time: month 13 is January of the next year."""
    month, day, hour, minute = sent
    year = 2026 + (month - 1) // 12
    return dt.datetime(year, (month - 1) % 12 + 1, day, hour, minute, tzinfo=JST)


def labels() -> dict[str, object]:
    """The labels file: the events, and for each mail its event, kinds and candidacy."""
    return {
        "events": EVENTS,
        "mails": {
            m.file: {"event": m.event, "kinds": list(m.kinds), "candidate": m.candidate}
            | ({"note": m.note} if m.note else {})
            | ({"set": "held-out"} if m.held_out else {})
            for m in MAILS
        },
    }


def write(folder: Path) -> None:
    """Write every mail and the labels into the folder (old mails there are removed)."""
    for old in folder.glob("*.eml"):
        old.unlink()
    for number, mail in enumerate(MAILS, 1):
        (folder / mail.file).write_bytes(message(mail, number))
    header = "# What each mail of the corpus is; written by make_organizer_mail.py.\n"
    (folder / "labels.toml").write_text(header + tomli_w.dumps(labels()), encoding="utf-8")


def main() -> None:
    """Write the corpus beside this script."""
    write(HERE)
    print(f"{len(MAILS)} mails in {HERE}")


if __name__ == "__main__":
    main()
