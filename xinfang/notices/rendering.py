"""The notice as an A4 PDF (WeasyPrint), in Chinese, with fonts that leave no character as a tofu box.

The layout is fixed here, not in a template file (domain apps hold no templates): the organ, the
title, the document number, the writer's name, the decision, the legal basis, the rights and time
limits, the date and the place for the seal are always printed; the administrator's wording
(already filled in ``content``) goes between them. Fonts: Noto Serif CJK SC, then Noto Sans CJK SC,
then HanaMinA and HanaMinB (Debian's fonts-hanazono) for the rare characters of people's names
(Extension A, B and beyond).
"""

from __future__ import annotations

from django.template import Context, Engine
from django.utils import translation

from xinfang.notices.content import NoticeContent

FONT_STACK = '"Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinA", "HanaMinB", serif'

ENGINE = Engine(loaders=[], autoescape=True)

LAYOUT = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ c.title }} {{ c.document_number }}</title>
<style>
@page { size: A4; margin: 30mm 26mm 28mm 28mm;
  @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; color: #444; } }
html { font-family: FONTS; font-size: 14pt; line-height: 1.75; color: #000; }
.organ { text-align: center; font-size: 20pt; font-weight: bold; letter-spacing: 0.1em; margin: 0; }
h1 { text-align: center; font-size: 22pt; margin: 6mm 0 2mm; letter-spacing: 0.15em; }
.number { text-align: center; margin: 0 0 6mm; }
.writer { margin: 0; }
p { margin: 0 0 3mm; text-indent: 2em; text-align: left; }
p.flush, .facts p { text-indent: 0; }
.decision { white-space: pre-wrap; }
.facts { border-top: 0.4pt solid #000; border-bottom: 0.4pt solid #000;
  margin: 5mm 0; padding: 2mm 0; font-size: 12pt; }
.facts dt { float: left; width: 7em; font-weight: bold; }
.facts dd { margin: 0 0 1mm 7em; }
.sign { margin-top: 10mm; text-align: right; position: relative; page-break-inside: avoid; }
.sign p { text-align: right; text-indent: 0; margin: 0 6mm 1mm 0; }
/* The seal goes over the organ's name and the date, as on paper: a marked circle to stamp in. */
.seal { position: absolute; right: 10mm; top: -12mm; width: 38mm; height: 38mm; border: 0.6pt dashed #888;
  border-radius: 50%; text-align: center; line-height: 38mm; color: #888; font-size: 10pt; }
.foot { margin-top: 6mm; font-size: 10pt; color: #333; text-indent: 0; }
</style></head><body>
<p class="organ flush">{{ c.organ }}</p>
<h1>{{ c.title }}</h1>
<p class="number flush" data-element="number">{{ c.document_number }}</p>
<p class="writer flush" data-element="writer">{% if c.writer_name %}{{ c.writer_name }}{% else %}信访人{% endif %}：</p>
{% if c.opening %}<p>{{ c.opening }}</p>{% endif %}
{% if c.reason_label %}<p data-element="reason">{{ c.reason_label }}。</p>{% endif %}
{% if c.decision and c.decision != c.reason_label and c.decision != reason_sentence %}
  <p class="decision" data-element="decision">{{ c.decision }}</p>{% endif %}
{% if c.route %}<p>{{ c.route }}</p>{% endif %}
{% if c.rights_text %}<p>{{ c.rights_text }}</p>{% endif %}
{% if c.closing %}<p>{{ c.closing }}</p>{% endif %}
<dl class="facts">
  <dt>信件编号</dt><dd>{{ c.tracking_number }}</dd>
  <dt>决定</dt><dd>{{ kind_label }}</dd>
  {% if c.reason_label %}<dt>理由</dt><dd>{{ c.reason_label }}</dd>{% endif %}
  <dt>法律依据</dt><dd data-element="legal-basis">{{ c.legal_basis }}</dd>
  {% if c.right %}
    {% if c.right.organ %}<dt>{{ organ_label }}</dt><dd>{{ c.right.organ }}</dd>{% endif %}
    {% if c.right.due %}<dt>{{ due_label }}</dt>
      <dd>{{ c.right.due|date:"Y年n月j日" }}{% if c.right.days %}（{{ c.right.days }} 日）{% endif %}</dd>{% endif %}
  {% endif %}
</dl>
<div class="sign">
  <span class="seal">（印章）</span>
  <p>{{ c.organ }}</p>
  <p data-element="date">{{ c.date|date:"Y年n月j日" }}</p>
</div>
<p class="foot">本告知书仅送达信访人本人。</p>
</body></html>
""".replace("FONTS", FONT_STACK)

# The decision in a word, for the facts.
DECISION_LABELS = {
    "acceptance": "予以受理",
    "non_acceptance": "不予受理",
    "referral": "告知向有权处理的机关提出",
    "extension": "延长办理期限",
    "reply": "出具处理意见",
    "review": "出具复查意见",
    "reexam": "出具复核意见（最终意见）",
}
# What the time limit in the facts means, per kind.
DUE_LABELS = {
    "acceptance": "答复期限",
    "extension": "延长后答复期限",
    "reply": "申请复查期限",
    "review": "申请复核期限",
}
ORGAN_LABELS = {"referral": "有权处理机关", "reply": "复查机关", "review": "复核机关"}


def notice_html(content: NoticeContent) -> str:
    with translation.override("zh-hans"):
        return ENGINE.from_string(LAYOUT).render(
            Context(
                {
                    "c": content,
                    "reason_sentence": f"{content.reason_label}。",
                    "kind_label": DECISION_LABELS[content.kind],
                    "due_label": DUE_LABELS.get(content.kind, "期限"),
                    "organ_label": ORGAN_LABELS.get(content.kind, "机关"),
                }
            )
        )


def notice_pdf(content: NoticeContent) -> bytes:
    """The notice as PDF bytes (A4)."""
    import weasyprint  # imported when first needed: it loads Pango and fonts

    pdf: bytes = weasyprint.HTML(string=notice_html(content)).write_pdf()
    return pdf
