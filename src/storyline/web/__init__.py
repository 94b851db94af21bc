"""The web app and REST API: a thin HTTP shell over the ``Storyline`` library.

``app.py`` holds the routes (each calls a library method, nothing else), ``library.py`` keeps
each thread's database connection, ``display.py`` the presentation helpers the templates
use. FastAPI, uvicorn and Jinja2 come with the ``web`` extra: ``pip install 'storyline[web]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI


def create_app(*args: object, **kwargs: object) -> FastAPI:
    """Build the app (see ``storyline.web.app.create_app``); imports FastAPI only when called."""
    from storyline.web.app import create_app as build

    return build(*args, **kwargs)  # type: ignore[arg-type]
