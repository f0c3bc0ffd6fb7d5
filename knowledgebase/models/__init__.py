from .articles import Article, Category, Tag
from .canned import CannedReply
from .feedback import ArticleVote, Deflection, SearchMiss
from .terms import SearchTerm

__all__ = ["Article", "ArticleVote", "CannedReply", "Category", "Deflection", "SearchMiss", "SearchTerm", "Tag"]
