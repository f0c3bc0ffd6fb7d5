"""Polish dates as people write them: 03.12.2026 (Django's own Polish short format is
03-12-2026). Everything not named here comes from Django's Polish formats."""

SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
