"""The pages' one Jinja2 environment, with the filters and globals every template may use."""

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from ui.answer_view import answer_html, quote_text, script_steps, without_title
from ui.labels import zh
from ui.markdown import render
from ui.messages import shown


def _page_state(request: Request) -> dict:
    """Who is signed in and the sign-in's CSRF token, for the bar and the forms of base.html."""
    return {"principal": getattr(request.state, "principal", None),
            "csrf": getattr(request.state, "csrf", "")}


templates = Jinja2Templates(directory=Path(__file__).parent / "templates",
                            context_processors=[_page_state])
templates.env.filters["markdown"] = render
templates.env.filters["answer_html"] = answer_html
templates.env.filters["script_steps"] = script_steps
templates.env.filters["without_title"] = without_title
templates.env.filters["zh"] = zh
templates.env.filters["shown"] = shown
templates.env.filters["quote_text"] = quote_text
