"""The syndication simulator behind ``benchmarks/synth.py`` (GENERATED data).

Modules, imports pointing one way (each uses only those above it):

* ``outlets``: data tables (agencies, outlets, scrapers, boilerplate wordings);
* ``pool``: base reading, cleaning and the near-duplicate-free pool;
* ``relex``: re-lexicalization and base reuse across epochs;
* ``pages``: records, ids, URLs, times and gold lines;
* ``stories``: one story (origin page, copies, scraper copies);
* ``negatives``: quote-sharing stories and templated items;
* ``output``: the streaming API (generate, interleave, write, Summary).
"""
