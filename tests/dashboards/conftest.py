from tests.badges.conftest import passport  # noqa: F401  (the seeded passport fixture)
