"""Live calls: the transcript a call platform posts, suggestions and checks as it is spoken, and
the quality scorecard of the whole call."""
