"""kb: an agent-assist knowledge base for bank contact centers."""

from kb.config import Settings, get_settings
from kb.errors import DocumentRejected, KBError, Problem
from kb.knowledge_base import KnowledgeBase

__all__ = ["KnowledgeBase", "Settings", "get_settings", "KBError", "DocumentRejected", "Problem"]
