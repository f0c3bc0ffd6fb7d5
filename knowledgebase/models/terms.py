"""The vocabulary of the public articles: for document frequencies (ranking) and for
correcting typos without pg_trgm."""

from django.db import models


class SearchTerm(models.Model):
    language = models.CharField(max_length=8)
    # "C" collation: a plain B-tree then serves prefix lookups (LIKE 'abc%').
    term = models.CharField(max_length=64, db_collation="C")
    df = models.PositiveIntegerField(help_text="Public articles of the language containing the term.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["language", "term"], name="kb_term_unique")]

    def __str__(self):
        return f"{self.language}:{self.term} ({self.df})"
