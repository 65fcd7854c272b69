"""The report's page: one self-contained HTML file. Pictures are PNG data URIs, the style and the
slider's script are inline, and nothing is fetched from anywhere: the page opens from disk, in
any browser, offline, and keeps working when the run folder is copied."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from PIL import Image

REFRESH_SECONDS = 15


@dataclass(frozen=True)
class Section:
    """One part of the page: an anchor id, a heading and its HTML body."""

    id: str
    title: str
    body: str


def escape(value: object) -> str:
    return html.escape(str(value), quote=True)


def png_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def image_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return png_uri(buffer.getvalue())


def figure_uri(figure: Figure, dpi: int = 90) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return png_uri(buffer.getvalue())


def img(uri: str, alt: str, css_class: str = "") -> str:
    extra = f' class="{css_class}"' if css_class else ""
    return f'<img src="{uri}" alt="{escape(alt)}"{extra}>'


def table(header: Sequence[str], rows: Sequence[Sequence[object]], css_class: str = "") -> str:
    """An HTML table (no header row when every header is empty); cells are escaped unless they
    are `Raw`."""
    def cell(value: object, tag: str) -> str:
        text = value.html if isinstance(value, Raw) else escape(value)
        return f"<{tag}>{text}</{tag}>"

    head = "".join(cell(h, "th") for h in header)
    body = "".join("<tr>" + "".join(cell(v, "td") for v in row) + "</tr>" for row in rows)
    extra = f' class="{css_class}"' if css_class else ""
    thead = f"<thead><tr>{head}</tr></thead>" if any(header) else ""
    return f"<table{extra}>{thead}<tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class Raw:
    """A table cell that is already HTML."""

    html: str


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
header { background: #1d232a; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 20px; } header p { margin: 4px 0 0; color: #c5ccd6; }
nav { padding: 8px 28px; background: #e8ebf0; position: sticky; top: 0; }
nav a { margin-right: 14px; color: #24508f; text-decoration: none; }
main { padding: 8px 28px 40px; max-width: 1180px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 18px 16px;
          margin: 16px 0; }
h2 { font-size: 17px; margin: 10px 0; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid #e3e6eb; padding: 3px 10px; text-align: left;
         vertical-align: top; }
th { background: #f0f2f5; }
.settings td:first-child { font-family: ui-monospace, monospace; }
.live { background: #fff4d6; border: 1px solid #e6c866; padding: 6px 12px; border-radius: 4px; }
.verdict { font-weight: 600; padding: 6px 10px; border-left: 4px solid #24508f;
           background: #eef3fa; }
.pixelated { image-rendering: pixelated; }
section img { max-width: 100%; height: auto; }
.note { color: #5a6473; font-size: 13px; }
input[type=range] { width: 420px; vertical-align: middle; }
.strip { height: 56px; }
"""

# The slider shows one grid at a time; its position is kept in the address's #fragment, so a
# live page that reloads itself returns to the step the reader was looking at.
_SCRIPT = """
(function () {
  var slider = document.getElementById('progress-slider');
  if (!slider) { return; }
  var grids = document.querySelectorAll('#progress .grid-frame img');
  var label = document.getElementById('progress-step');
  function show(index) {
    for (var i = 0; i < grids.length; i++) { grids[i].hidden = (i !== index); }
    label.textContent = grids[index].getAttribute('data-step');
    slider.value = index;
  }
  slider.addEventListener('input', function () {
    show(Number(slider.value));
    var step = grids[Number(slider.value)].getAttribute('data-step');
    history.replaceState(null, '', '#step=' + step);
  });
  var wanted = /#step=(\\d+)/.exec(location.hash);
  var start = grids.length - 1;
  if (wanted) {
    for (var i = 0; i < grids.length; i++) {
      if (grids[i].getAttribute('data-step') === wanted[1]) { start = i; }
    }
  }
  show(start);
})();
"""


def render(title: str, subtitle: str, sections: Sequence[Section], *, live: bool) -> str:
    """The whole page. `live`: reload every REFRESH_SECONDS (while training runs)."""
    refresh = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if live else ""
    banner = (f'<p class="live">Training is running: this page reloads itself every '
              f'{REFRESH_SECONDS} s, and stops when training ends.</p>') if live else ""
    nav = "".join(f'<a href="#{s.id}">{escape(s.title)}</a>' for s in sections)
    body = "".join(f'<section id="{s.id}"><h2>{escape(s.title)}</h2>{s.body}</section>'
                   for s in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{refresh}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><style>{_STYLE}</style></head><body>'
            f'<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>'
            f'<nav>{nav}</nav><main>{banner}{body}</main>'
            f'<script>{_SCRIPT}</script></body></html>')
