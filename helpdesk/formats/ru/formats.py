"""Russian short dates: 03.12.2026 and 03.12.2026 14:05 (the same as Django's own, kept
here so that both portal languages are stated in one place)."""

SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
