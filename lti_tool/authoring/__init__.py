"""Content authoring tools: validating the modules, exporting their quizzes (``passeport content …``)."""
