"""The application: the core knowledge base composed with what the outer packages add to it
(ingesting folders and uploads, publishing, evaluating and recording runs). The web and the CLI
build one of these from settings; the core imports none of it."""

from application.application import Application

__all__ = ["Application"]
