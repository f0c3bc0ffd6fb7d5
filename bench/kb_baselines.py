"""Plain baselines for bench/kb_eval.py, in plain Python (no numpy needed):

* ``bm25``: Okapi BM25 (k1 1.2, b 0.75) over lower-cased ``\\w+`` words of title + body,
  no stemming, no stopwords;
* ``char_ngram``: TF-IDF cosine over character 3–5-grams inside word boundaries (the
  ``char_wb`` analyser of scikit-learn's TfidfVectorizer: each whitespace-separated word
  padded with one space, raw term frequency, smoothed idf, L2 norm).

Each ranks only the articles of the query's language (as the sets' READMEs assume).
"""

import math
import re
from collections import Counter, defaultdict

WORD = re.compile(r"\w+")


def _text(article):
    return f"{article.get('title') or ''}\n{article.get('body') or ''}"


def bm25_tokens(text):
    return WORD.findall(text.lower())


def char_wb_grams(text, low=3, high=5):
    out = []
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                break
            out += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return out


class _Index:
    def __init__(self, articles):
        self.ids = [str(a["id"]) for a in articles]
        self.postings = defaultdict(list)  # feature -> [(doc, weight)]


class BM25:
    name = "BM25"

    def __init__(self, articles, k1=1.2, b=0.75):
        self.by_language = {}
        for language, group in _by_language(articles).items():
            docs = [Counter(bm25_tokens(_text(a))) for a in group]
            index = _Index(group)
            average = sum(sum(d.values()) for d in docs) / max(len(docs), 1)
            df = Counter(t for d in docs for t in d)
            total = len(docs)
            index.idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}
            for number, doc in enumerate(docs):
                length = sum(doc.values())
                for t, tf in doc.items():
                    weight = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
                    index.postings[t].append((number, weight))
            self.by_language[language] = index

    def rank(self, query, language, limit):
        index = self.by_language.get(language)
        if index is None:
            return []
        scores = defaultdict(float)
        for t in set(bm25_tokens(query)):
            for number, weight in index.postings.get(t, ()):
                scores[number] += index.idf[t] * weight
        return _top(index, scores, limit)


class CharNgramTfidf:
    name = "char 3-5-gram TF-IDF"

    def __init__(self, articles):
        self.by_language = {}
        for language, group in _by_language(articles).items():
            docs = [Counter(char_wb_grams(_text(a))) for a in group]
            index = _Index(group)
            df = Counter(g for d in docs for g in d)
            total = len(docs)
            index.idf = {g: math.log((1 + total) / (1 + n)) + 1 for g, n in df.items()}
            for number, doc in enumerate(docs):
                weights = {g: tf * index.idf[g] for g, tf in doc.items()}
                norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
                for g, w in weights.items():
                    index.postings[g].append((number, w / norm))
            self.by_language[language] = index

    def rank(self, query, language, limit):
        index = self.by_language.get(language)
        if index is None:
            return []
        weights = {g: tf * index.idf[g] for g, tf in Counter(char_wb_grams(query)).items() if g in index.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        scores = defaultdict(float)
        for g, w in weights.items():
            for number, dw in index.postings[g]:
                scores[number] += w / norm * dw
        return _top(index, scores, limit)


def _by_language(articles):
    groups = defaultdict(list)
    for article in articles:
        groups[article.get("lang", "en")].append(article)
    return groups


def _top(index, scores, limit):
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(index.ids[number], score) for number, score in best]
