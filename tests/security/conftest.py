"""The LRS client fixture of the xAPI tests, reused by the attacks on the LRS."""
from tests.xapi.conftest import lrs  # noqa: F401
