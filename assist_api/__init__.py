"""The HTTP face of the knowledge base: the assist API and the side panel's pages."""
