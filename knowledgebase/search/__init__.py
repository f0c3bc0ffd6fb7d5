"""Full-text search for the knowledge base: text analysis in Python, matching and
ranking in PostgreSQL over a precomputed tsvector (see knowledgebase/README.md)."""
