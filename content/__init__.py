"""The 18 modules as files; installed as ``lti_tool.content`` so an installed tool finds them."""
